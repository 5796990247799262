-- What analysts query: views over admitted rows (status 'ok'), and a read-only role.

CREATE VIEW story_timeline AS
SELECT sa.story_id,
       a.key            AS article_key,
       f.outlet,
       a.feed_id,
       a.language,
       a.title,
       a.canonical_url  AS url,
       a.published_at,
       a.first_seen_at,
       coalesce(a.published_at, a.first_seen_at) AS reported_at,
       sa.method        AS joined_by
FROM story_articles sa
JOIN articles a ON a.key = sa.article_key AND a.status = 'ok'
JOIN feeds f ON f.id = a.feed_id;

CREATE VIEW story_overview AS
WITH members AS (
    SELECT t.*, row_number() OVER (PARTITION BY t.story_id, t.language
                                   ORDER BY t.reported_at, t.article_key) AS nth_in_language
    FROM story_timeline t
), orgs AS (
    SELECT sa.story_id,
           array_agg(DISTINCT o.name ORDER BY o.name) AS organizations,
           array_agg(DISTINCT coalesce(o.parent_id, o.id) ORDER BY coalesce(o.parent_id, o.id))
               AS organization_ids
    FROM story_articles sa
    JOIN articles a ON a.key = sa.article_key AND a.status = 'ok'
    JOIN org_mentions m ON m.article_key = sa.article_key
    JOIN organizations o ON o.id = m.org_id
    GROUP BY sa.story_id
), amounts AS (
    SELECT sa.story_id,
           array_agg(DISTINCT concat_ws(' ', replace(mm.qualifier, '_', ' '),
                                        trim_scale(mm.amount)::text, mm.currency)) AS amounts,
           max(mm.amount_usd) AS max_amount_usd
    FROM story_articles sa
    JOIN articles a ON a.key = sa.article_key AND a.status = 'ok'
    JOIN money_mentions mm ON mm.article_key = sa.article_key
    GROUP BY sa.story_id
)
SELECT s.id AS story_id,
       s.title,
       max(m.title) FILTER (WHERE m.language = 'en' AND m.nth_in_language = 1) AS title_en,
       max(m.title) FILTER (WHERE m.language = 'de' AND m.nth_in_language = 1) AS title_de,
       array_agg(DISTINCT m.language ORDER BY m.language) AS languages,
       array_agg(DISTINCT m.outlet ORDER BY m.outlet) AS outlets,
       count(DISTINCT m.outlet) AS outlet_count,
       count(*) AS article_count,
       min(m.reported_at) AS first_seen,
       max(m.reported_at) AS last_seen,
       coalesce(o.organizations, '{}') AS organizations,
       coalesce(o.organization_ids, '{}') AS organization_ids,
       coalesce(am.amounts, '{}') AS amounts,
       am.max_amount_usd
FROM stories s
JOIN members m ON m.story_id = s.id
LEFT JOIN orgs o ON o.story_id = s.id
LEFT JOIN amounts am ON am.story_id = s.id
GROUP BY s.id, s.title, o.organizations, o.organization_ids, am.amounts, am.max_amount_usd;

CREATE VIEW deal_tracker AS
SELECT d.id AS deal_id,
       d.name AS deal,
       d.enabled,
       al.story_id,
       s.title AS story_title,
       count(al.id) AS alerts,
       array_agg(DISTINCT al.kind ORDER BY al.kind) AS alert_kinds,
       min(al.created_at) AS first_alert_at,
       max(al.created_at) AS last_alert_at
FROM tracked_deals d
LEFT JOIN alerts al ON al.deal_id = d.id
LEFT JOIN stories s ON s.id = al.story_id
GROUP BY d.id, d.name, d.enabled, al.story_id, s.title;

CREATE VIEW organization_coverage_daily AS
SELECT coalesce(o.parent_id, o.id) AS organization_id,
       coalesce(p.name, o.name) AS organization,
       (coalesce(a.published_at, a.first_seen_at) AT TIME ZONE 'UTC')::date AS day,
       count(DISTINCT a.key) AS articles,
       count(DISTINCT sa.story_id) AS stories,
       array_agg(DISTINCT a.language ORDER BY a.language) AS languages
FROM org_mentions m
JOIN organizations o ON o.id = m.org_id
LEFT JOIN organizations p ON p.id = o.parent_id
JOIN articles a ON a.key = m.article_key AND a.status = 'ok'
LEFT JOIN story_articles sa ON sa.article_key = a.key
GROUP BY 1, 2, 3;

CREATE VIEW feed_health AS
SELECT f.id AS feed_id,
       f.outlet,
       f.language,
       f.enabled,
       f.disabled_reason,
       f.consecutive_failures,
       f.last_success_at,
       f.next_fetch_at,
       f.last_error,
       count(x.id) AS attempts_24h,
       count(x.id) FILTER (WHERE x.outcome IN ('stored', 'not_modified')) AS ok_24h,
       round(count(x.id) FILTER (WHERE x.outcome IN ('stored', 'not_modified'))::numeric
             / nullif(count(x.id), 0), 3) AS success_rate_24h,
       sum(x.bytes) AS bytes_24h
FROM feeds f
LEFT JOIN fetches x ON x.feed_id = f.id AND x.started_at > now() - interval '24 hours'
WHERE f.in_config
GROUP BY f.id;

-- Indexes for the views' joins and filters.
CREATE INDEX IF NOT EXISTS articles_feed ON articles (feed_id);
CREATE INDEX IF NOT EXISTS articles_status ON articles (status);
CREATE INDEX IF NOT EXISTS alerts_deal_story ON alerts (deal_id, story_id);
CREATE INDEX IF NOT EXISTS org_mentions_article ON org_mentions (article_key);
CREATE INDEX IF NOT EXISTS money_mentions_article ON money_mentions (article_key);

-- The read-only analyst role. Roles belong to the whole server, so create it only once; its
-- password is set by the operator (`newsflow db analyst-password`), never by a migration.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'newsflow_analyst') THEN
        CREATE ROLE newsflow_analyst LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END $$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO newsflow_analyst', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO newsflow_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO newsflow_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO newsflow_analyst;
-- Belt and braces: even if someone grants more later, the role's sessions are read-only.
ALTER ROLE newsflow_analyst SET default_transaction_read_only = on;
