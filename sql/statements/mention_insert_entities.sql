INSERT INTO entity_mentions (article_key, start_char, end_char, label, norm, surface)
SELECT * FROM unnest(%(article_key)s::text[], %(start_char)s::int[], %(end_char)s::int[],
                     %(label)s::text[], %(norm)s::text[], %(surface)s::text[])
