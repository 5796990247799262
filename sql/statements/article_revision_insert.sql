-- One version of an article's text; a version already recorded keeps its first seen_at.
INSERT INTO article_revisions (article_key, content_hash, title, summary, seen_at)
VALUES (%(key)s, %(content_hash)s, %(title)s, %(summary)s, %(seen_at)s)
ON CONFLICT (article_key, content_hash) DO NOTHING
