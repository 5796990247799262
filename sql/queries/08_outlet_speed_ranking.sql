-- Which outlets are first to report multi-outlet stories most often?
WITH firsts AS (
    SELECT DISTINCT ON (t.story_id) t.story_id, t.outlet
    FROM story_timeline t
    JOIN story_overview o ON o.story_id = t.story_id AND o.outlet_count >= 2
    ORDER BY t.story_id, t.reported_at, t.article_key
)
SELECT outlet, count(*) AS stories_broken_first
FROM firsts GROUP BY outlet ORDER BY stories_broken_first DESC, outlet;
