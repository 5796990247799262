-- One sighting per (article, feed); RETURNING says which were new.
INSERT INTO article_sightings (article_key, feed_id, first_seen_at, last_seen_at)
SELECT k, f, %(seen_at)s, %(seen_at)s
FROM unnest(%(keys)s::text[], %(feed_ids)s::text[]) AS s(k, f)
ON CONFLICT (article_key, feed_id) DO UPDATE SET
    first_seen_at = LEAST(article_sightings.first_seen_at, EXCLUDED.first_seen_at),
    last_seen_at = GREATEST(article_sightings.last_seen_at, EXCLUDED.last_seen_at)
WHERE EXCLUDED.first_seen_at < article_sightings.first_seen_at
   OR EXCLUDED.last_seen_at > article_sightings.last_seen_at
RETURNING article_key, (xmax = 0) AS inserted
