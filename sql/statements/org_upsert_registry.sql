-- Insert or update one registry organization; untouched when nothing changed, so re-syncs are
-- no-ops. A discovered organization whose key the registry now uses becomes a registry one.
INSERT INTO organizations (id, name, source, parent_id, kind, tickers, aliases)
VALUES (%(id)s, %(name)s, 'registry', %(parent_id)s, %(kind)s, %(tickers)s, %(aliases)s)
ON CONFLICT (id) DO UPDATE SET
    name = EXCLUDED.name,
    source = 'registry',
    parent_id = EXCLUDED.parent_id,
    kind = EXCLUDED.kind,
    tickers = EXCLUDED.tickers,
    aliases = EXCLUDED.aliases,
    updated_at = now()
WHERE (organizations.name, organizations.source, organizations.parent_id, organizations.kind,
       organizations.tickers, organizations.aliases)
      IS DISTINCT FROM
      (EXCLUDED.name, 'registry', EXCLUDED.parent_id, EXCLUDED.kind, EXCLUDED.tickers,
       EXCLUDED.aliases)
RETURNING id, (xmax = 0) AS inserted
