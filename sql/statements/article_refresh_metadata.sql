-- Link, authors or dates changed but not the text: update in place, extraction stays valid.
UPDATE articles a SET
    guid = r.guid, url = r.url, canonical_url = r.canonical_url, authors = r.authors,
    feed_language = r.feed_language, published_at = r.published_at,
    published_raw = r.published_raw, fetch_id = %(fetch_id)s::bigint, updated_at = now()
FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
    key text, guid text, url text, canonical_url text, authors text[], feed_language text,
    published_at timestamptz, published_raw text)
WHERE a.key = r.key
  AND (a.guid, a.url, a.canonical_url, a.authors, a.feed_language, a.published_at, a.published_raw)
      IS DISTINCT FROM
      (r.guid, r.url, r.canonical_url, r.authors, r.feed_language, r.published_at, r.published_raw)
