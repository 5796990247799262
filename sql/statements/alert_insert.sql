-- Exactly one alert per (deal, story, kind, detail): a repeat returns no row.
INSERT INTO alerts (deal_id, story_id, kind, detail, payload)
VALUES (%(deal_id)s, %(story_id)s, %(kind)s, %(detail)s, %(payload)s)
ON CONFLICT (deal_id, story_id, kind, detail) DO NOTHING
RETURNING id
