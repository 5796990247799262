-- Stories changed after %(since)s (the earliest watermark of the deals being evaluated).
SELECT id, title, updated_at
FROM stories
WHERE updated_at > %(since)s
ORDER BY updated_at, id
