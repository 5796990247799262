"""Rebuild the shipped German NER model: `python -m pipeline.extract.training.train`.

Steps: read GermEval 2014 dev and LER dev/test, collapse labels (corpus.py), split by source,
write spaCy DocBins to a work folder, train de_ner.cfg with a fixed seed on the CPU, evaluate
the best model on the held-out parts, and write it with its figures to
pipeline/extract/models/de_newsflow_ner/.

Split (by source, never by sentence):
- GermEval: sentences are grouped by source (news outlet host, or the Wikipedia article) and a
  group goes wholly to test (20 % of groups), dev (10 %, used to pick the best checkpoint) or
  train, by a hash of its name.
- LER: the published files are shuffled sentence by sentence with no decision ids, so the only
  source boundary left is the file: ler_dev.conll trains, ler_test.conll is held out.
- Our own news sentences (news_de.txt) only ever train.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from pipeline.extract.training import corpus, news
from pipeline.settings import PROJECT_ROOT, load_settings

MODEL_NAME = "de_newsflow_ner"
MODEL_VERSION = "0.1.0"
CONFIG = Path(__file__).with_name("de_ner.cfg")
SHIPPED = PROJECT_ROOT / "pipeline" / "extract" / "models" / MODEL_NAME
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data" / "de-ner"

SEED = 20141
GERMEVAL_COPIES = 2  # GermEval is news/Wikipedia: weigh it above the legal LER text
LER_EMPTY_SHARE = 0.15  # LER sentences without PER/ORG/LOC kept (most LER text is citations)
NEWS_COPIES = 10  # name-swapped copies of each hand-written news sentence
MAX_STEPS = 3000
PATIENCE = 1000


def _limit_threads(threads: int) -> None:
    """Keep BLAS/OpenMP to `threads`: the machine's cores are shared with other work."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(threads)


def read_splits(data_dir: Path) -> dict[str, list[corpus.Sentence]]:
    """train / dev / test_germeval / test_ler sentences, split by source as described above."""
    splits: dict[str, list[corpus.Sentence]] = {
        "germeval_train": [],
        "dev": [],
        "test_germeval": [],
        "test_ler": [],
        "ler_train": [],
    }
    for sent in corpus.read_germeval(data_dir / corpus.GERMEVAL_FILE):
        part = corpus.split_of(sent.source)
        splits[
            "germeval_train" if part == "train" else "dev" if part == "dev" else "test_germeval"
        ].append(sent)
    ler_train, ler_test = corpus.LER_FILES
    splits["ler_train"] = list(corpus.read_ler(data_dir / ler_train))
    splits["test_ler"] = list(corpus.read_ler(data_dir / ler_test))
    return splits


def sentence_doc(vocab, sent: corpus.Sentence):
    """A reference Doc with the collapsed BIO annotation and running-text spacing."""
    from spacy.tokens import Doc

    words, spaces = corpus.detokenize(sent.words)
    return Doc(vocab, words=words, spaces=spaces, ents=list(sent.tags))


def marked_doc(nlp, sent: news.MarkedSentence):
    """A reference Doc on the German tokenizer's own tokens.

    The tokenizer keeps "GmbH." at a sentence end as one token; the entity then takes the
    whole token, as it will at run time.
    """
    doc = nlp.make_doc(sent.text)
    doc.ents = [doc.char_span(s, e, label=lab, alignment_mode="expand") for s, e, lab in sent.spans]
    return doc


def write_docbin(docs: Iterable, path: Path) -> int:
    from spacy.tokens import DocBin

    db = DocBin(store_user_data=False)
    n = 0
    for doc in docs:
        db.add(doc)
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)
    return n


def build_corpus(data_dir: Path, work: Path, seed: int = SEED) -> dict[str, int]:
    """Write train.spacy, dev.spacy, test_germeval.spacy, test_ler.spacy; return counts."""
    import spacy

    nlp = spacy.blank("de")
    rng = random.Random(seed)
    splits = read_splits(data_dir)
    train_docs = []
    for _ in range(GERMEVAL_COPIES):
        train_docs.extend(sentence_doc(nlp.vocab, s) for s in splits["germeval_train"])
    for s in splits["ler_train"]:
        if any(t != "O" for t in s.tags) or rng.random() < LER_EMPTY_SHARE:
            train_docs.append(sentence_doc(nlp.vocab, s))
    train_docs.extend(marked_doc(nlp, s) for s in news.news_examples(NEWS_COPIES, seed))
    rng.shuffle(train_docs)
    counts = {"train": write_docbin(train_docs, work / "train.spacy")}
    for name in ("dev", "test_germeval", "test_ler"):
        counts[name] = write_docbin(
            (sentence_doc(nlp.vocab, s) for s in splits[name]), work / f"{name}.spacy"
        )
    return counts


