-- Of the stories that started in English, which were picked up by German outlets, and by whom?
WITH starts AS (
    SELECT DISTINCT ON (story_id) story_id, language AS first_language
    FROM story_timeline ORDER BY story_id, reported_at, article_key
)
SELECT o.story_id, o.title,
       array_agg(DISTINCT t.outlet) FILTER (WHERE t.language = 'de') AS german_outlets
FROM starts s
JOIN story_overview o USING (story_id)
JOIN story_timeline t USING (story_id)
WHERE s.first_language = 'en'
GROUP BY o.story_id, o.title
HAVING count(*) FILTER (WHERE t.language = 'de') > 0
ORDER BY o.story_id;
