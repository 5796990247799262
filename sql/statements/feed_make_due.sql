-- Make the given feeds due now (the demo's second round; an operator's "poll now").
UPDATE feeds SET next_fetch_at = now() WHERE id = ANY(%(ids)s) AND enabled
