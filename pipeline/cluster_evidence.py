"""Evidence for story clustering: what one article says about its event, language-free where
possible. Organization ids rolled up to the top parent, people and places (folded), amounts as
qualifier- and range-aware intervals in USD, names and numbers spelled alike in English and German,
5-letter word prefixes (crude stems that also match cognates), and a MinHash signature of the
character 5-grams for near-duplicate detection. Pure functions, no state.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from pipeline.records import Article, Extraction, MoneyMention

# MinHash over character 5-grams; 16 bands of 4 rows find pairs with Jaccard >~ 0.5.
SIGNATURE_SIZE = 64
BANDS = 16
ROWS = SIGNATURE_SIZE // BANDS
_RNG = np.random.default_rng(20260302)  # fixed seed: signatures must be the same in every process
_MUL = _RNG.integers(1, 2**63, size=SIGNATURE_SIZE, dtype=np.uint64) | np.uint64(1)
_ADD = _RNG.integers(0, 2**63, size=SIGNATURE_SIZE, dtype=np.uint64)
_S8, _S16, _S24, _S31, _S32 = (np.uint64(n) for n in (8, 16, 24, 31, 32))

MIN_AMOUNT_USD = 1_000_000  # smaller sums (share prices, fees) say nothing about which deal it is
AMOUNT_BUCKET_BASE = math.log(1.25)

# Relative tolerance per qualifier: (low factor, high factor) applied to the stated amount.
_QUALIFIER_SPAN: dict[str | None, tuple[float, float]] = {
    None: (0.93, 1.07),
    "about": (0.85, 1.15),
    "nearly": (0.8, 1.02),
    "up_to": (0.6, 1.03),
    "less_than": (0.6, 1.0),
    "more_than": (0.98, 1.5),
}

# Frequent words of at least four letters that carry no event identity (English and German).
_STOP_TEXT = """
    about above after again against also among another back been before being below between
    both could does doing down during each even ever every first from further have having here
    however into just last later less like made make many more most much must next only other
    over same says said several should since some still such than that their them then there
    these they this those through under until very want were what when where which while will
    with within without would year years your week weeks monday tuesday wednesday thursday
    friday saturday sunday today according company companies group report reported reports
    people percent billion million news told including says
    aber alle allem allen aller alles also andere anderen auch bereits beim bisher damit dann
    darauf daran dass dabei denn deren dies diese diesem diesen dieser dieses doch durch eine
    einem einen einer eines etwa gegen haben hatte hatten heute hier immer jahr jahre jahren
    jedoch jetzt kann kein keine konnte laut mehr mehrere muss nach nicht noch nun oder ohne
    schon sein seine seiner seit sich sind sollen soll sowie unter viele vier vom von wegen
    weil weiter weitere wenn werden wird wieder wie will wurde wurden zwei drei zwischen zudem
    sagte sagt teilte mitteilte woche montag dienstag mittwoch donnerstag freitag samstag
    sonntag prozent milliarden millionen unternehmen konzern bericht berichtet zufolge rund
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
STOP_PREFIXES = frozenset(w[:5] for w in STOP_WORDS if len(w) >= 4)

_TOKEN = re.compile(r"[^\W_]+")


# ---------------------------------------------------------------------------------------------
# Evidence: everything the index needs from one article, computed once.


@dataclass(frozen=True)
class AmountRange:
    """A money figure as an interval: qualifiers and ranges widen it; USD when a rate is known."""

    low: float
    high: float
    unit: str  # "USD" when amount_usd is known, else the ISO currency

    def overlaps(self, other: AmountRange) -> bool:
        return self.unit == other.unit and self.low <= other.high and other.low <= self.high

    def buckets(self) -> range:
        """Logarithmic buckets (25 % wide) the interval touches; used as blocking keys."""
        return range(_bucket(self.low), _bucket(self.high) + 1)

    def centre_bucket(self) -> int:
        return _bucket(math.sqrt(self.low * self.high))


def _bucket(value: float) -> int:
    return int(math.floor(math.log(max(value, 1.0)) / AMOUNT_BUCKET_BASE))


