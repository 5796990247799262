-- Stories created or changed since the cycle started.
SELECT count(*) FROM stories s JOIN cycles c ON c.id = %(id)s WHERE s.updated_at >= c.started_at
