-- The biggest amounts reported in the last 7 days (in US dollars where a rate is known).
SELECT o.story_id, o.title, mm.surface, mm.amount, mm.currency, mm.qualifier, mm.amount_usd,
       a.language
FROM money_mentions mm
JOIN articles a ON a.key = mm.article_key AND a.status = 'ok'
JOIN story_articles sa ON sa.article_key = a.key
JOIN story_overview o ON o.story_id = sa.story_id
WHERE coalesce(a.published_at, a.first_seen_at) > now() - interval '7 days'
ORDER BY mm.amount_usd DESC NULLS LAST
LIMIT 20;
