-- Registry organizations no longer in the YAML keep their row and mentions (nothing is lost)
-- but stop claiming to be from the registry.
UPDATE organizations
SET source = 'discovered', updated_at = now()
WHERE source = 'registry' AND NOT (id = ANY(%(ids)s))
RETURNING id
