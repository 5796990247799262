"""Read the German NER corpora, collapse their labels to PER/ORG/LOC and split them by source.

GermEval 2014 (NoSta-D): 4-column TSV, a "# <source> [date]" line before each sentence, outer
labels PER/ORG/LOC/OTH with -deriv and -part variants. LER (Leitner et al. 2019): "token TAG"
lines, IOB2, 19 fine labels collapsed to the paper's coarse PER/LOC/ORG; its norms, decisions,
contracts and literature carry no PER/ORG/LOC and become O.

Decisions (the corpora READMEs leave them to the user):
- OTH and every -deriv / -part label become O. LER has no counterpart of OTH, so a MISC label
  would be learned from GermEval alone and contradicted by LER; and "Siemens-Chef" (ORGpart)
  or "deutsche" (LOCderiv) are not organizations or places a newsflow user wants as entities.
- Only the outer GermEval level is used; nested annotations are ignored.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import ConfigError

LABELS = ("PER", "ORG", "LOC")

GERMEVAL_LABELS = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}  # OTH, *deriv, *part -> O
LER_LABELS = {
    # persons, judges, lawyers
    "PER": "PER",
    "RR": "PER",
    "AN": "PER",
    # countries, cities, streets, landscapes
    "LD": "LOC",
    "ST": "LOC",
    "STR": "LOC",
    "LDS": "LOC",
    # organizations, companies, institutions, courts, brands
    "ORG": "ORG",
    "UN": "ORG",
    "INN": "ORG",
    "GRT": "ORG",
    "MRK": "ORG",
}

GERMEVAL_FILE = "germeval2014/NER-de-dev.tsv"
LER_FILES = ("ler/ler_dev.conll", "ler/ler_test.conll")


@dataclass(frozen=True)
class Sentence:
    """One annotated sentence: tokens and collapsed BIO tags, with where it came from."""

    corpus: str  # "germeval", "ler" or "news"
    source: str  # the group a split keeps together (outlet, article, file)
    words: tuple[str, ...]
    tags: tuple[str, ...]  # BIO over LABELS, "O" elsewhere


def _collapse(tag: str, mapping: dict[str, str]) -> str:
    if tag in ("O", ""):
        return "O"
    prefix, _, label = tag.partition("-")
    coarse = mapping.get(label)
    if prefix not in ("B", "I") or coarse is None:
        return "O"
    return f"{prefix}-{coarse}"


def _repair_bio(tags: list[str]) -> list[str]:
    """Turn an I- that follows nothing of its label (left by a dropped label) into a B-."""
    fixed: list[str] = []
    for tag in tags:
        if tag.startswith("I-") and (not fixed or fixed[-1][2:] != tag[2:]):
            tag = "B-" + tag[2:]
        fixed.append(tag)
    return fixed


def germeval_group(source: str) -> str:
    """The split group of a GermEval sentence: the outlet for news, the article for Wikipedia.

    A Wikipedia article is its own source (the domain would be half the corpus in one group);
    news is grouped by outlet so no outlet has sentences on both sides of the split.
    """
    source = source.strip()
    if source.startswith("http"):
        parts = urlsplit(source)
        host = parts.netloc.lower().removeprefix("www.")
        if host.endswith("wikipedia.org"):
            return f"{host}{parts.path}"
        return host
    # e.g. "welt.de vom 23.01.2006"
    return source.split(" vom ")[0].strip().lower().removeprefix("www.")


def read_germeval(path: Path) -> Iterator[Sentence]:
    """Sentences of a GermEval 2014 TSV file, labels collapsed."""
    source = ""
    words: list[str] = []
    tags: list[str] = []
    for lineno, raw in enumerate(_lines(path), start=1):
        line = raw.rstrip("\r\n")
        if line.startswith("#\t") or line.startswith("# "):
            source = line[1:].strip().rsplit("\t", 1)[0].strip()
            continue
        if not line.strip():
            if words:
                yield _sentence("germeval", germeval_group(source), words, tags)
                words, tags = [], []
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            raise ConfigError(
                f"{path}:{lineno}: expected 4 tab-separated columns (idx, token, outer, nested); "
                "check the file is the GermEval 2014 TSV"
            )
        words.append(cols[1])
        tags.append(_collapse(cols[2], GERMEVAL_LABELS))
    if words:
        yield _sentence("germeval", germeval_group(source), words, tags)


def read_ler(path: Path) -> Iterator[Sentence]:
    """Sentences of a LER CoNLL file ("token TAG", CRLF), labels collapsed.

    The published LER files are shuffled sentence by sentence, so no decision id survives:
    the file name is the only source a split can keep together.
    """
    words: list[str] = []
    tags: list[str] = []
    for lineno, raw in enumerate(_lines(path), start=1):
        line = raw.strip()
        if not line:
            if words:
                yield _sentence("ler", path.name, words, tags)
                words, tags = [], []
            continue
        token, _, tag = line.rpartition(" ")
        if not token:
            raise ConfigError(
                f"{path}:{lineno}: expected 'token TAG'; check the file is the LER CoNLL export"
            )
        words.append(token)
        tags.append(_collapse(tag, LER_LABELS))
    if words:
        yield _sentence("ler", path.name, words, tags)


def _lines(path: Path) -> Iterable[str]:
    if not path.is_file():
        raise ConfigError(
            f"{path}: training corpus not found; pass --data with the de-ner folder "
            "(germeval2014/ and ler/ inside)"
        )
    with path.open(encoding="utf-8", newline="") as fh:
        yield from fh


def _sentence(corpus: str, source: str, words: list[str], tags: list[str]) -> Sentence:
    return Sentence(corpus, source, tuple(words), tuple(_repair_bio(tags)))


def split_of(group: str, test_share: int = 20, dev_share: int = 10) -> str:
    """ "train", "dev" or "test" for a source group; stable across runs and machines."""
    bucket = int(hashlib.sha256(group.encode("utf-8")).hexdigest(), 16) % 100
    if bucket < test_share:
        return "test"
    if bucket < test_share + dev_share:
        return "dev"
    return "train"


# Punctuation attached to the previous / next word when rebuilding running text.
_NO_SPACE_BEFORE = re.compile(r"^([.,;:!?%)\]}“”']|'s|…)$")
_NO_SPACE_AFTER = {"(", "[", "{", "„", "‚"}


def detokenize(words: Iterable[str]) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that read like ordinary text.

    Training examples are re-tokenized by the German tokenizer from this text, so the model
    learns on the tokens it will see in production rather than on the corpus tokenization.
    """
    words = list(words)
    spaces = [True] * len(words)
    open_double = False
    for i, word in enumerate(words):
        if word == '"':
            # straight quotes alternate: an opening one sticks to the next word
            if open_double:
                if i > 0:
                    spaces[i - 1] = False
            else:
                spaces[i] = False
            open_double = not open_double
            continue
        if i > 0 and _NO_SPACE_BEFORE.match(word):
            spaces[i - 1] = False
        if word in _NO_SPACE_AFTER:
            spaces[i] = False
    if words:
        spaces[-1] = False
    return words, spaces
