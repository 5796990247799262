-- Feeds that are failing, disabled or quiet: what an operator should look at first.
SELECT feed_id, outlet, enabled, disabled_reason, consecutive_failures, success_rate_24h,
       last_success_at, last_error
FROM feed_health
ORDER BY enabled, consecutive_failures DESC, success_rate_24h NULLS FIRST, feed_id;
