-- Every pending article whose extraction is done joins the batch (so its mentions are checked
-- with it, even when another cycle is still extracting); rows already in it stay (a retry
-- re-checks them).
INSERT INTO dq_batch_articles (batch_id, article_key)
SELECT %(batch_id)s, a.key FROM articles a
WHERE a.status = 'pending' AND a.extracted_at IS NOT NULL
ON CONFLICT DO NOTHING
