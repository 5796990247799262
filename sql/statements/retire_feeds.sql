-- Feeds no longer in config are disabled, not deleted: their articles and history stay.
UPDATE feeds
SET in_config = false, enabled = false, disabled_reason = 'removed from config', updated_at = now()
WHERE in_config AND NOT (id = ANY(%(ids)s))
RETURNING id
