-- Recent alerts, newest first, each with the state of its deliveries.
SELECT a.id, a.created_at, a.deal_id, a.story_id, a.kind, a.detail,
       a.payload ->> 'change' AS change, s.title AS story_title,
       COALESCE(
           jsonb_agg(
               jsonb_build_object(
                   'channel', d.channel, 'status', d.status, 'attempts', d.attempts,
                   'last_error', d.last_error, 'next_attempt_at', d.next_attempt_at,
                   'sent_at', d.sent_at)
               ORDER BY d.channel)
           FILTER (WHERE d.channel IS NOT NULL),
           '[]'::jsonb) AS deliveries
FROM alerts a
JOIN stories s ON s.id = a.story_id
LEFT JOIN alert_deliveries d ON d.alert_id = a.id
WHERE (%(deal_id)s::text IS NULL OR a.deal_id = %(deal_id)s)
GROUP BY a.id, s.title
ORDER BY a.id DESC
LIMIT %(limit)s
