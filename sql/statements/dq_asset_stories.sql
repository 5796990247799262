-- Great Expectations asset: stories changed within the story window ({window_hours}), with the
-- number of their articles (merged-away stories left out) and, when they differ, the story's languages against its articles'.
SELECT s.story_key AS row_key,
       CAST(NULL AS text) AS article_key,
       s.id AS story_id,
       count(sa.article_key) AS article_count,
       CASE WHEN count(sa.article_key) > 0
             AND ARRAY(SELECT DISTINCT l FROM unnest(s.languages) AS l ORDER BY l)
                 IS DISTINCT FROM array_agg(DISTINCT a.language ORDER BY a.language)
            THEN 'story lists [' || array_to_string(s.languages, ',') || '], its articles are ['
                 || array_to_string(array_agg(DISTINCT a.language ORDER BY a.language), ',') || ']'
       END AS language_mismatch
FROM stories s
LEFT JOIN story_articles sa ON sa.story_id = s.id
LEFT JOIN articles a ON a.key = sa.article_key
WHERE s.updated_at >= now() - make_interval(hours => {window_hours})
  -- a story merged into another is kept only for the alerts that name it: no articles by design
  AND NOT EXISTS (SELECT 1 FROM story_aliases al WHERE al.story_id = s.id)
GROUP BY s.id
