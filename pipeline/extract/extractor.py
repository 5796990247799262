"""The extraction stage: Articles in, Extractions out (organizations, money, people, places).

Per language, the statistical model (if any) runs once over the batch with nlp.pipe; registry
names and money are found by patterns on the raw text. Registry matches win over model spans;
model organizations that the registry does not know become discovered organizations keyed by
org_key(), never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pipeline.extract.discovery import find_cued_orgs
from pipeline.extract.money import find_money
from pipeline.extract.normalize import NOT_ORGANIZATIONS, fold, org_key
from pipeline.extract.organizations import LANGUAGES, OrgMatcher, Registry, load_registry
from pipeline.extract.pipelines import LoadedPipeline, english_pipeline, german_pipeline
from pipeline.records import Article, EntityMention, Extraction, OrgMention
from pipeline.settings import Settings

if TYPE_CHECKING:
    from spacy.tokens import Doc

# The model sees at most this many characters of one text (spaCy refuses > 1M and memory
# grows with length); patterns still run over all of it, so known names and money past the
# cut are found.
MODEL_MAX_CHARS = 100_000
_LABELS = {"ORG": "ORG", "PERSON": "PER", "PER": "PER", "GPE": "LOC", "LOC": "LOC"}
# Length-preserving repairs: lone surrogates cannot be encoded, NUL cannot be stored.
_UNSTORABLE = re.compile(r"[\ud800-\udfff\x00]")
_EDGE = re.compile(r"^(?:(?:the|The|THE|der|die|das|Der|Die|Das)\s+)|(?:['’]s?|\W)+$")


@dataclass(frozen=True)
class TextItem:
    """A text to extract from, when there is no Article (CLI, evaluation, benchmarks)."""

    key: str
    language: str
    text: str


class Extractor:
    """Extracts from batches of texts; build once per process (models and patterns are reused).

    Pipelines load on first use, so a German-only run never loads the English model; pass
    `pipelines` ({"en": ..., "de": ... or None}) to choose them explicitly.
    """

    def __init__(
        self,
        registry: Registry,
        settings: Settings,
        *,
        pipelines: dict[str, LoadedPipeline | None] | None = None,
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.matcher = OrgMatcher(registry)
        self._pipelines: dict[str, LoadedPipeline | None] = dict(pipelines or {})
        self._folded_names = _folded_name_index(registry)

    @classmethod
    def from_settings(cls, settings: Settings) -> Extractor:
        """An Extractor over config/organizations.yaml with the models the settings name."""
        return cls(load_registry(settings.config_dir / "organizations.yaml"), settings)

    def pipeline(self, language: str) -> LoadedPipeline | None:
        """The statistical model used for `language` (None: patterns only)."""
        if language not in self._pipelines:
            if language == "en":
                self._pipelines[language] = english_pipeline(self.settings)
            elif language == "de":
                self._pipelines[language] = german_pipeline(self.settings)
            else:
                self._pipelines[language] = None  # a model of another language only adds noise
        return self._pipelines[language]

    def extract(self, articles: Sequence[Article]) -> list[Extraction]:
        """One Extraction per article, in input order; offsets refer to Article.text."""
        return self.extract_texts([TextItem(a.key, a.language, a.text) for a in articles])

    def extract_texts(self, items: Sequence[TextItem]) -> list[Extraction]:
        """One Extraction per item, in input order; texts are grouped by language for nlp.pipe."""
        results: list[Extraction | None] = [None] * len(items)
        by_language: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            by_language.setdefault(language_of(item.language), []).append(index)
        for language, indexes in by_language.items():
            texts = [_storable(items[i].text or "") for i in indexes]
            docs = self._docs(language, texts)
            for index, text, doc in zip(indexes, texts, docs, strict=True):
                results[index] = self._one(items[index].key, language, text, doc)
        return [r for r in results if r is not None]

    def _docs(self, language: str, texts: list[str]) -> Iterator[Doc | None]:
        loaded = self.pipeline(language)
        if loaded is None:
            return iter([None] * len(texts))
        batch = max(1, self.settings.extract_batch_size)
        return loaded.nlp.pipe((t[:MODEL_MAX_CHARS] for t in texts), batch_size=batch)

    def _one(self, key: str, language: str, text: str, doc: Doc | None) -> Extraction:
        orgs = self.matcher.find(text, language)
        money = find_money(text, language)
        taken = [(m.start, m.end) for m in orgs] + [(m.start, m.end) for m in money]
        # Descriptor cues ("battery maker Varta") come before the model: they know the span.
        for mention in find_cued_orgs(text, language, taken):
            orgs.append(self._known(mention, language))
            taken.append((mention.start, mention.end))
        entities: list[EntityMention] = []
        if doc is not None:
            for ent in doc.ents:
                label = _LABELS.get(ent.label_)
                if label is None or _overlaps(ent.start_char, ent.end_char, taken):
                    continue
                span = _trim(text, ent.start_char, ent.end_char)
                if span is None:
                    continue
                start, end = span
                if label == "ORG":
                    mention = self._model_org(text, start, end, language)
                    if mention is not None:
                        orgs.append(mention)
                        taken.append((start, end))
                else:
                    surface = text[start:end]
                    entities.append(EntityMention(start, end, label, fold(surface), surface))
        orgs.sort(key=lambda m: m.start)
        registry_ids = [
            m.org_id for m in orgs if m.source == "registry" or m.org_id in self.registry
        ]
        discovered = {m.org_id for m in orgs if m.org_id not in self.registry}
        return Extraction(
            article_key=key,
            language=language,
            orgs=tuple(orgs),
            money=tuple(money),
            entities=tuple(entities),
            org_ids=self.registry.roll_up(registry_ids) | discovered,
        )

    def _known(self, mention: OrgMention, language: str) -> OrgMention:
        """A found mention with its registry id when its key is a registry name's key."""
        key = mention.org_id
        org_id = key if key in self.registry else self._folded_names.get((language, key))
        if org_id is None:
            return mention
        return replace(mention, org_id=org_id, name=self.registry.by_id[org_id].name)

    def _model_org(self, text: str, start: int, end: int, language: str) -> OrgMention | None:
        """A model ORG span as a mention: a registry id if its name folds to one, else a key."""
        surface = text[start:end]
        key = org_key(surface)
        if not _plausible_org(surface, key):
            return None
        org_id = key if key in self.registry else self._folded_names.get((language, key))
        if org_id is not None:
            return OrgMention(
                start, end, org_id, surface, "model", self.registry.by_id[org_id].name
            )
        return OrgMention(start, end, key, surface, "model", name=_display_name(surface))


