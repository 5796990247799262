-- One row per HTTP attempt; a 200 body is kept gzip-compressed until retain_until.
INSERT INTO fetches (feed_id, cycle_id, started_at, duration_ms, outcome, http_status, bytes, error,
                     final_url, content_type, body_gz, body_sha256, retain_until)
VALUES (%(feed_id)s, %(cycle_id)s, %(started_at)s, %(duration_ms)s, %(outcome)s, %(http_status)s,
        %(bytes)s, %(error)s, %(final_url)s, %(content_type)s, %(body_gz)s, %(body_sha256)s,
        %(retain_until)s)
RETURNING id
