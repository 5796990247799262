-- Fetch state of the named feeds, enabled or not (the caller decides what to do with disabled ones).
SELECT id, url, poll_interval_s, etag, last_modified, consecutive_failures, allow_private,
       enabled, language, disabled_reason
FROM feeds
WHERE id = ANY(%(ids)s)
ORDER BY id
