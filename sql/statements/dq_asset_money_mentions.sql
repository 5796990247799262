-- Great Expectations asset: money mentions of the articles in one gate batch.
SELECT m.article_key || '@' || m.start_char || '-' || m.end_char AS row_key,
       m.article_key,
       m.surface,
       m.amount,
       m.currency,
       m.qualifier
FROM dq_batch_articles b
JOIN money_mentions m ON m.article_key = b.article_key
WHERE b.batch_id = {batch_id}
