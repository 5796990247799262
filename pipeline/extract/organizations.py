"""The organization registry (config/organizations.yaml) and matching its names in text.

Matching works on word tokens of the raw text, not on a model's tokenization, so it behaves
the same with any pipeline (including a blank German one) and keeps exact character offsets.
It tolerates what headlines do to names: legal forms after them ("Amazon.com Inc.",
"Siemens AG"), possessives and the German genitive ("Apple's", "Amazons", "Siemens'"),
inflected German adjectives ("der Deutschen Bank") and hyphen compounds ("OpenAI-Chef",
"ChatGPT-Entwickler OpenAI").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.config_files import read_yaml
from pipeline.errors import ConfigError
from pipeline.extract.normalize import is_legal_form
from pipeline.records import OrgMention

LANGUAGES = ("en", "de")
Kind = Literal[
    "big_tech", "ai_lab", "chipmaker", "bank", "investor", "automaker", "industrial", "telecom",
    "media", "retail", "energy", "pharma", "regulator", "exchange", "government", "other",
]  # fmt: skip


class RegistryOrg(BaseModel):
    """One organization as the operator declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str = Field(min_length=1)
    kind: Kind = "other"
    names: dict[Literal["en", "de"], tuple[str, ...]] = Field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    parent: str | None = None

    def surfaces(self, language: str) -> tuple[str, ...]:
        """The forms to look for in text of `language` (its names plus the aliases)."""
        return tuple(self.names.get(language, ())) + self.aliases


@dataclass(frozen=True)
class Registry:
    """Validated registry: organizations by id, with their parent chains."""

    orgs: tuple[RegistryOrg, ...]
    source: str = "config/organizations.yaml"
    by_id: dict[str, RegistryOrg] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {o.id: o for o in self.orgs})

    def __contains__(self, org_id: str) -> bool:
        return org_id in self.by_id

    def ancestors(self, org_id: str) -> tuple[str, ...]:
        """Parent, grandparent, ... of `org_id` (empty for top-level or unknown ids)."""
        chain: list[str] = []
        parent = self.by_id[org_id].parent if org_id in self.by_id else None
        while parent is not None:
            chain.append(parent)
            parent = self.by_id[parent].parent
        return tuple(chain)

    def roll_up(self, org_ids: Iterable[str]) -> frozenset[str]:
        """The ids with all their ancestors: {"aws"} -> {"aws", "amazon"}."""
        result: set[str] = set()
        for org_id in org_ids:
            result.add(org_id)
            result.update(self.ancestors(org_id))
        return frozenset(result)


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(entry)"


def parse_registry(data: object, source: str) -> Registry:
    """Validate the YAML document `data` read from `source` (a file name used in messages)."""
    if not isinstance(data, dict) or not isinstance(data.get("organizations"), list):
        raise ConfigError(f"{source}: expected a top-level 'organizations:' list of entries")
    orgs: list[RegistryOrg] = []
    index_of: dict[str, int] = {}
    for index, entry in enumerate(data["organizations"]):
        label = f"organizations[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: {label}: each entry must be a mapping with id, name, ...")
        if "id" in entry:
            label += f" (id {entry['id']!r})"
        try:
            org = RegistryOrg(**entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ConfigError(
                f"{source}: {label}: field {_field_path(err['loc'])!r}: {err['msg']}"
            ) from None
        if org.id in index_of:
            raise ConfigError(
                f"{source}: {label}: field 'id': duplicate of organizations[{index_of[org.id]}]"
            )
        if not any(org.surfaces(lang) for lang in LANGUAGES):
            raise ConfigError(f"{source}: {label}: field 'names': give at least one name or alias")
        for lang in LANGUAGES:
            for surface in org.surfaces(lang):
                if not any(ch.isalnum() for ch in surface):
                    raise ConfigError(
                        f"{source}: {label}: field 'names': {surface!r} has no letters or digits"
                    )
        index_of[org.id] = len(orgs)
        orgs.append(org)
    _check_parents(orgs, index_of, source)
    _check_unambiguous(orgs, source)
    return Registry(tuple(orgs), source)


def _check_parents(orgs: list[RegistryOrg], index_of: dict[str, int], source: str) -> None:
    for index, org in enumerate(orgs):
        label = f"organizations[{index}] (id {org.id!r})"
        if org.parent is None:
            continue
        if org.parent not in index_of:
            raise ConfigError(
                f"{source}: {label}: field 'parent': no organization has id {org.parent!r}"
            )
        seen = {org.id}
        parent: str | None = org.parent
        while parent is not None:
            if parent in seen:
                raise ConfigError(
                    f"{source}: {label}: field 'parent': the parent chain loops back to {parent!r}"
                )
            seen.add(parent)
            parent = orgs[index_of[parent]].parent


def _check_unambiguous(orgs: list[RegistryOrg], source: str) -> None:
    """One surface form names one organization per language, or matches would be arbitrary."""
    for lang in LANGUAGES:
        owner: dict[tuple[str, ...], str] = {}
        for org in orgs:
            for surface in org.surfaces(lang):
                key = tuple(_tokens(surface))
                other = owner.setdefault(key, org.id)
                if other != org.id:
                    raise ConfigError(
                        f"{source}: organization {org.id!r}: {lang} name {surface!r} is also a "
                        f"name of {other!r}; keep it on one of them"
                    )


def load_registry(path: Path) -> Registry:
    """Read and validate the registry; any problem is a ConfigError naming file, entry, field."""
    data = read_yaml(path, "organization registry")
    return parse_registry(data, str(path))


# --- matching ------------------------------------------------------------------------------

# Words, or any single other visible character; a newline is kept so names never span the
# title/summary boundary.
_TOKEN = re.compile(r"[^\W_]+|[^\s]|\n")
# Corporate suffixes that may follow a registry name, included in the mention's surface.
_ABBREVIATED = frozenset({"inc", "corp", "co", "ltd", "bros"})


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    org_id: str | None = None
    name: str = ""  # the registry surface that ends here


@dataclass(frozen=True)
class _Tokens:
    """A text's tokens as parallel lists (cheaper than one object per token)."""

    words: list[str]
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str) -> _Tokens:
        words: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for match in _TOKEN.finditer(text):
            words.append(match.group())
            start, end = match.span()
            starts.append(start)
            ends.append(end)
        return cls(words, starts, ends)

    def glued(self, left: int) -> bool:
        """True when token `left` and the next one touch (no space between)."""
        return self.ends[left] == self.starts[left + 1]


