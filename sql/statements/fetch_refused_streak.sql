-- Failed attempts of a feed, up to and including fetch %(id)s, since its last good one (a body
-- parsed without rejection, or a 304): a body the parser refused counts as a failed attempt.
SELECT count(*)
FROM fetches x
WHERE x.feed_id = %(feed_id)s
  AND x.id <= %(id)s
  AND x.id > COALESCE((SELECT max(g.id) FROM fetches g
                       WHERE g.feed_id = %(feed_id)s AND g.id < %(id)s
                         AND (g.outcome = 'not_modified'
                              OR (g.outcome = 'stored' AND g.parsed_at IS NOT NULL
                                  AND g.parse_error IS NULL))), 0)
  AND (x.id = %(id)s OR x.outcome NOT IN ('stored', 'not_modified') OR x.parse_error IS NOT NULL)
