UPDATE alert_deliveries
SET status = 'sent', attempts = attempts + 1, last_error = NULL,
    last_attempt_at = COALESCE(%(now)s, now()), sent_at = COALESCE(%(now)s, now())
WHERE alert_id = %(alert_id)s AND channel = %(channel)s
