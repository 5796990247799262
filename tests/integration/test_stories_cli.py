"""The clustering commands as a user runs them: cluster, cluster-eval and cluster-bench."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import cluster_eval
from tests.integration.test_cli_foundation import run


def test_cluster_eval_prints_the_quality_figures() -> None:
    result = run(["cluster-eval"])
    assert result.returncode == 0, result.stderr
    assert "B-cubed" in result.stdout and "cross-lingual pairs" in result.stdout
    assert "hard-negative groups kept apart: 23 of 23" in result.stdout

    as_json = run(["cluster-eval", "--json"])
    figures = json.loads(as_json.stdout)
    assert figures["bcubed"]["f1"] >= 0.95 and figures["hard_negative_violations"] == []


def test_cluster_reads_articles_extracts_and_prints_their_stories(tmp_path: Path) -> None:
    """Real extraction (spaCy and the organization registry), then clustering, no database."""
    wanted = {"amzn-openai-talks", "amzn-anthropic-4bn", "meta-louisiana-50bn"}
    items = [g for g in cluster_eval.load_gold() if g.story in wanted]
    lines = [
        json.dumps({"id": g.article.key, "language": g.article.language, "title": g.article.title,
                    "summary": g.article.summary, "published": g.at.isoformat(),
                    "outlet": g.outlet}, ensure_ascii=False)
        for g in items
    ]  # fmt: skip
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run(["cluster", str(path)])
    assert result.returncode == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["id"] for p in printed] == [g.article.key for g in items]
    story = {p["id"]: p["story"] for p in printed}
    by_gold = {s: {story[g.article.key] for g in items if g.story == s} for s in wanted}
    assert all(len(v) == 1 for v in by_gold.values()), by_gold
    assert len(set().union(*by_gold.values())) == 3


def test_cluster_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "a", "language": "en", "title": "Fine"}\n{"id": "b", "language": "en"}\n'
    )
    result = run(["cluster", str(path)])
    assert result.returncode == 2
    assert "bad.jsonl:2: field 'title' must be a non-empty string" in result.stderr
    assert "Traceback" not in result.stderr


def test_cluster_bench_reports_cost_per_size() -> None:
    result = run(["cluster-bench", "--sizes", "300,600", "--probe", "60", "--json"])
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["stored_stories"] for r in rows] == [300, 600]
    assert all(r["probe_articles"] == 60 and r["cpu_ms_per_article"] > 0 for r in rows)


def test_asking_for_embeddings_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text('{"id": "a", "language": "en", "title": "Amazon in talks with OpenAI"}\n')
    result = run(["cluster", str(path)], NEWSFLOW_USE_EMBEDDINGS="true")
    assert result.returncode == 2
    assert "unset NEWSFLOW_USE_EMBEDDINGS" in result.stderr and "Traceback" not in result.stderr
