-- The sources of the given stories; quarantined articles never reach a recipient.
SELECT sa.story_id, a.key, a.title, a.summary, a.url, a.language, f.outlet, a.first_seen_at
FROM story_articles sa
JOIN articles a ON a.key = sa.article_key
JOIN feeds f ON f.id = a.feed_id
WHERE sa.story_id = ANY(%(story_ids)s) AND a.status <> 'quarantined'
ORDER BY sa.story_id, a.first_seen_at, a.key
