"""Per-label P/R/F1 of a German NER model on the held-out parts of its training material.

`python -m pipeline.extract.training.evaluate [--model PATH] [--data DIR]` rebuilds the
held-out sets from the corpora (same split as train.py) and prints the table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.extract.training.corpus import LABELS

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


def main(argv: list[str] | None = None) -> int:
    from pipeline.extract.training import train

    parser = argparse.ArgumentParser(prog="python -m pipeline.extract.training.evaluate")
    parser.add_argument("--model", type=Path, default=train.SHIPPED)
    parser.add_argument("--data", type=Path, default=train.DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder for DocBins")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    from pipeline.errors import NewsflowError
    from pipeline.settings import load_settings

    work = args.work or load_settings().home / "de-ner-eval"
    try:
        train.build_corpus(args.data, work)
        scores = heldout_scores(args.model, work)
    except NewsflowError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(scores, indent=2) if args.json else format_scores(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
