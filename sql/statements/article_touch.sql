-- The articles were seen again; untouched when this sighting is not newer (re-processing).
UPDATE articles SET last_seen_at = %(seen_at)s
WHERE key = ANY(%(keys)s) AND last_seen_at < %(seen_at)s
