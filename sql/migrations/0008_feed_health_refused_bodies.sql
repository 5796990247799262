-- A body the parser refused (HTML, garbage) is a failed attempt, not a success: the analyst view
-- now agrees with the fetch backoff and the data-quality feeds suite. Same columns as before.
CREATE OR REPLACE VIEW feed_health AS
SELECT f.id AS feed_id,
       f.outlet,
       f.language,
       f.enabled,
       f.disabled_reason,
       f.consecutive_failures,
       f.last_success_at,
       f.next_fetch_at,
       f.last_error,
       count(x.id) AS attempts_24h,
       count(x.id) FILTER (WHERE x.outcome IN ('stored', 'not_modified')
                             AND x.parse_error IS NULL) AS ok_24h,
       round(count(x.id) FILTER (WHERE x.outcome IN ('stored', 'not_modified')
                                   AND x.parse_error IS NULL)::numeric
             / nullif(count(x.id), 0), 3) AS success_rate_24h,
       sum(x.bytes) AS bytes_24h
FROM feeds f
LEFT JOIN fetches x ON x.feed_id = f.id AND x.started_at > now() - interval '24 hours'
WHERE f.in_config
GROUP BY f.id;
