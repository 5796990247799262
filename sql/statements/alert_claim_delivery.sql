-- The next due delivery, locked for the caller's transaction; other runs skip it. A delivery
-- waits while an earlier alert of the same deal and story is still pending on its channel, so
-- recipients read breaking -> new_language -> new_amount in that order.
SELECT d.alert_id, d.channel, d.attempts, a.payload
FROM alert_deliveries d
JOIN alerts a ON a.id = d.alert_id
WHERE d.status = 'pending'
  AND d.next_attempt_at <= COALESCE(%(now)s, now())
  AND NOT (d.channel = ANY(%(skip)s))
  AND NOT EXISTS (
      SELECT 1
      FROM alert_deliveries e
      JOIN alerts ea ON ea.id = e.alert_id
      WHERE e.channel = d.channel AND e.status = 'pending' AND e.alert_id < d.alert_id
        AND ea.deal_id = a.deal_id AND ea.story_id = a.story_id)
ORDER BY d.alert_id, d.channel
LIMIT 1
FOR UPDATE OF d SKIP LOCKED
