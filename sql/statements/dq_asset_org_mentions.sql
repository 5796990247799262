-- Great Expectations asset: organization mentions of the articles in one gate batch.
-- The foreign key already guards org_id on insert; this catches rows loaded around it
-- (restores, COPY with triggers off) and names the unknown id.
SELECT m.article_key || '@' || m.start_char || '-' || m.end_char AS row_key,
       m.article_key,
       m.org_id,
       m.surface,
       CASE WHEN o.id IS NULL THEN m.org_id END AS unknown_org_id
FROM dq_batch_articles b
JOIN org_mentions m ON m.article_key = b.article_key
LEFT JOIN organizations o ON o.id = m.org_id
WHERE b.batch_id = {batch_id}
