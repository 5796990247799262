-- New articles from one fetch, 'pending' for the quality gate; keys already stored are left to
-- the caller (RETURNING lists only the keys inserted here).
INSERT INTO articles (key, feed_id, guid, url, canonical_url, title, summary, authors, language,
                      feed_language, published_at, published_raw, first_seen_at, last_seen_at,
                      content_hash, fetch_id, cycle_id, status)
SELECT r.key, r.feed_id, r.guid, r.url, r.canonical_url, r.title, r.summary, r.authors,
       r.language, r.feed_language, r.published_at, r.published_raw,
       %(seen_at)s::timestamptz, %(seen_at)s::timestamptz, r.content_hash,
       %(fetch_id)s::bigint, %(cycle_id)s::text, 'pending'
FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
    key text, feed_id text, guid text, url text, canonical_url text, title text, summary text,
    authors text[], language text, feed_language text, published_at timestamptz,
    published_raw text, content_hash text)
ON CONFLICT (key) DO NOTHING
RETURNING key
