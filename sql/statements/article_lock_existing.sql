-- Stored articles among the given keys, locked for this transaction; the metadata columns
-- (from guid on) are compared with the incoming version in Python.
SELECT key, feed_id, content_hash, fetch_id, title, summary, language, first_seen_at,
       last_seen_at, guid, url, canonical_url, authors, feed_language, published_at, published_raw
FROM articles
WHERE key = ANY(%(keys)s)
ORDER BY key
FOR UPDATE
