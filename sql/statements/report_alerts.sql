SELECT a.id, a.deal_id, a.story_id, a.kind, a.detail, a.created_at,
       coalesce(array_agg(d.channel || ':' || d.status ORDER BY d.channel)
                FILTER (WHERE d.channel IS NOT NULL), '{}') AS deliveries
FROM alerts a LEFT JOIN alert_deliveries d ON d.alert_id = a.id
GROUP BY a.id ORDER BY a.id
