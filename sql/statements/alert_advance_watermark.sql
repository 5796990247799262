-- Never moves backwards: a late retry or a replay with an older `since` keeps the newer mark.
INSERT INTO alert_watermarks (deal_id, evaluated_until, evaluated_at, stories_evaluated)
VALUES (%(deal_id)s, %(evaluated_until)s, now(), %(stories)s)
ON CONFLICT (deal_id) DO UPDATE SET
    evaluated_until = GREATEST(alert_watermarks.evaluated_until, EXCLUDED.evaluated_until),
    evaluated_at = now(),
    stories_evaluated = EXCLUDED.stories_evaluated
