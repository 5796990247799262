-- Give deliveries that were given up one more attempt now (after fixing the channel).
UPDATE alert_deliveries
SET status = 'pending', next_attempt_at = now()
WHERE status = 'failed' AND (%(channel)s::text IS NULL OR channel = %(channel)s)
RETURNING alert_id, channel
