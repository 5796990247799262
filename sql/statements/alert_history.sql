SELECT kind, detail, payload
FROM alerts
WHERE deal_id = %(deal_id)s AND story_id = %(story_id)s
ORDER BY id
