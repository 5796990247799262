-- Insert or update one feed from config; untouched when nothing changed (so re-syncs are no-ops).
-- A feed disabled because its server said 410 Gone stays disabled until its URL changes.
INSERT INTO feeds (id, outlet, url, language, topics, poll_interval_s, enabled, allow_private, in_config)
VALUES (%(id)s, %(outlet)s, %(url)s, %(language)s, %(topics)s, %(poll_interval_s)s, %(enabled)s,
        %(allow_private)s, true)
ON CONFLICT (id) DO UPDATE SET
    outlet = EXCLUDED.outlet,
    url = EXCLUDED.url,
    language = EXCLUDED.language,
    topics = EXCLUDED.topics,
    poll_interval_s = EXCLUDED.poll_interval_s,
    allow_private = EXCLUDED.allow_private,
    in_config = true,
    enabled = CASE WHEN feeds.disabled_reason LIKE 'gone:%%' AND feeds.url = EXCLUDED.url
                   THEN false ELSE EXCLUDED.enabled END,
    disabled_reason = CASE WHEN feeds.disabled_reason LIKE 'gone:%%' AND feeds.url = EXCLUDED.url
                           THEN feeds.disabled_reason
                           WHEN EXCLUDED.enabled THEN NULL ELSE 'disabled in config' END,
    updated_at = now()
WHERE (feeds.outlet, feeds.url, feeds.language, feeds.topics, feeds.poll_interval_s,
       feeds.allow_private, feeds.in_config, feeds.enabled)
      IS DISTINCT FROM
      (EXCLUDED.outlet, EXCLUDED.url, EXCLUDED.language, EXCLUDED.topics, EXCLUDED.poll_interval_s,
       EXCLUDED.allow_private, true,
       CASE WHEN feeds.disabled_reason LIKE 'gone:%%' AND feeds.url = EXCLUDED.url
            THEN false ELSE EXCLUDED.enabled END)
RETURNING id, (xmax = 0) AS inserted
