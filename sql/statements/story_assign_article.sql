-- Put an article in a story; untouched when it is already there (re-runs change nothing).
INSERT INTO story_articles (article_key, story_id, method, score)
VALUES (%(article_key)s, %(story_id)s, %(method)s, %(score)s)
ON CONFLICT (article_key) DO UPDATE
    SET story_id = EXCLUDED.story_id, method = EXCLUDED.method, score = EXCLUDED.score,
        joined_at = now()
WHERE story_articles.story_id IS DISTINCT FROM EXCLUDED.story_id
