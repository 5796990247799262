-- A new version of articles from their home feed: content replaced, extraction and clustering
-- to be redone, and back to 'pending' so the quality gate sees the new text.
UPDATE articles a SET
    guid = r.guid, url = r.url, canonical_url = r.canonical_url, title = r.title,
    summary = r.summary, authors = r.authors, language = r.language,
    feed_language = r.feed_language, published_at = r.published_at,
    published_raw = r.published_raw, content_hash = r.content_hash,
    fetch_id = %(fetch_id)s::bigint, cycle_id = %(cycle_id)s::text, status = 'pending',
    extracted_at = NULL, clustered_at = NULL, updated_at = now()
FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
    key text, guid text, url text, canonical_url text, title text, summary text,
    authors text[], language text, feed_language text, published_at timestamptz,
    published_raw text, content_hash text)
WHERE a.key = r.key
