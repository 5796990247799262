-- Stories merged into others, or emptied when their only article moved: the old id and key stay
-- resolvable (analysts may have saved them). The old stories row may be gone; the alias is not.
CREATE TABLE story_aliases (
    story_id    bigint PRIMARY KEY,                     -- id of the story that was merged away
    story_key   text NOT NULL UNIQUE,
    merged_into text NOT NULL,                          -- story_key it was merged into
    reason      text NOT NULL CHECK (reason IN ('merged', 'emptied')),
    merged_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_aliases_merged_into ON story_aliases (merged_into);

-- The live story an id refers to now: itself, or the end of its chain of merges; NULL if unknown.
CREATE FUNCTION story_current_id(old_id bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE chain (story_key, depth) AS (
        SELECT merged_into, 1 FROM story_aliases WHERE story_id = old_id
        UNION ALL
        SELECT a.merged_into, c.depth + 1
        FROM chain c JOIN story_aliases a ON a.story_key = c.story_key
        WHERE c.depth < 64
    )
    SELECT coalesce(
        (SELECT s.id FROM chain c JOIN stories s ON s.story_key = c.story_key
         ORDER BY c.depth DESC LIMIT 1),
        (SELECT s.id FROM stories s WHERE s.id = old_id))
$$;
