-- Money mentions of the given articles.
SELECT article_key, start_char, end_char, amount, currency, surface, qualifier,
       amount_min, amount_max, amount_usd
FROM money_mentions WHERE article_key = ANY(%(keys)s)
ORDER BY article_key, start_char
