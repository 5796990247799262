-- Rows nothing refers to any more: stories left without articles (after edits moved them),
-- discovered organizations no article mentions, and attempts of feeds removed long ago.
WITH empty_stories AS (
    DELETE FROM stories s
    WHERE NOT EXISTS (SELECT 1 FROM story_articles sa WHERE sa.story_id = s.id)
      AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.story_id = s.id)
    RETURNING 1
), unused_orgs AS (
    DELETE FROM organizations o
    WHERE o.source = 'discovered'
      AND NOT EXISTS (SELECT 1 FROM org_mentions m WHERE m.org_id = o.id)
      AND NOT EXISTS (SELECT 1 FROM organizations c WHERE c.parent_id = o.id)
    RETURNING 1
)
SELECT (SELECT count(*) FROM empty_stories) AS stories,
       (SELECT count(*) FROM unused_orgs) AS organizations
