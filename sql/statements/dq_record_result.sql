-- One row per (cycle, suite); a re-run with the same outcome leaves it untouched.
INSERT INTO dq_results (cycle_id, suite, success, severity, statistics, results)
VALUES (%(cycle_id)s, %(suite)s, %(success)s, %(severity)s, %(statistics)s, %(results)s)
ON CONFLICT (cycle_id, suite) DO UPDATE SET
    success = EXCLUDED.success,
    severity = EXCLUDED.severity,
    statistics = EXCLUDED.statistics,
    results = EXCLUDED.results,
    run_at = now()
WHERE (dq_results.success, dq_results.severity, dq_results.statistics, dq_results.results)
      IS DISTINCT FROM (EXCLUDED.success, EXCLUDED.severity, EXCLUDED.statistics, EXCLUDED.results)
