"""Every file of the feedparser test corpus and of the real-feed snapshots goes through the parser
within a time and memory budget and ends in articles, an empty feed, or a recorded rejection.

Counts on the corpora as shipped (2,108 feedparser-corpus files including its LICENSE; 12 real
feeds plus a README):
- feedparser-corpus: 557 files give 576 articles; 636 files hold only entries that cannot be
  articles (no title, summary or http(s) link: most corpus files test one element such as an
  author), 638 such entries in all, each skipped with its reason (the parse step quarantines
  them); 903 are feeds without entries; 12 are rejected, each for a stated reason (below);
- feeds-real: 12 feeds give 386 articles (after collapsing 14 duplicate guids in cnn_2013.xml),
  the README is rejected.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipeline.parse import parse_feed
from tests.conftest import shared_data

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = shared_data()
CORPUS = DATA / "feedparser-corpus"
REAL = DATA / "feeds-real"
HEADER = re.compile(rb"^Header:\s*Content-type:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
MB = 1024 * 1024

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir() or not REAL.is_dir(), reason=f"corpora not present under {DATA}"
)

EXPECTED_CORPUS_REJECTIONS = {
    "LICENSE": "not an RSS or Atom feed",
    "illformed/rss_empty_document.xml": "not an RSS or Atom feed (root element no element)",
    "json/example.json": "a JSON document",
    "wellformed/rdf/doctype_contains_entity_decl.xml": "DOCTYPE with an internal subset",
    "wellformed/rss/entity_in_doctype.xml": "DOCTYPE with an internal subset",
    # Channel Definition Format documents (root <channel>, no version): not RSS or Atom.
    **{
        f"wellformed/cdf/{name}.xml": "not an RSS or Atom feed (root element <channel>)"
        for name in (
            "channel_abstract_map_description",
            "channel_abstract_map_tagline",
            "channel_href_map_link",
            "channel_href_map_links",
            "channel_lastmod",
            "channel_lastmod_parsed",
            "channel_title",
        )
    },
}


def run_corpus(root: Path, language_of) -> dict:
    """Parse every file under `root` in this process; tallies, rejections, time and memory."""
    process = psutil.Process()
    gc.collect()
    baseline = process.memory_info().rss
    peak = baseline
    tally = {"files": 0, "with_articles": 0, "only_skipped_entries": 0, "no_entries": 0}
    tally |= {"rejected": 0, "articles": 0, "skipped_entries": 0}
    rejected: dict[str, str] = {}
    slowest = (0.0, "")
    started = time.perf_counter()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        body = path.read_bytes()
        header = HEADER.search(body[:2048])  # corpus files note the Content-Type they test
        content_type = header[1].decode("latin-1") if header else None
        t = time.perf_counter()
        result = parse_feed(body, "corpus", language_of(path), content_type=content_type)
        slowest = max(slowest, (time.perf_counter() - t, path.name))
        tally["files"] += 1
        if result.rejected:
            tally["rejected"] += 1
            rejected[path.relative_to(root).as_posix()] = result.rejected
        elif result.articles:
            tally["with_articles"] += 1
        elif result.skipped:
            tally["only_skipped_entries"] += 1  # each with its reason, quarantined by the step
        else:
            tally["no_entries"] += 1
        tally["articles"] += len(result.articles)
        tally["skipped_entries"] += len(result.skipped)
        peak = max(peak, process.memory_info().rss)
    return {
        "tally": tally,
        "rejected": rejected,
        "seconds": time.perf_counter() - started,
        "slowest": slowest,
        "grown_mb": (peak - baseline) / MB,
    }


def test_feedparser_corpus_within_budget() -> None:
    run = run_corpus(CORPUS, lambda _path: None)
    print(f"\nfeedparser-corpus: {run['tally']} in {run['seconds']:.1f} s, "
          f"slowest {run['slowest'][0]:.2f} s ({run['slowest'][1]}), RSS +{run['grown_mb']:.0f} MB")  # fmt: skip
    assert run["tally"] == {
        "files": 2108,
        "with_articles": 557,
        "only_skipped_entries": 636,
        "no_entries": 903,
        "rejected": 12,
        "articles": 576,
        "skipped_entries": 638,  # entries with no title, summary or link, e.g. author-only tests
    }
    assert set(run["rejected"]) == set(EXPECTED_CORPUS_REJECTIONS)
    for name, reason in run["rejected"].items():
        assert reason.startswith(EXPECTED_CORPUS_REJECTIONS[name]), (name, reason)
    assert run["seconds"] < 120, "budget: two minutes for 2,108 files on a busy 2-core machine"
    assert run["slowest"][0] < 10
    assert run["grown_mb"] < 200


def test_real_feeds_within_budget() -> None:
    run = run_corpus(
        REAL, lambda path: path.parent.name if path.parent.name in ("en", "de") else None
    )
    print(f"\nfeeds-real: {run['tally']} in {run['seconds']:.1f} s, RSS +{run['grown_mb']:.0f} MB")
    assert run["tally"] == {
        "files": 13,
        "with_articles": 12,
        "only_skipped_entries": 0,
        "no_entries": 0,
        "rejected": 1,
        "articles": 386,
        "skipped_entries": 0,
    }
    assert list(run["rejected"]) == ["README.txt"]
    assert run["seconds"] < 60 and run["grown_mb"] < 200


def newsflow(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        env={**os.environ, "NEWSFLOW_DATABASE_URL": "postgresql://unused@127.0.0.1:1/none"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_real_feed_through_the_cli_prints_json_lines() -> None:
    done = newsflow("parse", str(REAL / "de" / "golem_2018-12.xml"), "--language", "de", "-q")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 40
    assert {r["language"] for r in rows} == {"de"}
    assert all(r["url"].startswith("https://www.golem.de/") for r in rows)
    assert any("ü" in r["title"] or "ä" in r["title"] or "ö" in r["title"] for r in rows)
    assert done.stderr.strip().endswith("40 entries -> 40 articles, 0 skipped, 0 duplicates")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (CORPUS / "json" / "example.json", "a JSON document, not an RSS or Atom feed"),
        (
            CORPUS / "wellformed" / "rss" / "entity_in_doctype.xml",
            "DOCTYPE with an internal subset",
        ),
        (CORPUS / "illformed" / "rss_empty_document.xml", "not an RSS or Atom feed"),
    ],
)
def test_rejected_documents_through_the_cli_exit_2_with_one_line(path: Path, reason: str) -> None:
    done = newsflow("parse", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"newsflow: {path}: rejected: {reason}")


def test_missing_file_through_the_cli() -> None:
    done = newsflow("parse", "/nonexistent/feed.xml")
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "newsflow: /nonexistent/feed.xml: cannot read (No such file or directory)"
    )
