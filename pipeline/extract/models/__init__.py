"""spaCy pipelines shipped inside the package (data only; rebuilt by pipeline/extract/training)."""

from __future__ import annotations

from pathlib import Path

DE_MODEL_NAME = "de_newsflow_ner"
DE_MODEL_DIR = Path(__file__).with_name(DE_MODEL_NAME)


def packaged_de_model() -> Path | None:
    """The folder of the shipped German NER pipeline, or None when it is not installed.

    `spacy.load(packaged_de_model())` gives a pipeline with one `ner` component labelling
    PER, ORG and LOC; it has no MONEY label (German money is found by patterns).
    """
    return DE_MODEL_DIR if (DE_MODEL_DIR / "config.cfg").is_file() else None
