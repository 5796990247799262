-- Articles waiting for clustering: extracted, admitted by the quality gate, not yet clustered,
-- in the order they are assigned. story_key is set when an edited article was clustered before.
SELECT a.key, a.feed_id, a.url, a.canonical_url, a.title, a.summary, a.language,
       a.content_hash, a.guid, a.published_at, a.first_seen_at, a.updated_at,
       coalesce(a.published_at, a.first_seen_at) AS reported_at,
       s.story_key
FROM articles a
LEFT JOIN story_articles sa ON sa.article_key = a.key
LEFT JOIN stories s ON s.id = sa.story_id
WHERE a.clustered_at IS NULL AND a.extracted_at IS NOT NULL AND a.status = 'ok'
ORDER BY coalesce(a.published_at, a.first_seen_at), a.key
LIMIT %(limit)s
