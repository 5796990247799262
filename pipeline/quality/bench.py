"""Benchmark the gate: a synthetic batch of N articles in a throw-away database on the server.

    python -m pipeline.quality.bench --articles 10000 --bad-fraction 0.01
    newsflow dq bench --articles 10000

The database is created next to the configured one (NEWSFLOW_DATABASE_URL, else the embedded
server), filled with COPY, gated twice (first run, then a retry of the same cycle) and dropped.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pipeline import db
from pipeline.settings import Settings, load_settings

_COMPANIES = ["Northwind", "Helios Grid", "Bluefin Labs", "Kestrel Air", "Ostara Bank"]
_VERBS = ["buys a stake in", "signs a supply deal with", "sues", "partners with", "invests in"]
_TOPICS = ["battery plant", "chip design unit", "payments arm", "cloud region", "rail project"]
# How bad rows are made: (article or mention column, bad value); cycled through.
_BAD_KINDS = ["url", "future", "html", "language", "amount", "currency"]


def run_benchmark(settings: Settings, articles: int, bad_fraction: float) -> dict[str, Any]:
    """Time gate_batch on a fresh batch; returns the figures (seconds, rows, outcome)."""
    server = db.database_url(settings)
    name = f"newsflow_dqbench_{uuid.uuid4().hex[:10]}"
    with db.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(**{**conninfo_to_dict(server), "dbname": name})
    try:
        with tempfile.TemporaryDirectory() as home, db.connect(url, autocommit=True) as conn:
            db.migrate(conn, settings.sql_dir / "migrations")
            bad = _fill(conn, articles, bad_fraction)
            return _time_gate(conn, settings, Path(home), articles, bad)
    finally:
        with db.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _time_gate(
    conn: psycopg.Connection, settings: Settings, home: Path, articles: int, bad: int
) -> dict[str, Any]:
    from pipeline.quality import DataQualityError, gate_batch

    bench_settings = settings.model_copy(update={"home": home, "data_docs_dir": None})
    started = time.perf_counter()
    import great_expectations  # noqa: F401  (timed apart: every new process pays it once)

    gx_import = time.perf_counter() - started
    timings = []
    report = None
    for _ in range(2):  # the first run, then an Airflow-style retry of the same cycle
        started = time.perf_counter()
        try:
            report = gate_batch(conn, bench_settings, "bench-cycle")
        except DataQualityError as exc:
            report = exc.report
        timings.append(time.perf_counter() - started)
    assert report is not None
    return {
        "articles": articles,
        "mentions": 2 * articles,
        "bad_rows_injected": bad,
        "gx_import_s": round(gx_import, 2),
        "gate_s": round(timings[0], 2),
        "gate_retry_s": round(timings[1], 2),
        "gx_validation_s": report.seconds,
        "articles_ok": report.articles_ok,
        "articles_quarantined": report.articles_quarantined,
        "passed": report.success,
    }


def _fill(conn: psycopg.Connection, articles: int, bad_fraction: float) -> int:
    """Feeds, organizations, N articles with one org and one money mention each; returns bad."""
    rng = random.Random(8)
    now = datetime.now(UTC)
    feeds = [(f"feed-{i:02d}", "en" if i % 2 == 0 else "de") for i in range(20)]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO feeds (id, outlet, url, language, poll_interval_s) "
            "VALUES (%s, %s, %s, %s, 600)",
            [(f, f"Outlet {f}", f"https://{f}.example/rss", lang) for f, lang in feeds],
        )
        cur.executemany(
            "INSERT INTO organizations (id, name, source) VALUES (%s, %s, 'registry')",
            [(c.lower().replace(" ", "-"), c) for c in _COMPANIES],
        )
    bad_every = int(1 / bad_fraction) if bad_fraction > 0 else 0
    bad = 0
    with conn.cursor() as cur:
        with cur.copy(
            "COPY articles (key, feed_id, url, canonical_url, title, summary, language, "
            "published_at, first_seen_at, last_seen_at, content_hash) FROM STDIN"
        ) as copy:
            for i in range(articles):
                feed, lang = feeds[i % len(feeds)]
                company, verb, topic = (rng.choice(x) for x in (_COMPANIES, _VERBS, _TOPICS))
                row = {
                    "url": f"https://{feed}.example/a/{i}",
                    "summary": f"{company} said the {topic} talks began in the spring.",
                    "language": lang,
                    "published": now - timedelta(minutes=rng.randint(5, 600)),
                }
                kind = _bad_kind(i, bad_every)
                if kind:
                    bad += 1
                    row.update(_BAD_ARTICLE.get(kind, {}))
                copy.write_row(
                    (
                        f"a{i}",
                        feed,
                        row["url"],
                        row["url"],
                        f"{company} {verb} {rng.choice(_COMPANIES)} {topic} ({i})",
                        row["summary"],
                        row["language"],
                        row["published"] if kind != "future" else now + timedelta(days=2),
                        now,
                        now,
                        f"h{i}",
                    )
                )
        with cur.copy(
            "COPY money_mentions (article_key, start_char, end_char, amount, currency, "
            "qualifier, surface) FROM STDIN"
        ) as copy:
            for i in range(articles):
                kind = _bad_kind(i, bad_every)
                amount = Decimal(0) if kind == "amount" else Decimal(rng.randint(1, 900)) * 10**6
                currency = "XYZ" if kind == "currency" else rng.choice(["USD", "EUR", "GBP"])
                copy.write_row((f"a{i}", 0, 10, amount, currency, "about", "$1 million"))
        with cur.copy(
            "COPY org_mentions (article_key, start_char, end_char, org_id, surface, source) "
            "FROM STDIN"
        ) as copy:
            for i in range(articles):
                company = _COMPANIES[i % len(_COMPANIES)]
                org = company.lower().replace(" ", "-")
                copy.write_row((f"a{i}", 20, 20 + len(company), org, company, "registry"))
    conn.execute("ANALYZE")
    return bad


_BAD_ARTICLE = {
    "url": {"url": "javascript:void(0)"},
    "html": {"summary": "<p>Markets <em>moved</em></p>"},
    "language": {"language": "pt"},
}


def _bad_kind(i: int, bad_every: int) -> str | None:
    if not bad_every or i % bad_every != bad_every - 1:
        return None
    return _BAD_KINDS[(i // bad_every) % len(_BAD_KINDS)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--bad-fraction", type=float, default=0.01)
    args = parser.parse_args(argv)
    figures = run_benchmark(load_settings(), args.articles, args.bad_fraction)
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