def train_model(work: Path, seed: int, max_steps: int, patience: int) -> Path:
    """Train de_ner.cfg on the work folder's DocBins; return the best checkpoint's folder."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_loop
    from spacy.util import load_config

    overrides = {
        "paths.train": str(work / "train.spacy"),
        "paths.dev": str(work / "dev.spacy"),
        "system.seed": seed,
        "training.max_steps": max_steps,
        "training.patience": patience,
    }
    config = load_config(CONFIG, overrides=overrides, interpolate=False)
    nlp = init_nlp(config, use_gpu=-1)
    (work / "output").mkdir(parents=True, exist_ok=True)
    train_loop(nlp, work / "output", use_gpu=-1, stdout=sys.stdout, stderr=sys.stderr)
    return work / "output" / "model-best"


def ship(best: Path, target: Path, facts: dict) -> None:
    """Write the best checkpoint to the shipped folder with newsflow's metadata."""
    import spacy

    nlp = spacy.load(best)
    config = nlp.config.copy()
    # the training paths point into a scratch folder; they mean nothing to a user of the model
    config["paths"]["train"] = None
    config["paths"]["dev"] = None
    nlp.config = config
    nlp.meta.update(
        {
            "name": "newsflow_ner",
            "version": MODEL_VERSION,
            "description": "German NER (PER, ORG, LOC) for newsflow, trained on GermEval 2014 "
            "dev, LER dev and hand-written news sentences. CPU, hash embeddings, no vectors.",
            "license": "CC BY 4.0 (training data); see NOTICE",
            "author": "newsflow",
            "sources": [
                {
                    "name": "GermEval 2014 NER (NoSta-D), dev split",
                    "url": "https://sites.google.com/site/germeval2014ner/",
                    "license": "CC BY 4.0",
                    "author": "Benikova, Biemann, Reznicek (LREC 2014)",
                },
                {
                    "name": "Legal Entity Recognition (LER) corpus, dev split",
                    "url": "https://github.com/elenanereiss/Legal-Entity-Recognition",
                    "license": "CC BY 4.0",
                    "author": "Leitner, Rehm, Moreno-Schneider (2019)",
                },
            ],
            "newsflow": facts,
        }
    )
    if target.exists():
        shutil.rmtree(target)
    nlp.to_disk(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.extract.training.train", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the de-ner folder")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder for DocBins")
    parser.add_argument("--out", type=Path, default=SHIPPED, help="where the model is written")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--max-steps", type=int, default=MAX_STEPS)
    parser.add_argument("--patience", type=int, default=PATIENCE)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (max 2 here)")
    args = parser.parse_args(argv)
    _limit_threads(min(args.threads, 2))

    from pipeline.errors import NewsflowError
    from pipeline.extract.training import evaluate

    work = args.work or load_settings().home / "de-ner-training"
    try:
        started = time.perf_counter()
        counts = build_corpus(args.data, work, args.seed)
        print(f"corpus: {json.dumps(counts)} in {work}", flush=True)
        best = train_model(work, args.seed, args.max_steps, args.patience)
        train_s = time.perf_counter() - started
        heldout = evaluate.heldout_scores(best, work)
        facts = {
            "seed": args.seed,
            "docs": counts,
            "train_seconds": round(train_s),
            "heldout": heldout,
            "split": "GermEval by source group (outlet host / Wikipedia article), LER by file",
        }
        if evaluate.GOLD_DE.is_file():
            # German ORG through the extraction stage, as it stood when the model was trained
            facts["gold_de"] = evaluate.gold_org_scores(best, evaluate.GOLD_DE, load_settings())
        ship(best, args.out, facts)
    except NewsflowError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    print(evaluate.format_scores(heldout))
    if "gold_de" in facts:
        print(evaluate.format_gold(facts["gold_de"]))
    print(f"trained in {train_s / 60:.1f} min; model written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
