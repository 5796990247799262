-- The latest result of each suite, or those of one cycle.
SELECT DISTINCT ON (suite) cycle_id, suite, success, severity, statistics, results, run_at
FROM dq_results
WHERE %(cycle_id)s::text IS NULL OR cycle_id = %(cycle_id)s
ORDER BY suite, run_at DESC, id DESC
