-- Open entries of this batch's rows for checks that ran and now pass are closed: the row was
-- fixed (e.g. re-fetched after the outlet corrected it). Failing rows come as two arrays.
UPDATE quarantine q SET released_at = now()
WHERE q.released_at IS NULL
  AND q.table_name = %(table_name)s
  AND q.expectation = ANY(%(checks)s)
  AND q.article_key IN (SELECT article_key FROM dq_batch_articles WHERE batch_id = %(batch_id)s)
  AND NOT EXISTS (
      SELECT 1 FROM unnest(%(failed_rows)s::text[], %(failed_checks)s::text[]) AS f(row_key, expectation)
      WHERE f.row_key = q.row_key AND f.expectation = q.expectation)
