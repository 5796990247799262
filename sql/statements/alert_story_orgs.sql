-- Organizations mentioned in the given stories with every parent above them (AWS -> Amazon).
-- depth guards against a parent cycle in the registry.
WITH RECURSIVE mentioned AS (
    SELECT DISTINCT sa.story_id, om.org_id
    FROM story_articles sa
    JOIN articles a ON a.key = sa.article_key AND a.status <> 'quarantined'
    JOIN org_mentions om ON om.article_key = sa.article_key
    WHERE sa.story_id = ANY(%(story_ids)s)
), lineage AS (
    SELECT m.story_id, m.org_id AS mentioned_id, o.source AS mentioned_source,
           o.id, o.name, o.parent_id, 0 AS depth
    FROM mentioned m JOIN organizations o ON o.id = m.org_id
    UNION ALL
    SELECT l.story_id, l.mentioned_id, l.mentioned_source, p.id, p.name, p.parent_id, l.depth + 1
    FROM lineage l JOIN organizations p ON p.id = l.parent_id
    WHERE l.depth < 8
)
SELECT story_id, mentioned_id, mentioned_source, id, name, depth
FROM lineage
ORDER BY story_id, mentioned_id, depth
