-- Insert or update one tracked deal from config; untouched when nothing changed.
INSERT INTO tracked_deals (id, name, rule, parties, min_orgs, keywords, min_amount_usd, channels,
                           enabled, in_config)
VALUES (%(id)s, %(name)s, %(rule)s, %(parties)s, %(min_orgs)s, %(keywords)s, %(min_amount_usd)s,
        %(channels)s, %(enabled)s, true)
ON CONFLICT (id) DO UPDATE SET
    name = EXCLUDED.name,
    rule = EXCLUDED.rule,
    parties = EXCLUDED.parties,
    min_orgs = EXCLUDED.min_orgs,
    keywords = EXCLUDED.keywords,
    min_amount_usd = EXCLUDED.min_amount_usd,
    channels = EXCLUDED.channels,
    enabled = EXCLUDED.enabled,
    in_config = true,
    updated_at = now()
WHERE (tracked_deals.name, tracked_deals.rule, tracked_deals.parties, tracked_deals.min_orgs,
       tracked_deals.keywords, tracked_deals.min_amount_usd, tracked_deals.channels,
       tracked_deals.enabled, tracked_deals.in_config)
      IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.rule, EXCLUDED.parties, EXCLUDED.min_orgs, EXCLUDED.keywords,
       EXCLUDED.min_amount_usd, EXCLUDED.channels, EXCLUDED.enabled, true)
RETURNING id, (xmax = 0) AS inserted
