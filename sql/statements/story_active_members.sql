-- Clustered members of the stories the pending batch can join: stories active since %(since)s,
-- stories of re-opened articles, and stories holding an exact duplicate (same URL or content).
WITH wanted AS (
    SELECT id FROM stories WHERE last_seen_at >= %(since)s
    UNION
    SELECT sa.story_id FROM story_articles sa WHERE sa.article_key = ANY(%(keys)s)
    UNION
    SELECT sa.story_id
    FROM articles a JOIN story_articles sa ON sa.article_key = a.key
    WHERE a.canonical_url = ANY(%(urls)s) OR a.content_hash = ANY(%(hashes)s)
)
SELECT a.key, a.feed_id, a.url, a.canonical_url, a.title, a.summary, a.language,
       a.content_hash, a.guid, a.published_at, a.first_seen_at, a.updated_at,
       coalesce(a.published_at, a.first_seen_at) AS reported_at,
       s.story_key
FROM wanted w
JOIN stories s ON s.id = w.id
JOIN story_articles sa ON sa.story_id = s.id
JOIN articles a ON a.key = sa.article_key
WHERE a.status = 'ok' AND a.clustered_at IS NOT NULL
ORDER BY s.first_seen_at, s.story_key, coalesce(a.published_at, a.first_seen_at), a.key
