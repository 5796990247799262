-- Where the articles of one batch ended up; they always add up to the batch size.
SELECT count(*) AS articles,
       count(*) FILTER (WHERE a.status = 'ok') AS ok,
       count(*) FILTER (WHERE a.status = 'quarantined') AS quarantined,
       count(*) FILTER (WHERE a.status = 'pending') AS pending
FROM dq_batch_articles b
JOIN articles a ON a.key = b.article_key
WHERE b.batch_id = %(batch_id)s
