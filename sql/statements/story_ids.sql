-- Ids of stories by key.
SELECT story_key, id FROM stories WHERE story_key = ANY(%(keys)s)
