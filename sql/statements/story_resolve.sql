-- The live story for an id an analyst may have saved (itself if never merged).
SELECT story_current_id(%(id)s)
