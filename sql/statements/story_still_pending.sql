-- Which of the given articles are still waiting for clustering.
SELECT key FROM articles WHERE key = ANY(%(keys)s) AND clustered_at IS NULL ORDER BY key
