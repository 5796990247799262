-- Normalized amounts named in the given stories, earliest first.
SELECT sa.story_id, m.amount, m.currency, m.qualifier, m.amount_min, m.amount_usd, m.surface,
       a.first_seen_at, f.outlet
FROM story_articles sa
JOIN articles a ON a.key = sa.article_key AND a.status <> 'quarantined'
JOIN feeds f ON f.id = a.feed_id
JOIN money_mentions m ON m.article_key = sa.article_key
WHERE sa.story_id = ANY(%(story_ids)s)
ORDER BY sa.story_id, a.first_seen_at, a.key, m.start_char
