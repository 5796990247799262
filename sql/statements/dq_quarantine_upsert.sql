-- Record one bad row. An open entry with the same value is left alone (re-runs change nothing);
-- a released entry whose row still fails is opened again.
INSERT INTO quarantine (table_name, row_key, article_key, expectation, failed_value, reason,
                        row_data, cycle_id)
VALUES (%(table_name)s, %(row_key)s, %(article_key)s, %(expectation)s, %(failed_value)s,
        %(reason)s, %(row_data)s, %(cycle_id)s)
ON CONFLICT (table_name, row_key, expectation) DO UPDATE SET
    article_key = EXCLUDED.article_key,
    failed_value = EXCLUDED.failed_value,
    reason = EXCLUDED.reason,
    row_data = EXCLUDED.row_data,
    cycle_id = EXCLUDED.cycle_id,
    quarantined_at = now(),
    released_at = NULL
WHERE quarantine.released_at IS NOT NULL
   OR (quarantine.article_key, quarantine.failed_value, quarantine.reason)
      IS DISTINCT FROM (EXCLUDED.article_key, EXCLUDED.failed_value, EXCLUDED.reason)
