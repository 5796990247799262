-- Great Expectations asset: enabled feeds with their fetch success rate over the last 24 hours
-- (NULL when nothing was attempted) and the hours since their last good fetch (stored or 304;
-- a body the parser refused is not a good fetch).
SELECT f.id AS row_key,
       CAST(NULL AS text) AS article_key,
       count(x.id) AS attempts_24h,
       CASE WHEN count(x.id) > 0
            THEN round(count(x.id) FILTER (WHERE x.outcome IN ('stored', 'not_modified')
                                              AND x.parse_error IS NULL)
                       / CAST(count(x.id) AS numeric), 3)
       END AS success_rate_24h,
       round(extract(epoch FROM now() - greatest(
                 max(x.started_at) FILTER (WHERE x.outcome IN ('stored', 'not_modified')
                                             AND x.parse_error IS NULL),
                 f.last_success_at,
                 f.created_at)) / 3600, 1) AS hours_since_success
FROM feeds f
LEFT JOIN fetches x ON x.feed_id = f.id AND x.started_at > now() - make_interval(hours => 24)
WHERE f.enabled
GROUP BY f.id
