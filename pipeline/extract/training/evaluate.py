"""How good a German NER model is: held-out corpus parts and the German gold set.

`python -m pipeline.extract.training.evaluate [--model PATH] [--data DIR] [--gold FILE]`
rebuilds the held-out sets from the corpora (same split as train.py), prints per-label
P/R/F1, then scores German organizations on the gold set (tests/data/gold_de.jsonl) twice
through the extraction stage: registry patterns only, and patterns with the model on top.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.extract.training.corpus import LABELS
from pipeline.settings import PROJECT_ROOT, Settings

GOLD_DE = PROJECT_ROOT / "tests" / "data" / "gold_de.jsonl"

HELDOUT_SETS = {
    "germeval_test": "test_germeval.spacy",  # GermEval source groups never trained on
    "ler_test": "test_ler.spacy",  # LER test file (court decisions, sentence-shuffled)
}


def score_docbin(nlp, path: Path) -> dict:
    """Micro and per-label entity P/R/F1 of `nlp` on the reference docs in a DocBin."""
    from spacy.tokens import DocBin
    from spacy.training import Example

    refs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(ref.text), ref) for ref in refs]
    scores = nlp.evaluate(examples, batch_size=256)
    per_type = scores.get("ents_per_type") or {}
    gold_counts = {label: 0 for label in LABELS}
    for ref in refs:
        for ent in ref.ents:
            gold_counts[ent.label_] = gold_counts.get(ent.label_, 0) + 1
    return {
        "sentences": len(refs),
        "all": _prf(scores["ents_p"], scores["ents_r"], scores["ents_f"]),
        **{
            label: {
                **_prf(**per_type.get(label, {"p": 0, "r": 0, "f": 0})),
                "gold": gold_counts[label],
            }
            for label in LABELS
        },
    }


def _prf(p: float, r: float, f: float) -> dict:
    return {"p": round(p or 0.0, 4), "r": round(r or 0.0, 4), "f": round(f or 0.0, 4)}


def heldout_scores(model: Path, work: Path) -> dict:
    """Scores on every held-out DocBin in `work` (written by train.build_corpus)."""
    import spacy

    nlp = spacy.load(model)
    return {name: score_docbin(nlp, work / fname) for name, fname in HELDOUT_SETS.items()}


def format_scores(scores: dict) -> str:
    """A plain-text table: one row per held-out set and label."""
    lines = [f"{'set':<15}{'label':<6}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}"]
    for name, sc in scores.items():
        for label in (*LABELS, "all"):
            row = sc[label]
            gold = row.get("gold", sum(sc[lab]["gold"] for lab in LABELS))
            lines.append(
                f"{name:<15}{label:<6}{row['p']:>7.3f}{row['r']:>7.3f}{row['f']:>7.3f}{gold:>7}"
            )
    return "\n".join(lines)


def gold_org_scores(model: Path, gold: Path, settings: Settings) -> dict:
    """ORG P/R/F1 on the German gold set, three ways, scored by pipeline.extract.evaluate.

    - registry_only: the registry's name patterns alone (no model, no discovery cues);
    - patterns_only: the Extractor without a German model (registry plus discovery cues);
    - patterns_and_model: the Extractor with `model` on top, as `newsflow extract-eval`.
    """
    import spacy

    from pipeline.extract.evaluate import Score, evaluate, load_gold
    from pipeline.extract.extractor import Extractor
    from pipeline.extract.organizations import OrgMatcher, load_registry
    from pipeline.extract.pipelines import LoadedPipeline

    items = [i for i in load_gold(gold) if i.language == "de"]
    registry = load_registry(settings.config_dir / "organizations.yaml")
    scores: dict[str, Score] = {"registry_only": Score()}
    matcher = OrgMatcher(registry)
    for item in items:
        predicted = {m.org_id for m in matcher.find(item.text, "de")}
        scores["registry_only"].tp += len(predicted & item.org_ids)
        scores["registry_only"].fp += len(predicted - item.org_ids)
        scores["registry_only"].fn += len(item.org_ids - predicted)
    runs = {
        "patterns_only": None,
        "patterns_and_model": LoadedPipeline(spacy.load(model), str(model)),
    }
    for name, pipeline in runs.items():
        extractor = Extractor(registry, settings, pipelines={"de": pipeline})
        scores[name] = evaluate(extractor, items)["de"].org
    shown = (
        gold.resolve().relative_to(PROJECT_ROOT)
        if gold.resolve().is_relative_to(PROJECT_ROOT)
        else gold
    )
    result: dict = {"gold": str(shown), "sentences": len(items)}
    for name, org in scores.items():
        result[name] = {
            **_prf(org.precision, org.recall, org.f1),
            "tp": org.tp,
            "fp": org.fp,
            "fn": org.fn,
        }
    return result


def format_gold(scores: dict) -> str:
    lines = [f"German ORG on {scores['gold']} ({scores['sentences']} sentences)"]
    for name in ("registry_only", "patterns_only", "patterns_and_model"):
        row = scores[name]
        lines.append(
            f"  {name:<20} P {row['p']:.3f}  R {row['r']:.3f}  F1 {row['f']:.3f}  "
            f"tp/fp/fn {row['tp']}/{row['fp']}/{row['fn']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from pipeline.extract.training import train

    parser = argparse.ArgumentParser(prog="python -m pipeline.extract.training.evaluate")
    parser.add_argument("--model", type=Path, default=train.SHIPPED)
    parser.add_argument("--data", type=Path, default=train.DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder for DocBins")
    parser.add_argument("--gold", type=Path, default=GOLD_DE, help="German gold set (JSON lines)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    from pipeline.errors import NewsflowError
    from pipeline.settings import load_settings

    settings = load_settings()
    work = args.work or settings.home / "de-ner-eval"
    try:
        train.build_corpus(args.data, work)
        scores = {"heldout": heldout_scores(args.model, work)}
        if args.gold.is_file():
            scores["gold_de"] = gold_org_scores(args.model, args.gold, settings)
    except NewsflowError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(scores, indent=2))
        return 0
    print(format_scores(scores["heldout"]))
    print(format_gold(scores["gold_de"]) if "gold_de" in scores else f"no gold set at {args.gold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
