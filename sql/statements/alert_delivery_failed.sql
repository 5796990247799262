-- A failed attempt: retried after %(backoff_s)s seconds, or given up once attempts reach the max.
UPDATE alert_deliveries
SET attempts = attempts + 1,
    last_error = %(error)s,
    last_attempt_at = COALESCE(%(now)s, now()),
    status = CASE WHEN attempts + 1 >= %(max_attempts)s THEN 'failed' ELSE 'pending' END,
    next_attempt_at = COALESCE(%(now)s, now()) + make_interval(secs => %(backoff_s)s)
WHERE alert_id = %(alert_id)s AND channel = %(channel)s
RETURNING status, next_attempt_at
