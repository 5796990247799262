-- Stored bodies not parsed yet, oldest first (so a later version of an article wins).
SELECT id FROM fetches
WHERE outcome = 'stored' AND body_gz IS NOT NULL AND parsed_at IS NULL
ORDER BY started_at, id
