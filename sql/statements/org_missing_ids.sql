-- Which of the given organization ids have no row yet.
SELECT id FROM unnest(%(ids)s::text[]) AS given (id)
WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = given.id)
