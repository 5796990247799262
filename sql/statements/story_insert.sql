-- A new story, keyed by its founding article; a repeated insert changes nothing.
-- Aggregates are filled in by story_refresh.
INSERT INTO stories (story_key, title, languages, first_seen_at, last_seen_at, article_count)
VALUES (%(story_key)s, %(title)s, '{}', %(at)s, %(at)s, 0)
ON CONFLICT (story_key) DO NOTHING
