-- Great Expectations asset: the articles of one gate batch ({batch_id} is filled in as a literal).
-- Blank strings count as missing, so "not null" also catches empty titles and URLs.
-- Asset queries avoid colons and percent signs: SQLAlchemy would read them as parameters.
SELECT a.key AS row_key,
       a.key AS article_key,
       a.key,
       a.feed_id,
       NULLIF(btrim(a.title), '') AS title,
       NULLIF(btrim(a.url), '') AS url,
       a.language,
       a.published_at,
       a.first_seen_at,
       a.summary
FROM dq_batch_articles b
JOIN articles a ON a.key = b.article_key
WHERE b.batch_id = {batch_id}