@dataclass(frozen=True, eq=False)
class ArticleEvidence:
    """The clustering view of one article; `at` is published-or-first-seen."""

    key: str
    language: str
    at: datetime
    title: str
    canonical_url: str
    content_hash: str
    text_hash: str
    signature: np.ndarray
    orgs: frozenset[str]
    parties: frozenset[str]  # who the story is about: headline organizations, else all
    amounts: tuple[AmountRange, ...]  # the amounts that identify the deal (see evidence_of)
    persons: frozenset[str]
    places: frozenset[str]
    terms: frozenset[str]
    title_terms: frozenset[str]
    numbers: frozenset[str]  # the number terms among `terms`
    names: frozenset[str] = frozenset()  # capitalized words inside sentences, folded
    bands: tuple[int, ...] = ()  # LSH band keys of the signature (in-memory only)

    @property
    def entity_keys(self) -> list[str]:
        return (
            [f"o:{o}" for o in self.orgs]
            + [f"p:{p}" for p in self.persons]
            + [f"l:{p}" for p in self.places]
            + [f"n:{n}" for n in self.names]
        )


_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Case- and diacritics-folded text (ß becomes ss), for language-independent comparison."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


_WORD_WITH_CASE = re.compile(r"[^\W\d_]+")
_SENTENCE_END = frozenset(".!?:")


def names_of(text: str) -> frozenset[str]:
    """Capitalized words that do not open a sentence, folded: names of people, places, products
    and firms are spelled alike in English and German, so they match across languages even when
    extraction found no entity (German nouns are capitalized too, but rarely match English)."""
    out = set()
    for match in _WORD_WITH_CASE.finditer(text):
        word = match.group()
        if len(word) < 3 or not word[0].isupper():
            continue
        before = text[: match.start()].rstrip()
        if not before or before[-1] in _SENTENCE_END or before.endswith("\n"):
            continue  # a sentence or the summary starts here: capitalized for grammar
        folded = fold(word)
        if folded not in STOP_WORDS:
            out.add(folded)
    return frozenset(out)


def words(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"(?:19[5-9]|20[0-9])\d")


def terms_of(text: str) -> frozenset[str]:
    """Comparable terms of a text: 5-letter prefixes of content words (crude stems that also
    match names and cognates across languages) and numbers normalized across conventions."""
    # Interned: the same prefixes recur in thousands of articles held in memory.
    out = {sys.intern(tok[:5]) for tok in words(text) if len(tok) >= 4 and not tok.isdigit()}
    out.difference_update(STOP_PREFIXES)
    out.update(numbers_of(text))
    return frozenset(out)


_SCORE = re.compile(r"(?<![\d.,])(\d{1,2}) ?[:\-–] ?(\d{1,2})(?![\d.,])")


def numbers_of(text: str) -> set[str]:
    """Numbers as language-free terms: '16,000' and '16.000' are both #16000, '29,9' and '29.9'
    both #29.9, match results '3:1' and '3-1' both #3-1. Lone digits and years are dropped."""
    out = {f"#{a}-{b}" for a, b in _SCORE.findall(text)}
    for match in _NUMBER.finditer(_SCORE.sub(" ", text)):
        parts = re.split(r"[.,]", match.group())
        if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
            value = "".join(parts)  # thousands separators, English or German
        elif len(parts) == 2:
            value = f"{parts[0]}.{parts[1]}"
        else:
            value = "".join(parts)
        if len(value) >= 2 and not _YEAR.fullmatch(value):
            out.add(f"#{value}")
    return out


def signature_of(tokens: list[str]) -> np.ndarray:
    """MinHash signature of the character 5-grams of the normalized text."""
    data = " ".join(tokens).encode("utf-8")
    if len(data) < 5:
        data = data.ljust(5, b" ")
    b = np.frombuffer(data, dtype=np.uint8).astype(np.uint64)
    grams = (b[:-4] << _S32) | (b[1:-3] << _S24) | (b[2:-2] << _S16) | (b[3:-1] << _S8) | b[4:]
    hashed = np.multiply.outer(_MUL, grams)  # wraps mod 2**64 by design; repeats do not matter
    hashed += _ADD[:, None]
    hashed ^= hashed >> _S31
    return hashed.min(axis=1)


