-- Raw bodies past their retention period are dropped; the fetch row (the attempt) stays.
UPDATE fetches SET body_gz = NULL
WHERE body_gz IS NOT NULL AND retain_until < %(now)s
