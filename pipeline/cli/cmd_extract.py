"""`newsflow extract`, `extract-pending`, `extract-eval`, `extract-bench`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pipeline.cli import add_command, connect, json_lines, out
from pipeline.errors import NewsflowError
from pipeline.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:  # the extraction modules load on demand, keeping `newsflow --help` quick
    from pipeline.extract.extractor import Extractor, TextItem
    from pipeline.extract.organizations import Registry
    from pipeline.records import Extraction

GOLD_DIR = PROJECT_ROOT / "tests" / "data"


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "extract",
        cmd_extract,
        "find organizations and money in TEXT, or in JSON lines {id, language, text} on stdin",
    )
    p.add_argument("text", nargs="?", help="the text; omit to read JSON lines from stdin")
    p.add_argument("--lang", choices=("en", "de"), default="en", help="language of TEXT")

    p = add_command(
        sub, "extract-pending", cmd_extract_pending, "extract stored articles not extracted yet"
    )
    p.add_argument("--limit", type=int, default=None, help="at most this many articles")

    p = add_command(
        sub,
        "extract-eval",
        cmd_extract_eval,
        "precision/recall/F1 per label and language on the gold sets, and amount exact-match",
    )
    p.add_argument("--lang", choices=("en", "de"), action="append", help="only this language")
    p.add_argument("--gold-dir", type=Path, default=GOLD_DIR, help="folder of gold_<lang>.jsonl")
    p.add_argument("--errors", action="store_true", help="also list every wrong sentence")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")

    p = add_command(
        sub,
        "extract-bench",
        cmd_extract_bench,
        "English extraction-stage throughput versus bare nlp.pipe NER on the same texts",
    )
    p.add_argument("--texts", type=Path, help="JSON lines with 'text' (default: English gold)")
    p.add_argument("--items", type=int, default=2000, help="texts per run (repeated to fill)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds; best of each kept")


def _extractor(settings: Settings) -> Extractor:
    from pipeline.extract.extractor import Extractor

    return Extractor.from_settings(settings)


def extraction_json(extraction: Extraction, registry: Registry) -> dict:
    """An Extraction as the JSON object `newsflow extract` prints."""
    from pipeline.extract.money import amount_text

    return {
        "id": extraction.article_key,
        "language": extraction.language,
        "organizations": [
            {
                "id": m.org_id,
                "name": m.name,
                "surface": m.surface,
                "start": m.start,
                "end": m.end,
                "source": m.source,
                "registry": m.org_id in registry,
            }
            for m in extraction.orgs
        ],
        "org_ids": sorted(extraction.org_ids),
        "money": [
            {
                "amount": amount_text(m.amount),
                "currency": m.currency,
                "qualifier": m.qualifier,
                "min": amount_text(m.amount_min),
                "max": amount_text(m.amount_max),
                "amount_usd": amount_text(m.amount_usd),
                "surface": m.surface,
                "start": m.start,
                "end": m.end,
            }
            for m in extraction.money
        ],
        "entities": [
            {"label": e.label, "surface": e.surface, "norm": e.norm, "start": e.start, "end": e.end}
            for e in extraction.entities
        ],
    }


def _stdin_items(stream: TextIO) -> list[TextItem]:
    from pipeline.extract.extractor import TextItem

    items = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise NewsflowError(f"stdin line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise NewsflowError(f"stdin line {number}: expected an object with a 'text' string")
        language = row.get("language") or "en"
        items.append(TextItem(str(row.get("id", number)), str(language), row["text"]))
    return items


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.extract.extractor import TextItem

    if args.text is not None:
        items = [TextItem("text", args.lang, args.text)]
    else:
        if sys.stdin.isatty():
            raise NewsflowError("give TEXT, or pipe JSON lines {id, language, text} to stdin")
        items = _stdin_items(sys.stdin)
    extractor = _extractor(settings)
    json_lines([extraction_json(x, extractor.registry) for x in extractor.extract_texts(items)])
    return 0


def cmd_extract_pending(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.steps.extract import extract_pending

    with connect(settings) as conn:
        conn.autocommit = True
        report = extract_pending(conn, settings, limit=args.limit)
    langs = ", ".join(f"{k} {v}" for k, v in sorted(report.by_language.items())) or "none"
    out.print(
        f"extracted {report.articles} articles ({langs}) in {report.seconds:.1f} s: "
        f"{report.org_mentions} organization, {report.money_mentions} money, "
        f"{report.entity_mentions} person/place mentions; "
        f"{report.discovered_orgs} new discovered organizations"
    )
    return 0


def cmd_extract_eval(args: argparse.Namespace, settings: Settings) -> int:
    from rich.table import Table

    from pipeline.extract.evaluate import evaluate, load_gold

    languages = args.lang or ["en", "de"]
    extractor = _extractor(settings)
    figures: dict[str, dict] = {}
    table = Table("language", "model", "label", "precision", "recall", "F1", "tp/fp/fn")
    for lang in languages:
        items = load_gold(args.gold_dir / f"gold_{lang}.jsonl")
        report = evaluate(extractor, items)[lang]
        loaded = extractor.pipeline(lang)
        model = loaded.name if loaded else "patterns only"
        figures[lang] = {
            "model": model,
            "sentences": report.sentences,
            "amount_exact_match": round(report.amount_exact_match, 4),
            "full_exact_match": round(report.full_exact_match, 4),
            "amount_pairs": report.amount_pairs,
        }
        for label, score in (("ORG", report.org), ("MONEY", report.money)):
            figures[lang][label] = {
                "precision": round(score.precision, 4),
                "recall": round(score.recall, 4),
                "f1": round(score.f1, 4),
                "tp": score.tp,
                "fp": score.fp,
                "fn": score.fn,
            }
            table.add_row(
                lang,
                Path(model).name,
                label,
                f"{score.precision:.3f}",
                f"{score.recall:.3f}",
                f"{score.f1:.3f}",
                f"{score.tp}/{score.fp}/{score.fn}",
            )
        if args.errors:
            for line in report.errors:
                out.print(f"{lang} {line}", markup=False, soft_wrap=True)
    if args.json:
        json_lines([figures])
        return 0
    out.print(table)
    for lang, f in figures.items():
        out.print(
            f"{lang}: {f['sentences']} sentences; amount exact-match {f['amount_exact_match']:.3f} "
            f"(amount and currency, {f['amount_pairs']} matched amounts); with qualifier and "
            f"bounds {f['full_exact_match']:.3f}"
        )
    return 0


def _bench_texts(path: Path | None) -> list[str]:
    source = path or GOLD_DIR / "gold_en.jsonl"
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise NewsflowError(f"{source}: cannot read texts ({exc.strerror})") from None
    texts = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise NewsflowError(f"{source}:{number}: not a JSON line") from None
        if row.get("language", "en") == "en" and isinstance(row.get("text"), str):
            texts.append(row["text"])
    if not texts:
        raise NewsflowError(f"{source}: no English 'text' lines to benchmark on")
    return texts


def cmd_extract_bench(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.extract.extractor import TextItem

    base = _bench_texts(args.texts)
    texts = [base[i % len(base)] for i in range(max(1, args.items))]
    items = [TextItem(str(i), "en", t) for i, t in enumerate(texts)]
    words = sum(len(t.split()) for t in texts)
    extractor = _extractor(settings)
    nlp = extractor.pipeline("en").nlp
    batch = max(1, settings.extract_batch_size)
    extractor.extract_texts(items[:50])  # warm up both paths before timing

    def bare() -> None:
        for _ in nlp.pipe(texts, batch_size=batch):
            pass

    def stage() -> None:
        extractor.extract_texts(items)

    # Wall time and this process's CPU time: on a shared machine CPU time is the steadier one.
    best = {name: [float("inf"), float("inf")] for name in ("bare", "stage")}
    for _ in range(max(1, args.rounds)):
        for name, run in (("bare", bare), ("stage", stage)):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
    out.print(
        f"{len(texts)} English texts ({words / len(texts):.0f} words each on average), "
        f"model {extractor.pipeline('en').name} with components {nlp.pipe_names}, "
        f"batch {batch}, best of {args.rounds} rounds"
    )
    for name, label in (("bare", "bare nlp.pipe (NER only)"), ("stage", "extraction stage")):
        wall, cpu = best[name]
        out.print(
            f"{label:26} {len(texts) / wall:8.1f} items/s {words / wall:9.0f} words/s "
            f"({wall:.2f} s wall, {cpu:.2f} s CPU)"
        )
    for kind, index in (("wall", 0), ("CPU", 1)):
        ratio = best["stage"][index] / best["bare"][index]
        verdict = "within" if ratio <= 1.25 else "OVER"
        out.print(f"stage / bare ({kind} time) = {ratio:.3f}x ({verdict} the 1.25x target)")
    return 0
