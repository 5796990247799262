-- Deals no longer in config are disabled, not deleted: their alerts and deliveries stay.
UPDATE tracked_deals
SET in_config = false, enabled = false, updated_at = now()
WHERE in_config AND NOT (id = ANY(%(ids)s))
RETURNING id
