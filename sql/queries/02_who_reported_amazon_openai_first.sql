-- Who reported the Amazon–OpenAI story first, and in which order did the outlets follow?
WITH story AS (
    SELECT story_id FROM story_overview
    WHERE organization_ids @> ARRAY['amazon', 'openai']
    ORDER BY article_count DESC, first_seen
    LIMIT 1
)
SELECT row_number() OVER (ORDER BY t.reported_at, t.article_key) AS rank,
       t.outlet, t.language, t.reported_at, t.title
FROM story_timeline t JOIN story USING (story_id)
ORDER BY rank;
