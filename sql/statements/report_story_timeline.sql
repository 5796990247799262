SELECT story_id, article_key, outlet, language, title, url, reported_at, joined_by
FROM story_timeline WHERE story_id = ANY(%(ids)s)
ORDER BY story_id, reported_at, article_key
