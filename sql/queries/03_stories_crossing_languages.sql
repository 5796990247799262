-- Which stories crossed the language border, and how long did the second language take?
SELECT o.story_id, o.title, o.languages,
       min(t.reported_at) FILTER (WHERE t.language = 'en') AS first_en,
       min(t.reported_at) FILTER (WHERE t.language = 'de') AS first_de,
       abs(extract(epoch FROM min(t.reported_at) FILTER (WHERE t.language = 'de')
                          - min(t.reported_at) FILTER (WHERE t.language = 'en')) / 60)::int
           AS minutes_between
FROM story_overview o JOIN story_timeline t USING (story_id)
WHERE o.languages @> ARRAY['en', 'de']
GROUP BY o.story_id, o.title, o.languages
ORDER BY minutes_between;
