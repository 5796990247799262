-- People and places mentioned in the given articles.
SELECT article_key, start_char, end_char, label, norm, surface
FROM entity_mentions WHERE article_key = ANY(%(keys)s)
ORDER BY article_key, start_char