class OrgMatcher:
    """Finds registry names in text; build once per registry, reuse for every article."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._tries: dict[str, _Node] = {}
        for lang in LANGUAGES:
            root = _Node()
            for org in registry.orgs:
                for surface in org.surfaces(lang):
                    node = root
                    for tok in _tokens(surface):
                        node = node.children.setdefault(tok, _Node())
                    node.org_id, node.name = org.id, surface
            self._tries[lang] = root

    def find(self, text: str, language: str) -> list[OrgMention]:
        """Registry mentions in `text`, left to right, longest match first, never overlapping.

        `language` picks the name list ("en"/"de"); other languages use the English names.
        """
        lang = language if language in self._tries else "en"
        root = self._tries[lang]
        first = root.children
        tokens = _Tokens.of(text)
        words = tokens.words
        mentions: list[OrgMention] = []
        i = 0
        while i < len(words):
            word = words[i]
            # Cheap test first: most words neither start a name nor could be a variant of one.
            if word not in first and not _may_vary(word, lang):
                i += 1
                continue
            found = self._longest(root, words, i, lang)
            if found is None:
                i += 1
                continue
            end_index, node = found
            end_index = _extend_legal_form(tokens, end_index)
            start, end = tokens.starts[i], tokens.ends[end_index - 1]
            org = self.registry.by_id[node.org_id]
            mentions.append(
                OrgMention(start, end, org.id, text[start:end], "registry", name=org.name)
            )
            i = end_index
        return mentions

    def _longest(
        self, root: _Node, words: list[str], i: int, lang: str
    ) -> tuple[int, _Node] | None:
        """The longest name starting at token i: (index after its last token, its node)."""
        best: tuple[int, _Node] | None = None
        # Each state is (node, token index); German inflections may fork the walk.
        states = [(root, i)]
        while states:
            node, j = states.pop()
            if node.org_id is not None and (best is None or j > best[0]):
                best = (j, node)
            # names never continue over a line break (title / summary boundary)
            if j >= len(words) or words[j] == "\n":
                continue
            for key in _variants(words[j], lang):
                child = node.children.get(key)
                if child is not None:
                    states.append((child, j + 1))
        return best


def _may_vary(word: str, lang: str) -> bool:
    """Whether _variants(word) could differ from the word itself."""
    return (len(word) >= 5 and word.isupper()) or (
        lang == "de" and len(word) > 3 and word[-1] in "snrm"
    )


def _variants(word: str, lang: str) -> list[str]:
    """The registry forms a text word may stand for.

    Exact first; an all-caps headline word also stands for its mixed-case form; in German the
    genitive ("Amazons", "Bundeskartellamtes") and adjective endings ("Deutschen") are removed.
    """
    forms = [word]
    if len(word) >= 5 and word.isupper():
        forms.append(word.capitalize())
    if lang == "de" and len(word) > 3 and word[-1] in "snrm" and word[:-1][-1:].isalpha():
        forms.append(word[:-1])  # Amazons -> Amazon, Deutschen -> Deutsche
        if word.endswith("es") and len(word) > 5:
            forms.append(word[:-2])  # Bundeskartellamtes -> Bundeskartellamt
    return forms


def _extend_legal_form(tokens: _Tokens, j: int) -> int:
    """Extend a match over ".com" and legal forms that follow it ("Inc.", "AG", "& Co. KG")."""
    words = tokens.words
    if j + 1 < len(words) and words[j] == "." and words[j + 1] == "com" and tokens.glued(j - 1):
        j += 2
    seen: list[str] = []
    k = j
    best = j
    while k < len(words) and len(seen) < 4:
        tok = words[k]
        if tok in ("&", ".") and seen:
            k += 1
            continue
        if not tok[0].isalpha() or not (tok[0].isupper() or tok == "plc"):
            break
        seen.append(tok.lower())
        k += 1
        if is_legal_form(tuple(seen)):
            best = k
            if seen[-1] in _ABBREVIATED and k < len(words) and words[k] == ".":
                best = k + 1
    return best
