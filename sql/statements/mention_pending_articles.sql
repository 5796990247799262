-- Articles not yet extracted (quarantined ones are skipped), oldest first. Rows are locked and
-- others' locked rows skipped, so two extract runs at once never work on the same article.
SELECT key, feed_id, url, canonical_url, title, summary, language, content_hash, guid,
       authors, feed_language, published_at, published_raw
FROM articles
WHERE extracted_at IS NULL AND status <> 'quarantined'
ORDER BY first_seen_at, key
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED
