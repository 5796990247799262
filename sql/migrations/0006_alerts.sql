-- Alerts: catch-all deal rules, a per-deal evaluation watermark, and what listing needs.

-- rule 'parties': every party (after parent roll-up) appears in the story;
-- rule 'any_orgs': at least min_orgs registry organizations and an amount >= min_amount_usd.
ALTER TABLE tracked_deals
    ADD COLUMN rule      text NOT NULL DEFAULT 'parties' CHECK (rule IN ('parties', 'any_orgs')),
    ADD COLUMN min_orgs  integer NOT NULL DEFAULT 2 CHECK (min_orgs >= 1),
    ADD COLUMN in_config boolean NOT NULL DEFAULT true;  -- false once removed from the YAML

-- How far each deal has been evaluated: the alerts run only looks at stories changed after it
-- (minus a small overlap; re-evaluating a story is harmless because alerts are unique).
CREATE TABLE alert_watermarks (
    deal_id           text PRIMARY KEY REFERENCES tracked_deals (id) ON DELETE CASCADE,
    evaluated_until   timestamptz NOT NULL,          -- greatest stories.updated_at evaluated
    evaluated_at      timestamptz NOT NULL DEFAULT now(),
    stories_evaluated integer NOT NULL DEFAULT 0     -- in the last run, for operators
);

ALTER TABLE alert_deliveries ADD COLUMN last_attempt_at timestamptz;

CREATE INDEX IF NOT EXISTS stories_updated_at ON stories (updated_at);
CREATE INDEX alerts_created ON alerts (created_at DESC);
