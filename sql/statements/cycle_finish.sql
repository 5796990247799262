UPDATE cycles SET status = %(status)s, finished_at = now(), stats = cycles.stats || %(stats)s
WHERE id = %(id)s
