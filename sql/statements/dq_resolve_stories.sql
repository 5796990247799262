-- Open story entries that now pass are closed, as are those whose story no longer exists.
UPDATE quarantine q SET released_at = now()
WHERE q.released_at IS NULL
  AND q.table_name = 'stories'
  AND q.expectation = ANY(%(checks)s)
  AND NOT EXISTS (
      SELECT 1 FROM unnest(%(failed_rows)s::text[], %(failed_checks)s::text[]) AS f(row_key, expectation)
      WHERE f.row_key = q.row_key AND f.expectation = q.expectation)
  AND NOT EXISTS (
      SELECT 1 FROM stories s
      WHERE s.story_key = q.row_key
        AND s.updated_at < now() - make_interval(hours => %(window_hours)s))
