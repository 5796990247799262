"""What analysts see, on the demo data: views, queries as the read-only role, the HTML report."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.e2e.conftest import QUERIES, as_analyst


def test_there_are_at_least_ten_documented_queries() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "analysts.md").read_text()
    assert len(QUERIES) >= 10
    assert all(q.name in docs for q in QUERIES)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_every_query_returns_rows_as_the_analyst(demo_db_url: str, query: Path) -> None:
    with psycopg.connect(as_analyst(demo_db_url)) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == "newsflow_analyst"
        rows = conn.execute(query.read_text()).fetchall()
    assert rows, f"{query.name} returned no rows on the demo data"


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO feeds (id, outlet, url, language, poll_interval_s) VALUES ('x','x','https://x.example','en',60)",
        "UPDATE articles SET title = 'changed'",
        "DELETE FROM stories",
        "CREATE TABLE analyst_scratch (id int)",
    ],
)
def test_the_analyst_cannot_write(demo_db_url: str, statement: str) -> None:
    with psycopg.connect(as_analyst(demo_db_url)) as conn, pytest.raises(psycopg.Error):
        conn.execute(statement)


def test_amazon_openai_is_one_story_in_both_languages(demo_db_url: str) -> None:
    with psycopg.connect(as_analyst(demo_db_url)) as conn:
        rows = conn.execute(
            "SELECT story_id, languages, outlet_count FROM story_overview "
            "WHERE organization_ids @> ARRAY['amazon', 'openai']"
        ).fetchall()
    assert len(rows) == 1
    _, languages, outlets = rows[0]
    assert languages == ["de", "en"] and outlets >= 6


def test_html_report_renders_titles_and_charts_in_chromium(
    demo_db_url: str, tmp_path: Path
) -> None:
    from pipeline.cli.cmd_report import write_report

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium here: `apt-get install chromium` (CI installs it via make test)")
    report = tmp_path / "report.html"
    with psycopg.connect(demo_db_url) as conn:
        count = write_report(conn, report, since="2d")
    assert count >= 5
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         report.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert "Amazon in talks to invest up to $50 billion in OpenAI" in dom
    assert "Amazon plant Investition von bis zu 50 Milliarden Dollar in OpenAI" in dom
    assert dom.count('<svg class="chart"') == count
    assert 'data-language="de"' in dom and 'data-language="en"' in dom
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile2'}",
         f"--screenshot={screenshot}", "--window-size=1200,1600", report.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert screenshot.stat().st_size > 10_000  # a rendered page, not a blank one
