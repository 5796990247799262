"""Measure what the German model costs: process start, model load, sentences per second.

`python -m pipeline.extract.training.benchmark [--model PATH] [--repeat N] [--json]`

- start: fresh Python processes that import spaCy, with and without loading the model; the
  difference of the medians is what the model adds to process start.
- throughput: nlp.pipe over German sentences (the held-out GermEval sentences re-spaced as
  running text, or any UTF-8 file with one sentence per line via --sentences), after warm-up.
- extraction: the same sentences through the extraction stage (pipeline.extract.Extractor:
  registry and money patterns, discovery cues and the model), and without the model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

_START_SNIPPET = """
import time, sys
t0 = time.perf_counter()
import spacy
t1 = time.perf_counter()
if len(sys.argv) > 1:
    spacy.load(sys.argv[1])
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def process_start(model: Path, repeat: int) -> dict:
    """Median wall time of whole interpreter processes, without and with the model load."""

    def run(args: list[str]) -> tuple[float, float, float]:
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _START_SNIPPET, *args],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        ).stdout.split()
        return time.perf_counter() - started, float(out[0]), float(out[1])

    bare = [run([]) for _ in range(repeat)]
    loaded = [run([str(model)]) for _ in range(repeat)]
    return {
        "process_without_model_s": round(statistics.median(r[0] for r in bare), 3),
        "process_with_model_s": round(statistics.median(r[0] for r in loaded), 3),
        "added_by_model_s": round(
            statistics.median(r[0] for r in loaded) - statistics.median(r[0] for r in bare), 3
        ),
        "spacy_load_call_s": round(statistics.median(r[2] for r in loaded), 3),
        "import_spacy_s": round(statistics.median(r[1] for r in bare), 3),
        "repeat": repeat,
    }


def default_sentences(data_dir: Path) -> list[str]:
    """Held-out GermEval sentences (news and Wikipedia) as running text."""
    from pipeline.extract.training import corpus

    out = []
    for sent in corpus.read_germeval(data_dir / corpus.GERMEVAL_FILE):
        if corpus.split_of(sent.source) == "test":
            words, spaces = corpus.detokenize(sent.words)
            out.append("".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True)))
    return out


def throughput(model: Path, sentences: list[str], rounds: int = 3) -> dict:
    """Sentences and words per second of the model alone (nlp.pipe, batch 256)."""
    import spacy

    nlp = spacy.load(model)
    list(nlp.pipe(sentences[:64]))  # warm-up
    best = float("inf")
    words = 0
    for _ in range(rounds):
        started = time.perf_counter()
        words = sum(len(doc) for doc in nlp.pipe(sentences, batch_size=256))
        best = min(best, time.perf_counter() - started)
    return {
        "sentences": len(sentences),
        "sentences_per_s": round(len(sentences) / best),
        "tokens_per_s": round(words / best),
    }


def extraction_rate(model: Path, sentences: list[str], rounds: int = 3) -> dict:
    """Sentences per second through the whole German extraction, with and without the model."""
    import spacy

    from pipeline.extract.extractor import Extractor, TextItem
    from pipeline.extract.organizations import load_registry
    from pipeline.extract.pipelines import LoadedPipeline
    from pipeline.settings import load_settings

    settings = load_settings()
    items = [TextItem(f"s{i}", "de", text) for i, text in enumerate(sentences)]
    result = {}
    runs = {"with_model": LoadedPipeline(spacy.load(model), str(model)), "patterns_only": None}
    for name, pipeline in runs.items():
        registry = load_registry(settings.config_dir / "organizations.yaml")
        extractor = Extractor(registry, settings, pipelines={"de": pipeline})
        extractor.extract_texts(items[:64])  # warm-up (pattern compilation)
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            extractor.extract_texts(items)
            best = min(best, time.perf_counter() - started)
        result[f"{name}_sentences_per_s"] = round(len(items) / best)
    return result


def main(argv: list[str] | None = None) -> int:
    from pipeline.extract.training import train

    parser = argparse.ArgumentParser(prog="python -m pipeline.extract.training.benchmark")
    parser.add_argument("--model", type=Path, default=train.SHIPPED)
    parser.add_argument("--data", type=Path, default=train.DEFAULT_DATA)
    parser.add_argument("--sentences", type=Path, default=None, help="one sentence per line")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    if args.sentences:
        lines = args.sentences.read_text(encoding="utf-8").splitlines()
        sentences = [x for x in lines if x.strip()]
    else:
        sentences = default_sentences(args.data)
    result = {
        "model": str(args.model),
        "model_mb": round(sum(f.stat().st_size for f in args.model.rglob("*")) / 1e6, 2),
        "start": process_start(args.model, args.repeat),
        "model_only": throughput(args.model, sentences),
        "extraction": extraction_rate(args.model, sentences),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
