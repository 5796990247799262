-- Which deals involving OpenAI were reported in both languages this week?
SELECT story_id, title, title_en, title_de, outlets, amounts, first_seen
FROM story_overview
WHERE 'openai' = ANY(organization_ids)
  AND languages @> ARRAY['en', 'de']
  AND cardinality(amounts) > 0
  AND last_seen > now() - interval '7 days'
ORDER BY first_seen DESC;
