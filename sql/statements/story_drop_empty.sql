-- Stories among %(ids)s left without articles: their id stays resolvable through story_aliases
-- (a merge already recorded its own alias), and the row goes unless alerts were sent about it.
WITH empty AS (
    SELECT s.id, s.story_key, v.merged_into
    FROM stories s
    JOIN unnest(%(ids)s::bigint[], %(into)s::text[]) AS v(id, merged_into) ON v.id = s.id
    WHERE NOT EXISTS (SELECT 1 FROM story_articles sa WHERE sa.story_id = s.id)
), aliased AS (
    INSERT INTO story_aliases (story_id, story_key, merged_into, reason)
    SELECT id, story_key, merged_into, 'emptied' FROM empty
    ON CONFLICT (story_id) DO NOTHING
), dropped AS (
    DELETE FROM stories s USING empty e
    WHERE s.id = e.id AND NOT EXISTS (SELECT 1 FROM alerts al WHERE al.story_id = s.id)
)
SELECT id FROM empty
