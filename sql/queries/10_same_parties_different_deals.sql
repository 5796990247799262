-- Organizations that appear in several different stories with amounts: separate deals that
-- share a party (Amazon–OpenAI vs Amazon–Anthropic).
SELECT org AS organization_id, count(*) AS stories_with_amounts,
       array_agg(title ORDER BY first_seen) AS stories
FROM story_overview, unnest(organization_ids) AS org
WHERE cardinality(amounts) > 0
GROUP BY org
HAVING count(*) > 1
ORDER BY stories_with_amounts DESC, org;
