"""Organizations outside the registry, found by how news text introduces them.

Business news names an unfamiliar company with a descriptor right before it ("battery maker
Varta", "der Batteriehersteller Varta", "des Cybersicherheitsspezialisten Wiz"), with a
descriptor after it ("Lilium, the air taxi developer"), or with its legal form ("Ostwind
Logistik GmbH"). These cues work without a statistical model, which matters in German, where
none may be installed. Mentions found this way have source "pattern".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from pipeline.extract.normalize import LEGAL_FORMS, NOT_ORGANIZATIONS, org_key
from pipeline.records import OrgMention


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Descriptor nouns that introduce an organization's name. English words are matched whole or
# as the end of a compound ("chipmaker"); German ones as the end of a compound in any case
# ("Batteriehersteller", "des Zulieferers", "US-Konzern").
_EN_CUES = frozenset(
    _words("""
    maker makers firm firms company group startup start-up supplier rival rivals competitor
    specialist developer lender bank insurer reinsurer retailer manufacturer provider operator
    conglomerate giant unit arm subsidiary owner investor investors fund platform producer
    shipbuilder builder distributor brand airline broker fintech utility miner outfit studio
    publisher exchange consultancy carrier manager buyer acquirer peer peers label
    """)
)
_EN_CUE_ENDINGS = ("maker", "builder", "-backed", "-based")
_DE_CUE = re.compile(
    "(?:"
    + "|".join(
        _words("""
        konzern hersteller zulieferer firma unternehmen startup start-up versicherer händler
        investor investoren entwickler anbieter betreiber rivale konkurrent spezialist tochter
        sparte gruppe marke plattform fonds autobauer bauer mittelständler dienstleister
        produzent reederei airline fluggesellschaft holding bank geldhaus institut riese gigant
        werft fintech ausrüster lieferdienst versorger verwalter kette börse kunde käufer
        partner vermarkter softwarehaus
        """)
    )
    + ")(?:s|es|n|en)?$"
)
# Heads that are part of the name itself: "Bank Vontobel", "Sparkasse Hannover".
_NAME_HEADS = frozenset(_words("Bank Sparkasse Volksbank Kreissparkasse Stadtsparkasse"))
# Capitalized words that follow a descriptor without being a name.
_NOT_NAMES = frozenset(
    _words("""
    The A An This That These Those Its It In On At For Of And Or But As By With From To
    Der Die Das Den Dem Des Ein Eine Einer Einem Einen Im Am Vom Zum Zur Auf Aus Bei Mit Für
    Und Oder Nach Vor Über Unter Seit Bis Um Ende Anfang Mitte Milliarden Millionen Prozent
    Euro Dollar Franken Pfund Jahr Jahren Jahres Quartal Aktie Aktien Anteile Mitarbeiter
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Montag Dienstag Mittwoch Donnerstag
    Freitag Samstag Sonntag Januar Februar März Juni Juli Oktober Dezember CEO AI KI IPO
    US USA EU UK Chef Chefin Vorstand Analysten Anleger Kunden Investoren
    """)
)
# German common nouns by their shape: abstract suffixes, and umlaut plurals ("Rückkäufe").
_GERMAN_NOUN = re.compile(
    r"(?:ung|ungen|heit|heiten|keit|keiten|schaft|schaften|tion|tionen|ität|nis|nisse)$"
    r"|(?:äu|[äöü])[^\Wäöüaeiouy]*e$"
)
_AFTER_CUE_ARTICLES = {"en": ("the", "a", "an"), "de": ("der", "die", "das", "ein", "eine")}
_MAX_NAME_WORDS = 4
# One-word legal forms that end a name ("GmbH", "AG", "Inc"); group words are descriptors here.
_MIXED_CASE_LEGAL_FORMS = frozenset(
    _words("Inc Corp Co Ltd GmbH KGaA Holdings Limited Corporation Incorporated Plc mbH Oyj Pty")
)
_ONE_WORD_LEGAL_FORMS = frozenset(
    form[0]
    for form in LEGAL_FORMS
    if len(form) == 1 and form[0] not in ("group", "gruppe", "holding", "company", "com")
)
_GROUP_COMPOUND = re.compile(r"^[A-ZÄÖÜ][\w]+-[\w]*[Gg]ruppe$")

# Words: glued runs of letters, digits and in-word punctuation ("Run:ai", "V4Drive", "1&1").
# Sentence punctuation is kept as its own token so names never run across it.
_WORD = re.compile(r"[^\W_](?:[\w&'’:.\-]*[^\W_])?|[,;&.!?:]")


class _Word(NamedTuple):
    text: str
    start: int
    end: int


def find_cued_orgs(text: str, language: str, taken: list[tuple[int, int]]) -> list[OrgMention]:
    """Organizations introduced by a descriptor or a legal form, outside the `taken` spans."""
    words = [_Word(m.group(), *m.span()) for m in _WORD.finditer(text)]
    found: list[OrgMention] = []
    spans = list(taken)
    for start, end in _candidates(words, language):
        start, end = _trim(words, start, end)
        if end <= start:
            continue
        first, last = words[start], words[end - 1]
        if any(first.start < t_end and t_start < last.end for t_start, t_end in spans):
            continue
        surface = text[first.start : last.end]
        key = org_key(surface)
        if len(key) < 2 or not any(ch.isalpha() for ch in key) or key in NOT_ORGANIZATIONS:
            continue
        found.append(OrgMention(first.start, last.end, key, surface, "pattern", name=surface))
        spans.append((first.start, last.end))
    found.sort(key=lambda m: m.start)
    return found


def _candidates(words: list[_Word], lang: str) -> Iterator[tuple[int, int]]:
    """(first, end) word-index ranges that look like organization names, best cues first."""
    for i in range(len(words)):
        if _is_legal_form_at(words, i):
            yield _name_start(words, i, lang), _legal_form_end(words, i)
    for i, word in enumerate(words):
        # Cheap tests first: a cue matters only before a capitalized (or digit-led) word.
        following = i + 1 < len(words) and (
            words[i + 1].text[0].isupper() or words[i + 1].text[0].isdigit()
        )
        if following and not _is_name_word(words[i + 1], lang):
            following = False
        if following and word.text in _NAME_HEADS:
            yield i, _name_end(words, i + 1, lang)
        elif following and _is_cue(word.text, lang):
            end = _name_end(words, i + 1, lang)
            yield i + 1, end
            # "an die Finanzinvestoren Brookfield und DigitalBridge"
            coordinated = end + 1 < len(words) and words[end].text in ("und", "and")
            if coordinated and _is_name_word(words[end + 1], lang):
                yield end + 1, _name_end(words, end + 1, lang)
        elif "-" in word.text and _GROUP_COMPOUND.search(word.text):
            yield i, i + 1  # "Schwarz-Gruppe", "Sparkassen-Finanzgruppe"
    yield from _described_after(words, lang)


def _is_cue(word: str, language: str) -> bool:
    lowered = word.lower()
    if language == "de":
        return lowered[:1].isalpha() and _DE_CUE.search(lowered) is not None
    return lowered in _EN_CUES or lowered.endswith(_EN_CUE_ENDINGS)


def _is_name_word(word: _Word, language: str = "en") -> bool:
    text = word.text
    if text in _NOT_NAMES or not text[0].isalnum():
        return False
    if language == "de" and not text.isupper() and _GERMAN_NOUN.search(text.lower()):
        return False
    if text[0].isdigit():
        return any(ch.isupper() for ch in text)  # "1&1" no, "N26"-like only with letters
    return text[0].isupper()


def _name_end(words: list[_Word], i: int, lang: str) -> int:
    """Index after the last word of the name starting at word i (up to four name words)."""
    end = i + 1
    while end < len(words) and end - i < _MAX_NAME_WORDS:
        word = words[end]
        if word.text == "&" and end + 1 < len(words) and _is_name_word(words[end + 1], lang):
            end += 2
            continue
        if not _is_name_word(word, lang) or _is_legal_form_at(words, end):
            break
        end += 1
    return _legal_form_end(words, end) if _is_legal_form_at(words, end) else end


def _is_legal_form_at(words: list[_Word], i: int) -> bool:
    """A legal form as companies write it: "AG", "SE", "LLC" in capitals, or "GmbH", "Inc"."""
    if i >= len(words):
        return False
    text = words[i].text
    if not text[0].isupper() or _plain(text) not in _ONE_WORD_LEGAL_FORMS:
        return False
    return text.isupper() or text in _MIXED_CASE_LEGAL_FORMS


def _legal_form_end(words: list[_Word], i: int) -> int:
    """Index after a legal form starting at word i ("GmbH", "GmbH & Co. KG")."""
    end = i + 1
    if end + 1 < len(words) and words[end].text == "&" and words[end + 1].text == "Co":
        end += 2
        if end < len(words) and words[end].text == ".":
            end += 1
        if end < len(words) and _is_legal_form_at(words, end):
            end += 1
    return end


def _name_start(words: list[_Word], i: int, lang: str) -> int:
    """First word of the name that ends right before word i (a legal form or a comma)."""
    start = i
    while start > 0 and i - start < _MAX_NAME_WORDS:
        prev = words[start - 1]
        # Before a legal form the words are a name whatever their shape ("& Söhne GmbH").
        if prev.text == "&" and start > 1 and _is_name_word(words[start - 2]):
            start -= 2
            continue
        if not _is_name_word(prev) or _is_cue(prev.text, lang):
            break
        start -= 1
    return start


def _described_after(words: list[_Word], language: str) -> Iterator[tuple[int, int]]:
    """ "Lilium, the electric air taxi developer, ..." : a name, a comma, an article, a cue."""
    articles = _AFTER_CUE_ARTICLES.get(language, ())
    for i, word in enumerate(words):
        if word.text != "," or i == 0 or i + 2 >= len(words):
            continue
        if words[i + 1].text.lower() not in articles:
            continue
        cue_at = next(
            (j for j in range(i + 2, min(i + 7, len(words))) if _is_cue(words[j].text, language)),
            None,
        )
        if cue_at is None or any(words[k].text in (",", ";") for k in range(i + 2, cue_at)):
            continue
        start = _name_start(words, i, language)
        if start < i:
            yield start, i


def _trim(words: list[_Word], start: int, end: int) -> tuple[int, int]:
    """Drop leading words that cannot begin a name (articles at a sentence start)."""
    while start < end and words[start].text in _NOT_NAMES:
        start += 1
    return start, end


def _plain(word: str) -> str:
    return word.lower().rstrip(".").replace(".", "")
