-- Organization mentions of the given articles.
SELECT article_key, start_char, end_char, org_id, surface, source
FROM org_mentions WHERE article_key = ANY(%(keys)s)
ORDER BY article_key, start_char
