-- The named fetches that still hold a body, oldest first.
SELECT id FROM fetches
WHERE id = ANY(%(ids)s) AND body_gz IS NOT NULL
ORDER BY started_at, id
