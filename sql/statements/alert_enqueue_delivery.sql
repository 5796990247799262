INSERT INTO alert_deliveries (alert_id, channel)
VALUES (%(alert_id)s, %(channel)s)
ON CONFLICT (alert_id, channel) DO NOTHING
