-- A feed entry that could not become an article; recorded once, left alone on later fetches.
INSERT INTO quarantine (table_name, row_key, expectation, failed_value, reason, row_data, cycle_id)
VALUES (%(table_name)s, %(row_key)s, %(expectation)s, %(failed_value)s, %(reason)s, %(row_data)s,
        %(cycle_id)s)
ON CONFLICT (table_name, row_key, expectation) DO NOTHING
