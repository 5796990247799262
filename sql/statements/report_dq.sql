-- Data-quality results per suite and outcome, with open quarantine counts.
SELECT r.suite, r.success, r.severity, count(*) AS runs, max(r.run_at) AS last_run,
       (SELECT count(*) FROM quarantine q WHERE q.released_at IS NULL) AS quarantined_open
FROM dq_results r GROUP BY 1, 2, 3 ORDER BY 1, 2
