-- Open (or re-open, on an Airflow retry) the cycle row; a retried cycle keeps its start time.
INSERT INTO cycles (id) VALUES (%(id)s)
ON CONFLICT (id) DO UPDATE SET status = 'running', finished_at = NULL
