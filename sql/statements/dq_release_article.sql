-- A released article goes back to pending, so the next gate re-checks all of it.
UPDATE articles SET status = 'pending', updated_at = now()
WHERE key = %(article_key)s AND status = 'quarantined'
RETURNING status
