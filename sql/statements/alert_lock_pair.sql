-- Serializes evaluations of one (deal, story) until the transaction ends, so two concurrent runs
-- see each other's alerts; the unique key on alerts is the backstop.
SELECT pg_advisory_xact_lock(hashtextextended('newsflow-alert:' || %(deal_id)s || ':' || %(story_id)s::text, 0))
