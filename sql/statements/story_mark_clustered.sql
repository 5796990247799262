-- Mark articles clustered, unless they were revised after we read them (then they stay pending
-- and the next run clusters the new text).
UPDATE articles a SET clustered_at = now()
FROM unnest(%(keys)s::text[], %(versions)s::timestamptz[]) AS v(key, updated_at)
WHERE a.key = v.key AND a.updated_at = v.updated_at AND a.clustered_at IS NULL
