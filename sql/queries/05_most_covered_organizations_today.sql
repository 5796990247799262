-- Which organizations got the most coverage in the last 2 days, and in which languages?
SELECT organization_id, organization, sum(articles) AS articles, sum(stories) AS stories,
       array_agg(DISTINCT lang ORDER BY lang) AS languages
FROM organization_coverage_daily, unnest(languages) AS lang
WHERE day >= current_date - 1
GROUP BY organization_id, organization
ORDER BY articles DESC, organization
LIMIT 20;
