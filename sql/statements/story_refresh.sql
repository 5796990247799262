-- Recompute title (earliest article's), languages, first/last seen and article count of the given
-- stories from their articles; updated_at moves only when one of them changed (alerts rely on it).
WITH agg AS (
    SELECT sa.story_id,
           (array_agg(a.title ORDER BY coalesce(a.published_at, a.first_seen_at), a.key))[1]
               AS title,
           array_agg(DISTINCT a.language ORDER BY a.language) AS languages,
           min(coalesce(a.published_at, a.first_seen_at)) AS first_seen_at,
           max(coalesce(a.published_at, a.first_seen_at)) AS last_seen_at,
           count(*)::integer AS article_count
    FROM story_articles sa
    JOIN articles a ON a.key = sa.article_key
    WHERE sa.story_id = ANY(%(ids)s)
    GROUP BY sa.story_id
)
UPDATE stories s SET
    title = agg.title, languages = agg.languages, first_seen_at = agg.first_seen_at,
    last_seen_at = agg.last_seen_at, article_count = agg.article_count, updated_at = now()
FROM agg
WHERE s.id = agg.story_id
  AND (s.title, s.languages, s.first_seen_at, s.last_seen_at, s.article_count)
      IS DISTINCT FROM
      (agg.title, agg.languages, agg.first_seen_at, agg.last_seen_at, agg.article_count)
RETURNING s.id
