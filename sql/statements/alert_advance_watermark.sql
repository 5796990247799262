-- Never moves backwards: a late retry or a replay keeps the newer mark. evaluated_until is the
-- database time at which the deal last read changed stories (the next run reads from it, minus
-- an overlap).
INSERT INTO alert_watermarks (deal_id, evaluated_until, evaluated_at, stories_evaluated)
VALUES (%(deal_id)s, %(evaluated_until)s, now(), %(stories)s)
ON CONFLICT (deal_id) DO UPDATE SET
    evaluated_until = GREATEST(alert_watermarks.evaluated_until, EXCLUDED.evaluated_until),
    evaluated_at = now(),
    stories_evaluated = EXCLUDED.stories_evaluated