_BAND_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5][:ROWS],
    dtype=np.uint64,
)


def bands_of(signature: np.ndarray) -> tuple[int, ...]:
    """One integer per LSH band: equal bands give equal keys; the band number is in the low bits."""
    mixed = (signature.reshape(BANDS, ROWS) * _BAND_MIX).sum(axis=1, dtype=np.uint64)
    return tuple(int(h) * BANDS + b for b, h in enumerate(mixed.tolist()))


def amount_range(m: MoneyMention) -> AmountRange | None:
    """The interval a money mention stands for, or None when it is too small to identify a deal."""
    amount = float(m.amount)
    if amount <= 0:
        return None
    rate, unit = 1.0, m.currency
    if m.amount_usd is not None:
        rate, unit = float(m.amount_usd) / amount, "USD"
    if m.qualifier == "range" and m.amount_min is not None:
        low = float(m.amount_min) * 0.95
        high = float(m.amount_max if m.amount_max is not None else m.amount) * 1.05
    else:
        lo_f, hi_f = _QUALIFIER_SPAN.get(m.qualifier, _QUALIFIER_SPAN["about"])
        low, high = amount * lo_f, amount * hi_f
    if unit == "USD" and high * rate < MIN_AMOUNT_USD:
        return None
    return AmountRange(low * rate, high * rate, unit)


def evidence_of(
    article: Article,
    extraction: Extraction,
    at: datetime,
    org_roots: Mapping[str, str] | None = None,
) -> ArticleEvidence:
    """Build the evidence of one article. `org_roots` maps an organization id to its top parent."""
    roots = org_roots or {}
    title_end = len(article.title)
    tokens = words(article.text)
    orgs = {roots.get(o, o) for o in extraction.org_ids}
    orgs.update(roots.get(m.org_id, m.org_id) for m in extraction.orgs)
    # Who the article is about: organizations in the headline, else all it names.
    parties = {roots.get(m.org_id, m.org_id) for m in extraction.orgs if m.start < title_end}
    parties = parties or orgs
    # A headline amount is what the story is about; summaries also cite earlier deals and totals.
    money = [m for m in extraction.money if m.start < title_end] or list(extraction.money)
    amounts = tuple(r for r in (amount_range(m) for m in money) if r is not None)
    # Surnames: articles often name a person in full once and by surname after.
    persons = frozenset(
        e.norm.split()[-1] for e in extraction.entities if e.label == "PER" and e.norm.strip()
    )
    places = frozenset(e.norm for e in extraction.entities if e.label == "LOC")
    terms = terms_of(article.text)
    signature = signature_of(tokens)
    # Names already counted as an organization, person or place are not counted twice.
    known = {w for e in extraction.entities for w in _TOKEN.findall(e.norm)}
    known.update(w for m in extraction.orgs for w in words(m.surface))
    text_hash = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
    return ArticleEvidence(
        key=article.key,
        language=article.language,
        at=at,
        title=article.title,
        canonical_url=article.canonical_url,
        content_hash=article.content_hash,
        text_hash=text_hash,
        signature=signature,
        orgs=frozenset(orgs),
        parties=frozenset(parties),
        amounts=amounts,
        persons=persons,
        places=places,
        terms=terms,
        title_terms=frozenset(t for t in terms_of(article.title) if not t.startswith("#")),
        numbers=frozenset(t for t in terms if t.startswith("#")),
        names=(names_of(article.title) | names_of(article.summary)) - known,
        bands=bands_of(signature),
    )


def estimated_jaccard(a: ArticleEvidence, b: ArticleEvidence) -> float:
    return float(np.count_nonzero(a.signature == b.signature)) / SIGNATURE_SIZE


def amounts_conflict(a: Iterable[AmountRange], b: Iterable[AmountRange]) -> bool:
    """Both sides state amounts in a common unit and none of them agree."""
    a, b = list(a), list(b)
    shared_units = {x.unit for x in a} & {y.unit for y in b}
    if not shared_units:
        return False
    return not any(x.overlaps(y) for x in a for y in b)
