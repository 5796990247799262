-- Organizations found by a model but unknown to the registry, keyed by their normalized name.
-- An existing row (registry or discovered) is never overwritten; returns the new ones.
INSERT INTO organizations (id, name, source)
SELECT id, name, 'discovered'
FROM unnest(%(ids)s::text[], %(names)s::text[]) AS d (id, name)
ON CONFLICT (id) DO NOTHING
RETURNING id
