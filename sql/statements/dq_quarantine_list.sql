-- Quarantine entries, newest first; open ones only unless all are asked for.
SELECT id, table_name, row_key, article_key, expectation, failed_value, reason, cycle_id,
       quarantined_at, released_at
FROM quarantine
WHERE %(include_released)s OR released_at IS NULL
ORDER BY id DESC
LIMIT %(limit)s
