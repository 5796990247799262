-- Every pending article joins the batch; rows already in it stay (a retry re-checks them).
INSERT INTO dq_batch_articles (batch_id, article_key)
SELECT %(batch_id)s, a.key FROM articles a WHERE a.status = 'pending'
ON CONFLICT DO NOTHING
