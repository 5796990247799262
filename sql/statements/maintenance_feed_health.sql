-- Per-feed health over the last 24 hours, worst first. A body the parser refused is no success.
SELECT f.id, f.outlet, f.language, f.enabled, f.disabled_reason, f.consecutive_failures,
       f.last_success_at, f.next_fetch_at,
       count(x.id) AS attempts,
       count(x.id) FILTER (WHERE x.outcome IN ('stored', 'not_modified')
                             AND x.parse_error IS NULL) AS ok,
       max(coalesce(x.error, x.parse_error))
           FILTER (WHERE x.outcome NOT IN ('stored', 'not_modified')
                      OR x.parse_error IS NOT NULL) AS last_error
FROM feeds f
LEFT JOIN fetches x ON x.feed_id = f.id AND x.started_at > %(now)s - interval '24 hours'
WHERE f.in_config
GROUP BY f.id
ORDER BY f.enabled, f.consecutive_failures DESC, f.id
