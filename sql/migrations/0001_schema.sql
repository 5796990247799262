-- newsflow schema v1: every table of the mission, with natural keys carrying the dedup guarantees.

-- Feeds and their fetch state ------------------------------------------------------------------
CREATE TABLE feeds (
    id                   text PRIMARY KEY,              -- from config/feeds.yaml
    outlet               text NOT NULL,
    url                  text NOT NULL,
    language             text NOT NULL,                 -- ISO 639-1, e.g. en, de
    topics               text[] NOT NULL DEFAULT '{}',
    poll_interval_s      integer NOT NULL CHECK (poll_interval_s > 0),
    allow_private        boolean NOT NULL DEFAULT false, -- lets tests/demo fetch from loopback
    enabled              boolean NOT NULL DEFAULT true,
    disabled_reason      text,
    in_config            boolean NOT NULL DEFAULT true,  -- false once removed from feeds.yaml
    etag                 text,
    last_modified        text,
    next_fetch_at        timestamptz NOT NULL DEFAULT now(),
    consecutive_failures integer NOT NULL DEFAULT 0,
    last_status          text,
    last_error           text,
    last_fetch_at        timestamptz,
    last_success_at      timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feeds_due ON feeds (next_fetch_at) WHERE enabled;

-- One row per HTTP attempt; 200 bodies kept compressed until retain_until so cycles can be replayed.
CREATE TABLE fetches (
    id            bigserial PRIMARY KEY,
    feed_id       text NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    cycle_id      text,
    started_at    timestamptz NOT NULL,
    duration_ms   integer NOT NULL,
    outcome       text NOT NULL,                        -- stored, not_modified, retry_later, failed, gone, rejected
    http_status   integer,
    bytes         bigint NOT NULL DEFAULT 0,
    error         text,
    final_url     text,
    content_type  text,
    body_gz       bytea,
    body_sha256   text,
    retain_until  timestamptz,
    parsed_at     timestamptz,
    parse_error   text
);
CREATE INDEX fetches_feed_time ON fetches (feed_id, started_at DESC);
CREATE INDEX fetches_retention ON fetches (retain_until) WHERE body_gz IS NOT NULL;

-- Ingest cycles (one Airflow run or one `newsflow run`): the batch unit of validation.
CREATE TABLE cycles (
    id          text PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running',        -- running, succeeded, failed
    stats       jsonb NOT NULL DEFAULT '{}'
);

-- Articles -------------------------------------------------------------------------------------
CREATE TABLE articles (
    key             text PRIMARY KEY,                   -- stable: guid, else canonical link, else content hash
    feed_id         text NOT NULL REFERENCES feeds (id),-- first feed it was seen in
    guid            text,
    url             text NOT NULL,
    canonical_url   text NOT NULL,
    title           text NOT NULL,
    summary         text NOT NULL DEFAULT '',
    authors         text[] NOT NULL DEFAULT '{}',
    language        text NOT NULL,
    feed_language   text,
    published_at    timestamptz,
    published_raw   text,
    first_seen_at   timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    content_hash    text NOT NULL,
    fetch_id        bigint REFERENCES fetches (id) ON DELETE SET NULL,
    cycle_id        text,
    status          text NOT NULL DEFAULT 'pending'     -- pending -> ok | quarantined (data quality)
                    CHECK (status IN ('pending', 'ok', 'quarantined')),
    extracted_at    timestamptz,
    clustered_at    timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX articles_canonical_url ON articles (canonical_url);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_published ON articles (published_at);
CREATE INDEX articles_first_seen ON articles (first_seen_at);
CREATE INDEX articles_cycle ON articles (cycle_id);

-- The same article seen in several feeds is one article with several sightings.
CREATE TABLE article_sightings (
    article_key   text NOT NULL REFERENCES articles (key) ON DELETE CASCADE,
    feed_id       text NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    PRIMARY KEY (article_key, feed_id)
);

-- Edits of an article after it was first seen (title or summary rewritten by the outlet).
CREATE TABLE article_revisions (
    article_key  text NOT NULL REFERENCES articles (key) ON DELETE CASCADE,
    content_hash text NOT NULL,
    title        text NOT NULL,
    summary      text NOT NULL,
    seen_at      timestamptz NOT NULL,
    PRIMARY KEY (article_key, content_hash)
);

-- Organizations and mentions ----------------------------------------------------------------------
CREATE TABLE organizations (
    id            text PRIMARY KEY,                     -- registry id, or normalized key when discovered
    name          text NOT NULL,
    source        text NOT NULL CHECK (source IN ('registry', 'discovered')),
    parent_id     text REFERENCES organizations (id) DEFERRABLE INITIALLY DEFERRED,
    kind          text,
    tickers       text[] NOT NULL DEFAULT '{}',
    aliases       jsonb NOT NULL DEFAULT '{}',          -- {"en": [...], "de": [...]}
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE org_mentions (
    article_key text NOT NULL REFERENCES articles (key) ON DELETE CASCADE,
    start_char  integer NOT NULL,
    end_char    integer NOT NULL,
    org_id      text NOT NULL REFERENCES organizations (id),
    surface     text NOT NULL,
    source      text NOT NULL CHECK (source IN ('registry', 'model')),
    PRIMARY KEY (article_key, start_char, end_char)
);
CREATE INDEX org_mentions_org ON org_mentions (org_id);

-- People and places: language-independent evidence for cross-lingual story matching.
CREATE TABLE entity_mentions (
    article_key text NOT NULL REFERENCES articles (key) ON DELETE CASCADE,
    start_char  integer NOT NULL,
    end_char    integer NOT NULL,
    label       text NOT NULL,                          -- PER, LOC
    norm        text NOT NULL,                          -- case/diacritics folded
    surface     text NOT NULL,
    PRIMARY KEY (article_key, start_char, end_char)
);
CREATE INDEX entity_mentions_norm ON entity_mentions (label, norm);

CREATE TABLE money_mentions (
    article_key text NOT NULL REFERENCES articles (key) ON DELETE CASCADE,
    start_char  integer NOT NULL,
    end_char    integer NOT NULL,
    amount      numeric NOT NULL,                       -- in units (50e9 for "$50 billion")
    currency    char(3) NOT NULL,                       -- ISO 4217
    qualifier   text,                                   -- up_to, about, more_than, less_than, nearly, range
    amount_min  numeric,
    amount_max  numeric,
    amount_usd  numeric,
    surface     text NOT NULL,
    PRIMARY KEY (article_key, start_char, end_char)
);
CREATE INDEX money_mentions_usd ON money_mentions (amount_usd);

-- Stories -------------------------------------------------------------------------------------------
CREATE TABLE stories (
    id            bigserial PRIMARY KEY,
    story_key     text NOT NULL UNIQUE,                 -- key of the founding article: deterministic
    title         text NOT NULL,
    languages     text[] NOT NULL DEFAULT '{}',
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    article_count integer NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stories_last_seen ON stories (last_seen_at);

-- Each article belongs to exactly one story.
CREATE TABLE story_articles (
    article_key text PRIMARY KEY REFERENCES articles (key) ON DELETE CASCADE,
    story_id    bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    method      text NOT NULL,                          -- founder, exact, near_duplicate, same_event
    score       real,
    joined_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_articles_story ON story_articles (story_id);

-- Tracked deals and alerts ------------------------------------------------------------------------
CREATE TABLE tracked_deals (
    id              text PRIMARY KEY,
    name            text NOT NULL,
    parties         text[] NOT NULL DEFAULT '{}',       -- organization ids
    keywords        jsonb NOT NULL DEFAULT '{}',        -- {"en": [...], "de": [...]}
    min_amount_usd  numeric,
    channels        text[] NOT NULL DEFAULT '{}',
    enabled         boolean NOT NULL DEFAULT true,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Exactly one alert per (deal, story, kind, detail), whatever the retries.
CREATE TABLE alerts (
    id         bigserial PRIMARY KEY,
    deal_id    text NOT NULL REFERENCES tracked_deals (id) ON DELETE CASCADE,
    story_id   bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('breaking', 'new_language', 'new_amount', 'escalation')),
    detail     text NOT NULL DEFAULT '',
    payload    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (deal_id, story_id, kind, detail)
);

-- Outbox: one row per alert and channel, retried with backoff independently of other channels.
CREATE TABLE alert_deliveries (
    alert_id        bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    channel         text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status = 'pending';

-- Data quality ---------------------------------------------------------------------------------------
CREATE TABLE dq_results (
    id          bigserial PRIMARY KEY,
    cycle_id    text NOT NULL,
    suite       text NOT NULL,
    success     boolean NOT NULL,
    severity    text NOT NULL DEFAULT 'critical' CHECK (severity IN ('critical', 'warning')),
    statistics  jsonb NOT NULL DEFAULT '{}',
    results     jsonb NOT NULL DEFAULT '[]',
    run_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, suite)
);

CREATE TABLE quarantine (
    id             bigserial PRIMARY KEY,
    table_name     text NOT NULL,
    row_key        text NOT NULL,
    expectation    text NOT NULL,
    failed_value   text,
    reason         text NOT NULL,
    row_data       jsonb NOT NULL DEFAULT '{}',
    cycle_id       text,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    UNIQUE (table_name, row_key, expectation)
);
