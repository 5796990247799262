-- One attempt with the feed state it left behind (for `newsflow fetch`).
SELECT x.outcome, x.http_status, x.bytes, x.duration_ms, x.error, x.final_url,
       f.next_fetch_at, f.consecutive_failures
FROM fetches x JOIN feeds f ON f.id = x.feed_id WHERE x.id = %(id)s
