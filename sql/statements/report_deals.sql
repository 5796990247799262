SELECT deal_id, deal, enabled, story_id, story_title, alerts, alert_kinds, first_alert_at,
       last_alert_at
FROM deal_tracker ORDER BY deal_id, last_alert_at DESC NULLS LAST
