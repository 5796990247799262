-- Fold story %(loser)s into %(survivor)s: its articles move, its id and key stay resolvable.
WITH moved AS (
    UPDATE story_articles SET story_id = %(survivor)s, joined_at = now()
    WHERE story_id = %(loser)s
    RETURNING 1
)
INSERT INTO story_aliases (story_id, story_key, merged_into, reason)
SELECT s.id, s.story_key, %(survivor_key)s, 'merged' FROM stories s WHERE s.id = %(loser)s
ON CONFLICT (story_id) DO UPDATE SET merged_into = EXCLUDED.merged_into, merged_at = now()
