-- Record that a fetch was parsed (first time only) and why it was rejected, if it was.
UPDATE fetches SET parsed_at = COALESCE(parsed_at, %(parsed_at)s), parse_error = %(parse_error)s
WHERE id = %(id)s
  AND (parsed_at IS NULL OR parse_error IS DISTINCT FROM %(parse_error)s)
