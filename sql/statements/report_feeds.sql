SELECT feed_id, outlet, language, enabled, disabled_reason, consecutive_failures,
       attempts_24h, ok_24h, success_rate_24h, last_success_at, next_fetch_at, last_error
FROM feed_health ORDER BY enabled, consecutive_failures DESC, feed_id
