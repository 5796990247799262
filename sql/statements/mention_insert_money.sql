INSERT INTO money_mentions (article_key, start_char, end_char, amount, currency, qualifier,
                            amount_min, amount_max, amount_usd, surface)
SELECT * FROM unnest(%(article_key)s::text[], %(start_char)s::int[], %(end_char)s::int[],
                     %(amount)s::numeric[], %(currency)s::text[], %(qualifier)s::text[],
                     %(amount_min)s::numeric[], %(amount_max)s::numeric[],
                     %(amount_usd)s::numeric[], %(surface)s::text[])
