"""Language-free keys for names: case and diacritics folded, legal forms stripped."""

from __future__ import annotations

import re
import unicodedata

# Legal-form and corporate suffixes, as lowercase word sequences (punctuation ignored).
LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(
    tuple(form.split())
    for form in (
        "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc",
        "llp", "lp", "plc", "ag", "se", "gmbh", "mbh", "kg", "kgaa", "ohg", "ug", "eg", "ev",
        "gmbh co kg", "ag co kg", "se co kgaa", "ag co kgaa", "co kg", "co kgaa", "nv", "n v",
        "bv", "b v", "sa", "s a", "sas", "sarl", "spa", "s p a", "srl", "ab", "asa", "a s", "as",
        "oyj", "kk", "pte", "pty", "pty ltd", "holdings", "holding", "group", "gruppe", "com",
    )
)  # fmt: skip
_LEGAL_SET = frozenset(LEGAL_FORMS)
# Keys of business terms that look like names but are no organization (the EU is a union of
# states; stories track companies and agencies): never stored as discovered organizations.
NOT_ORGANIZATIONS = frozenset(
    re.split(
        r"\s+",
        "ai a-i ki ipo ipos eu us u-s usa uk ceo cfo cto coo gdp bip etf etfs esg api gpu gpus "
        "cpu llm euv ev evs m-a r-d q1 q2 q3 q4 fy dax mdax sdax tecdax nasdaq-100 s-p-500 dow",
    )
)
_MAX_FORM = max(len(f) for f in LEGAL_FORMS)
_WORD = re.compile(r"[^\W_]+")
# Umlauts and sharp s folded the way German writes them without diacritics.
_GERMAN = str.maketrans({"ß": "ss", "ẞ": "ss"})


def fold(text: str) -> str:
    """Lowercase, no diacritics, single spaces: "Société  Générale" -> "societe generale"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_GERMAN).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def org_key(name: str) -> str:
    """The key of an organization that is not in the registry.

    Words only, folded, with trailing legal forms and a leading article removed:
    "Mistral AI SAS" -> "mistral-ai", "Die Aleph Alpha GmbH" -> "aleph-alpha".
    Empty when nothing but legal forms remains.
    """
    words = _WORD.findall(fold(name))
    if words and words[0] in ("the", "der", "die", "das", "des", "dem", "den"):
        words = words[1:]
    if len(words) > 1 and words[-1] == "s" and "'" in name:
        words = words[:-1]  # English possessive "Acme's"
    stripped = True
    while stripped and len(words) > 1:
        stripped = False
        for size in range(min(_MAX_FORM, len(words) - 1), 0, -1):
            if tuple(words[-size:]) in _LEGAL_SET:
                words = words[:-size]
                stripped = True
                break
    if len(words) == 1 and (words[0],) in _LEGAL_SET:
        return ""
    return "-".join(words)


def is_legal_form(words: tuple[str, ...]) -> bool:
    """True for a folded word sequence such as ("gmbh",) or ("co", "kg")."""
    return words in _LEGAL_SET
