-- The batch id of a cycle's gate, created on first use; a retried cycle gets the same batch.
WITH created AS (
    INSERT INTO dq_batches (cycle_id) VALUES (%(cycle_id)s)
    ON CONFLICT (cycle_id) DO NOTHING
    RETURNING id
)
SELECT id FROM created
UNION ALL
SELECT id FROM dq_batches WHERE cycle_id = %(cycle_id)s
LIMIT 1
