-- Tracked deals with their stories and the alerts that fired for them.
SELECT deal_id, deal, story_id, story_title, alerts, alert_kinds, first_alert_at, last_alert_at
FROM deal_tracker
WHERE story_id IS NOT NULL
ORDER BY last_alert_at DESC;
