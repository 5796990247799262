-- One stored fetch with what parsing needs: the body, how it was served, the feed's language.
SELECT x.id, x.feed_id, x.cycle_id, x.started_at, x.body_gz, x.content_type, x.final_url,
       f.url, f.language
FROM fetches x JOIN feeds f ON f.id = x.feed_id
WHERE x.id = %(id)s
