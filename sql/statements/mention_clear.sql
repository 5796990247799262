-- Replace semantics for extraction: drop an article's previous mentions (they are re-inserted
-- right after, in the same transaction) and mark the articles extracted.
WITH orgs AS (
    DELETE FROM org_mentions WHERE article_key = ANY(%(keys)s)
), money AS (
    DELETE FROM money_mentions WHERE article_key = ANY(%(keys)s)
), entities AS (
    DELETE FROM entity_mentions WHERE article_key = ANY(%(keys)s)
)
UPDATE articles SET extracted_at = now()
WHERE key = ANY(%(keys)s)
RETURNING key
