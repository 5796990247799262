-- The feed's fetch state after an attempt. enabled NULL means "leave it": only a 410 disables.
UPDATE feeds SET
    next_fetch_at = %(next_fetch_at)s,
    consecutive_failures = %(consecutive_failures)s,
    etag = %(etag)s,
    last_modified = %(last_modified)s,
    enabled = COALESCE(%(enabled)s::boolean, enabled),
    disabled_reason = CASE WHEN %(enabled)s::boolean IS NULL THEN disabled_reason
                           ELSE %(disabled_reason)s END,
    last_status = %(last_status)s,
    last_error = %(last_error)s,
    last_fetch_at = %(last_fetch_at)s,
    last_success_at = COALESCE(%(last_success_at)s, last_success_at),
    updated_at = now()
WHERE id = %(feed_id)s
