-- The feed whose body the parser refused: failures in a row, backed off (never sooner than its
-- poll interval), validators dropped so the next attempt gets a whole body, the reason shown,
-- and the last success moved back to the last usable answer (the fetch step counted the 200).
-- Only when the refused body is the feed's latest attempt: re-parsing an old one changes nothing.
UPDATE feeds SET
    consecutive_failures = %(failures)s,
    next_fetch_at = GREATEST(next_fetch_at, %(fetched_at)s::timestamptz + make_interval(
        secs => GREATEST(%(backoff_s)s::float8, LEAST(poll_interval_s, %(backoff_max_s)s)))),
    etag = NULL,
    last_modified = NULL,
    last_status = 'refused by parser',
    last_error = %(error)s,
    last_success_at = (SELECT max(g.started_at) FROM fetches g
                       WHERE g.feed_id = %(feed_id)s AND g.id < %(id)s
                         AND (g.outcome = 'not_modified'
                              OR (g.outcome = 'stored' AND g.parsed_at IS NOT NULL
                                  AND g.parse_error IS NULL))),
    updated_at = now()
WHERE id = %(feed_id)s
  AND NOT EXISTS (SELECT 1 FROM fetches n WHERE n.feed_id = %(feed_id)s AND n.id > %(id)s)
