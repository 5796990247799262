-- Data-quality batches: the articles each cycle's gate validated, so a retried gate re-checks
-- exactly the same rows (and fails or passes the same way) instead of finding nothing pending.
CREATE TABLE dq_batches (
    id         bigserial PRIMARY KEY,
    cycle_id   text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dq_batch_articles (
    batch_id    bigint NOT NULL REFERENCES dq_batches (id) ON DELETE CASCADE,
    article_key text NOT NULL REFERENCES articles (key) ON DELETE CASCADE,
    PRIMARY KEY (batch_id, article_key)
);
CREATE INDEX dq_batch_articles_article ON dq_batch_articles (article_key);

-- The article a quarantined row holds back (itself, or the article a bad mention belongs to);
-- an article stays quarantined while any open entry points at it.
ALTER TABLE quarantine ADD COLUMN article_key text;
CREATE INDEX quarantine_open_by_article ON quarantine (article_key) WHERE released_at IS NULL;
