-- Entries with a key not stored yet whose link is the link of exactly one article their feed
-- published before, under another key that this document no longer carries: the outlet re-keyed
-- that article (a new guid). Returns (new key, stored key). See pipeline/store/articles.py.
SELECT r.key, min(a.key)
FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(key text, feed_id text, canonical_url text)
JOIN articles a ON a.canonical_url = r.canonical_url AND a.feed_id = r.feed_id
WHERE a.key <> ALL(%(keys)s::text[])
  AND NOT EXISTS (SELECT 1 FROM articles n WHERE n.key = r.key)
GROUP BY r.key
HAVING count(*) = 1
