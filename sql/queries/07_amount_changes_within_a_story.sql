-- Stories whose reported amount changed over time (e.g. "up to 50 bn" and later "38 bn").
SELECT sa.story_id, min(o.title) AS title,
       array_agg(DISTINCT trim_scale(mm.amount) || ' ' || mm.currency) AS amounts,
       count(DISTINCT (mm.amount, mm.currency)) AS distinct_amounts
FROM money_mentions mm
JOIN articles a ON a.key = mm.article_key AND a.status = 'ok'
JOIN story_articles sa ON sa.article_key = a.key
JOIN story_overview o ON o.story_id = sa.story_id
GROUP BY sa.story_id
HAVING count(DISTINCT (mm.amount, mm.currency)) > 1
ORDER BY distinct_amounts DESC;