def language_of(code: str | None) -> str:
    """ "en", "de", or the (lowercased, two-letter) code of another language."""
    return (code or "").strip().lower()[:2] or "und"


def _storable(text: str) -> str:
    return _UNSTORABLE.sub("\ufffd", text)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without a leading article or a trailing possessive / punctuation."""
    surface = text[start:end]
    while True:
        match = _EDGE.search(surface)
        if match is None or not match.group():
            break
        if match.start() == 0:
            start += match.end()
        else:
            end -= len(match.group())
        surface = text[start:end]
    return (start, end) if surface.strip() else None


def _plausible_org(surface: str, key: str) -> bool:
    """False for model spans that cannot be an organization: no capital, one letter, or a
    business term the English model habitually labels ORG ("AI", "IPO", "EU")."""
    letters = [ch for ch in surface if ch.isalpha()]
    return (
        len(key) >= 2
        and len(letters) >= 2
        and any(ch.isupper() for ch in letters)
        and key not in NOT_ORGANIZATIONS
    )


def _display_name(surface: str) -> str:
    return " ".join(surface.split())


def _folded_name_index(registry: Registry) -> dict[tuple[str, str], str]:
    """(language, org_key of a registry name) -> id, for model spans in another spelling.

    Keys two organizations share ("Porsche SE" and "Porsche" both give "porsche") are left out.
    """
    index: dict[tuple[str, str], str | None] = {}
    for lang in LANGUAGES:
        for org in registry.orgs:
            for surface in org.surfaces(lang):
                key = (lang, org_key(surface))
                index[key] = org.id if index.get(key, org.id) == org.id else None
    return {k: v for k, v in index.items() if v is not None}
