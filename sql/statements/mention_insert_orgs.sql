INSERT INTO org_mentions (article_key, start_char, end_char, org_id, surface, source)
SELECT * FROM unnest(%(article_key)s::text[], %(start_char)s::int[], %(end_char)s::int[],
                     %(org_id)s::text[], %(surface)s::text[], %(source)s::text[])
