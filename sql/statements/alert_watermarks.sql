-- The database clock (one row even without watermarks) and each deal's watermark.
SELECT now() AS db_now, w.deal_id, w.evaluated_until
FROM (SELECT 1) AS one
LEFT JOIN alert_watermarks w ON true
