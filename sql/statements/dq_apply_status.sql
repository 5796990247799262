-- Batch articles become quarantined while an open entry holds them back, else ok (visible).
UPDATE articles a
SET status = d.status, updated_at = now()
FROM (
    SELECT b.article_key,
           CASE WHEN EXISTS (SELECT 1 FROM quarantine q
                             WHERE q.article_key = b.article_key AND q.released_at IS NULL)
                THEN 'quarantined' ELSE 'ok' END AS status
    FROM dq_batch_articles b
    WHERE b.batch_id = %(batch_id)s
) d
WHERE a.key = d.article_key AND a.status IS DISTINCT FROM d.status
