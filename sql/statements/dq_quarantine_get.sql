SELECT id, table_name, row_key, article_key, expectation, released_at
FROM quarantine WHERE id = %(id)s
