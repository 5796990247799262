"""Story clustering commands: `newsflow cluster FILE.jsonl`, `newsflow cluster-eval` (quality on
the gold set) and `newsflow cluster-bench` (per-article cost against growing stored stories)."""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.table import Table

from pipeline.cli import add_command, json_lines, out
from pipeline.errors import ConfigError
from pipeline.settings import PROJECT_ROOT, Settings

GOLD_PATH = PROJECT_ROOT / "tests" / "data" / "stories_gold.jsonl"  # as pipeline.cluster_eval


def cmd_cluster_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import cluster_eval

    items = cluster_eval.load_gold(args.gold)
    window = timedelta(hours=args.window_hours or settings.story_window_hours)
    report = cluster_eval.evaluate(items, window, arrival_seed=args.shuffle)
    if args.json:
        json_lines([report.as_dict()])
        return 0
    languages = sorted({g.article.language for g in items})
    share = {
        lang: sum(g.article.language == lang for g in items) / len(items) for lang in languages
    }
    order = f"arrival shuffled (seed {args.shuffle})" if args.shuffle is not None else "in order"
    out.print(
        f"{args.gold}: {report.articles} articles ("
        + ", ".join(f"{lang} {share[lang]:.0%}" for lang in languages)
        + f"), {report.gold_stories} gold stories, {report.predicted_stories} predicted; "
        f"window {window.total_seconds() / 3600:g} h, {order}"
    )
    table = Table("measure", "precision", "recall", "F1")
    for name, prf in (("B-cubed", report.bcubed), ("pairwise", report.pairwise)):
        table.add_row(name, f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}")
    table.add_row(
        f"cross-lingual pairs ({report.cross_lingual_pairs})",
        "",
        f"{report.cross_lingual_recall:.3f}",
        "",
    )
    for topic, prf in sorted(report.by_topic.items()):
        table.add_row(
            f"  B-cubed, {topic}", f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}"
        )
    out.print(table)
    kept = report.hard_negative_groups - len({v.split(":")[0] for v in report.violations})
    out.print(f"hard-negative groups kept apart: {kept} of {report.hard_negative_groups}")
    for violation in report.violations:
        out.print(f"  [red]joined[/]: {violation}")
    return 0


def cmd_cluster_bench(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import cluster_bench

    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        raise ConfigError(f"--sizes must be comma-separated integers, got {args.sizes!r}") from None
    rows = []
    table = Table("stored stories", "stored articles", "ms/article", "CPU ms/article",
                  "candidates scored/article", "× per doubling (CPU)")  # fmt: skip
    previous = None
    for n in sizes:
        row = cluster_bench.measure(n, probe=args.probe)
        growth = ""
        if previous is not None and n > previous[0]:
            doublings = math.log2(n / previous[0])
            ratio = row["cpu_ms_per_article"] / previous[1]
            growth = f"{ratio ** (1 / doublings):.2f}"
        previous = (n, row["cpu_ms_per_article"])
        rows.append(row)
        table.add_row(
            f"{row['stored_stories']:,}", f"{row['stored_articles']:,}",
            f"{row['ms_per_article']:.2f}", f"{row['cpu_ms_per_article']:.2f}",
            f"{row['candidates_scored_per_article']:.1f}", growth,
        )  # fmt: skip
    if args.json:
        json_lines(rows)
    else:
        out.print(table)
    return 0


def read_articles(path: Path) -> list[dict]:
    """Lines of {"id", "language", "title", "summary", optional "published", "outlet"}."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg}); fix the line") from None
        if not isinstance(row, dict):
            raise ConfigError(f"{where}: each line must be a JSON object")
        for name in ("id", "language", "title"):
            if not isinstance(row.get(name), str) or not row[name].strip():
                raise ConfigError(f"{where}: field {name!r} must be a non-empty string")
        if row.get("published") is not None:
            try:
                when = datetime.fromisoformat(str(row["published"]))
            except ValueError:
                raise ConfigError(
                    f"{where}: field 'published' must be an ISO 8601 time, got {row['published']!r}"
                ) from None
            row["published"] = when if when.tzinfo else when.replace(tzinfo=UTC)
        rows.append(row)
    ids = [r["id"] for r in rows]
    if len(ids) != len(set(ids)):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ConfigError(f"{path}: id {dup!r} appears more than once; ids must be unique")
    return rows


def cmd_cluster(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import cluster
    from pipeline.extract.extractor import Extractor
    from pipeline.records import Article
    from pipeline.steps.cluster import require_no_embeddings

    require_no_embeddings(settings)
    rows = read_articles(args.file)
    now = datetime.now(UTC)
    articles, times = [], {}
    for r in rows:
        text = f"{r['title']}\n{r.get('summary') or ''}"
        url = f"urn:newsflow:{r['id']}"
        articles.append(
            Article(
                key=r["id"], feed_id=r.get("outlet") or "cli", url=url, canonical_url=url,
                title=r["title"], summary=r.get("summary") or "", language=r["language"],
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                published_at=r.get("published"),
            )
        )  # fmt: skip
        times[r["id"]] = r.get("published") or now
    extractor = Extractor.from_settings(settings)
    roots = {o: extractor.registry.ancestors(o)[-1] for o in extractor.registry.by_id
             if extractor.registry.ancestors(o)}  # fmt: skip
    extractions = extractor.extract(articles)
    index = cluster.StoryIndex(timedelta(hours=settings.story_window_hours))
    position = {a.key: i for i, a in enumerate(articles)}
    pairs = sorted(zip(articles, extractions, strict=True),
                   key=lambda p: (times[p[0].key], position[p[0].key]))  # fmt: skip
    for article, extraction in pairs:
        index.assign(cluster.evidence_of(article, extraction, times[article.key], roots))
    final = index.partition()
    json_lines([{"id": a.key, "story": final[a.key]} for a in articles])
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "cluster", cmd_cluster,
        "extract and cluster articles from a JSONL file (no database); prints id and story",
    )  # fmt: skip
    p.add_argument("file", type=Path, help='lines of {"id", "language", "title", "summary", '
                   '"published" (optional), "outlet" (optional)}')  # fmt: skip

    help_ = "clustering quality on the gold set: B-cubed, pairwise, cross-lingual recall"
    p = add_command(sub, "cluster-eval", cmd_cluster_eval, help_)
    p.add_argument(
        "--gold", type=Path, default=GOLD_PATH, help="gold JSONL (default: the test set)"
    )
    p.add_argument("--window-hours", type=int, help="story window (default: the setting)")
    p.add_argument("--shuffle", type=int, metavar="SEED",
                   help="let articles arrive up to 12 h late in a random order")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the figures as one JSON line")

    help_ = "per-article clustering cost with N stories stored (synthetic stream)"
    p = add_command(sub, "cluster-bench", cmd_cluster_bench, help_)
    sizes = "10000,20000,50000,100000"
    p.add_argument("--sizes", default=sizes, help=f"stored-story counts (default {sizes})")
    p.add_argument("--probe", type=int, default=1000, help="new articles timed per size")
    p.add_argument("--json", action="store_true", help="one JSON line per size")
