-- Release an open entry; nothing happens to one already released.
UPDATE quarantine SET released_at = now()
WHERE id = %(id)s AND released_at IS NULL
RETURNING released_at
