-- Enabled feeds whose next fetch time has come, longest-waiting first.
SELECT id, url, poll_interval_s, etag, last_modified, consecutive_failures, allow_private,
       enabled, language
FROM feeds
WHERE enabled AND next_fetch_at <= %(now)s
ORDER BY next_fetch_at, id
