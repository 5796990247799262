-- The latest data-quality result of every suite, and the rows held in quarantine.
SELECT DISTINCT ON (suite) suite, success, severity, run_at, statistics,
       (SELECT count(*) FROM quarantine q WHERE q.released_at IS NULL) AS quarantined_open
FROM dq_results
ORDER BY suite, run_at DESC;
