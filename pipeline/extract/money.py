"""Money amounts in English and German text, found by patterns and normalized.

Patterns decide, in both languages: the German models have no MONEY label and the English
model's MONEY spans include share prices, bare numbers and wrong scales. A mention needs a
currency (symbol, ISO code or word); percentages, years, share counts and bare numbers are
never money.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from pipeline.records import MoneyMention

# Approximate reference rates (USD per unit, late 2025), for ranking and thresholds only:
# amount_usd is a rough comparable figure, never an accounting value.
USD_PER_UNIT: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CHF": Decimal("1.13"),
    "JPY": Decimal("0.0067"),
    "CNY": Decimal("0.14"),
    "CAD": Decimal("0.73"),
    "AUD": Decimal("0.66"),
    "HKD": Decimal("0.128"),
    "SGD": Decimal("0.75"),
    "NZD": Decimal("0.60"),
    "INR": Decimal("0.012"),
    "KRW": Decimal("0.00073"),
    "SEK": Decimal("0.095"),
    "NOK": Decimal("0.093"),
    "DKK": Decimal("0.145"),
}

# Symbols and codes written before the number; the longest alternatives come first.
_PREFIX_SYMBOLS = {
    "US$": "USD",
    "U.S.$": "USD",
    "U.S. $": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "HK$": "HKD",
    "S$": "SGD",
    "NZ$": "NZD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
}
_CODES = tuple(USD_PER_UNIT) + ("RMB",)
_CODE_ALIASES = {"RMB": "CNY"}

# Currency words written after the number (matched case-insensitively), longest first.
_CURRENCY_WORDS: list[tuple[str, str]] = [
    (r"u\.?s\.?[- ]dollars?", "USD"),
    (r"us-dollars?", "USD"),
    (r"(?:canadian|kanadischen?) dollars?", "CAD"),
    (r"(?:australian|australischen?) dollars?", "AUD"),
    (r"(?:hong ?kong|hongkong)[- ]dollars?", "HKD"),
    (r"(?:singapore|singapur)[- ]dollars?", "SGD"),
    (r"(?:new zealand|neuseeland)[- ]dollars?", "NZD"),
    (r"dollars?", "USD"),
    (r"euros?", "EUR"),
    (r"pounds? sterling|pfund sterling|pounds?|pfund|sterling", "GBP"),
    (r"(?:swiss|schweizer) (?:francs?|franken)|francs?|franken", "CHF"),
    (r"japanese yen|yen", "JPY"),
    (r"chinese yuan|yuan|renminbi", "CNY"),
    (r"indian rupees|rupees|rupien", "INR"),
    (r"(?:swedish|schwedischen?) (?:kronor|kronen)", "SEK"),
    (r"(?:norwegian|norwegischen?) (?:kroner|kronen)", "NOK"),
    (r"(?:danish|dänischen?) (?:kroner|kronen)", "DKK"),
    (r"(?:south korean |südkoreanische )?won", "KRW"),  # only after a scale word: "won" is a verb
]
# Hundredths written as words: "27 cents" (USD in English, EUR in German), "40 pence".
_SUBUNITS: dict[str, dict[str, str]] = {
    "cent": {"en": "USD", "de": "EUR"},
    "cents": {"en": "USD", "de": "EUR"},
    "us-cent": {"en": "USD", "de": "USD"},
    "us-cents": {"en": "USD", "de": "USD"},
    "euro-cent": {"en": "EUR", "de": "EUR"},
    "euro-cents": {"en": "EUR", "de": "EUR"},
    "pence": {"en": "GBP", "de": "GBP"},
}
_POSTFIX_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "twenty": 20, "half a": Decimal("0.5"),
    "ein": 1, "eine": 1, "einer": 1, "einem": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4,
    "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "zwölf": 12,
    "elf": 11, "fünfzehn": 15, "zwanzig": 20, "dreißig": 30, "fünfzig": 50, "hundert": 100,
    "eleven": 11, "fifteen": 15, "thirty": 30, "fifty": 50, "hundred": 100,
    "anderthalb": Decimal("1.5"), "eineinhalb": Decimal("1.5"),
    "eine halbe": Decimal("0.5"), "einer halben": Decimal("0.5"),
}  # fmt: skip

# Scale words; German "Billion" is 10^12, resolved in _scale_value.
_SCALES: list[tuple[str, int]] = [
    (r"trillions?|tn|trn", 12),
    (r"billions?|bn|bln", 9),
    (r"millions?|mn|mln", 6),
    (r"thousand", 3),
    (r"billionen|bio\.", 12),
    (r"milliarden|milliarde|mrd\.?", 9),
    (r"millionen|million|mio\.?", 6),
    (r"tausend|tsd\.?", 3),
]
_SHORT_SCALES = {"k": 3, "m": 6, "b": 9, "t": 12}  # only when glued to the digits: "$300m"

_QUALIFIERS: list[tuple[str, str]] = [
    (r"up to|as much as|as many as|bis zu|bis zu rund", "up_to"),
    (r"more than|in excess of|upwards of|north of|over|above|just over|mehr als|über|gut|"
     r"knapp über|weit über|über", "more_than"),
    (r"less than|under|below|weniger als|unter", "less_than"),
    (r"nearly|almost|close to|just under|just shy of|knapp|fast|beinahe|nahezu|annähernd|"
     r"knapp unter", "nearly"),
    (r"at least|a minimum of|mindestens|wenigstens", "at_least"),
    (r"about|around|approximately|approx\.|roughly|some|circa|ca\.|an estimated|rund|etwa|"
     r"ungefähr|rd\.|schätzungsweise|geschätzte|geschätzten|near", "about"),
]  # fmt: skip


def _alt(options: list[str]) -> str:
    return "|".join(sorted(options, key=len, reverse=True))


_NUM = r"\d{1,3}(?:[.,\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
# Number words in lower case and capitalized; case-sensitive, which the regex engine scans fast.
_NUM_WORD = _alt([re.escape(f) for w in _NUMBER_WORDS for f in (w, w[0].upper() + w[1:])])
_SCALE_WORD = _alt([s for s, _ in _SCALES])
# A scale is a word after an optional space or hyphen, or a short letter glued to the digits.
_SCALE = rf"(?:[\s\u00a0-]?(?i:{_SCALE_WORD})(?![^\W\d_])|(?:k|m|bn|b|K|M|B|T)(?![^\W\d_]))"
# Each alternative starts with \b where it can: the engine then skips most positions quickly.
_DIGITS = rf"\b(?<![.,])(?:{_NUM})"
_WORDS = rf"\b(?:{_NUM_WORD})(?=\s)"
_AMOUNT = rf"(?:{_DIGITS}|{_WORDS})"
_PRE = (
    "(?:[$€£¥₹]|\\b(?:"
    + _alt(
        [re.escape(s) for s in _PREFIX_SYMBOLS if s[0].isalpha()]
        + [rf"{c}(?=[\s\u00a0]?\d)" for c in _CODES]
    )
    + "))"
)
_POST = _alt(
    [w for w, _ in _CURRENCY_WORDS]
    + list(_SUBUNITS)
    + [re.escape(s) for s in _POSTFIX_SYMBOLS]
    + [rf"(?-i:{c})" for c in _CODES]
)
_RANGE_SEP = r"\s?[-–—]\s?|\s+(?:to|bis|auf)\s+"
_BETWEEN_SEP = r"\s+(?:and|und)\s+"
_QUALIFIER = _alt([q for q, _ in _QUALIFIERS])


def _core_prefix(sep: str) -> str:
    """`$40–50 billion`, `US$50bn`, `€1.5bn`, `$40 billion to $50 billion`."""
    return (
        rf"(?P<pre>{_PRE})[\s\u00a0]?(?P<n1>{_AMOUNT})(?P<s1>{_SCALE})?"
        rf"(?:(?P<sep>{sep})(?P<pre2>{_PRE})?[\s\u00a0]?(?P<n2>{_AMOUNT})(?P<s2>{_SCALE})?)?"
        r"(?![\w])"
    )


def _core_postfix(sep: str, first: str = _AMOUNT) -> str:
    """`50 Milliarden US-Dollar`, `1,5 Mrd. Euro`, `40 bis 50 Mrd. Dollar`, `2 Mio. EUR`."""
    return (
        rf"(?P<n1>{first})(?P<s1>{_SCALE})?"
        rf"(?:(?P<sep>{sep})(?P<n2>{_AMOUNT})(?P<s2>{_SCALE})?)?"
        rf"[\s\u00a0-]?(?P<post>(?i:{_POST}))(?![^\W_])"
    )


_BETWEEN_PATTERNS = [
    re.compile(rf"(?i:between|zwischen)\s+{_core_prefix(_BETWEEN_SEP)}"),
    re.compile(rf"(?i:between|zwischen)\s+{_core_postfix(_BETWEEN_SEP)}"),
]
_PATTERNS = [
    re.compile(_core_prefix(_RANGE_SEP)),
    re.compile(_core_postfix(_RANGE_SEP, _DIGITS)),
]
# "eine Milliarde Euro", "half a billion dollars": only tried where a scale word occurs.
_WORD_PATTERN = re.compile(_core_postfix(_RANGE_SEP, _WORDS))
_SCALE_HINTS = ("illion", "illiard", "mrd", "mio", "bn", "tausend", "thousand")
# A qualifier is looked for right before a match (cheaper than in every pattern's head).
_QUALIFIER_BEFORE = re.compile(rf"(?<!\w)(?i:{_QUALIFIER})\s+$")
_QUALIFIER_REACH = 30
# Any currency sign, code or word; money patterns are tried only around these.
# Searched in the lower-cased text: case-sensitive word-boundary alternations scan fast.
_ANCHOR = re.compile(
    r"[$€£¥₹]|\b(?:" + "|".join(c.lower() for c in _CODES) + "|dollar|euro|pound|pfund|"
    "sterling|franc|franken|yen|yuan|renminbi|rupee|rupien|kronor|kroner|kronen|won|cent|pence)"
)
_BEFORE_ANCHOR = 90  # "between 40 billion and 50 billion" + qualifier, before "dollars"
_AFTER_ANCHOR = 60  # "$40 billion to $50 billion" after "$"
_CURRENCY_WORD_RES = [(re.compile(rf"(?i:{w})$"), code) for w, code in _CURRENCY_WORDS]
_SCALE_RES = [(re.compile(rf"(?i:{s})$"), exp) for s, exp in _SCALES]
_QUALIFIER_RES = [(re.compile(rf"(?i:{q})$"), name) for q, name in _QUALIFIERS]
# "from $40bn to $50bn" / "von 40 auf 50": a change between two amounts, not a range.
_CHANGE_LEAD = re.compile(r"(?i:\b(?:from|von))\s+$")
_YEAR = re.compile(r"(?:19|20)\d\d$")


def find_money(text: str, language: str) -> list[MoneyMention]:
    """Every money amount in `text` ("en" or "de"), left to right, spans never overlapping."""
    candidates: list[MoneyMention] = []
    # The full patterns only run near a currency sign, code or word: every amount has one,
    # and most text has none, which keeps this cheap next to the NER model.
    for start, end in _windows(text):
        window = text[start:end].lower()
        between = "between" in window or "zwischen" in window
        patterns = _BETWEEN_PATTERNS + _PATTERNS if between else list(_PATTERNS)
        if any(hint in window for hint in _SCALE_HINTS):
            patterns.append(_WORD_PATTERN)
        for pattern in patterns:
            for match in pattern.finditer(text, start, end):
                q = _QUALIFIER_BEFORE.search(text, max(0, match.start() - _QUALIFIER_REACH),
                                             match.start())  # fmt: skip
                candidates.extend(_mentions(match, q, text, language))
    return _leftmost_longest(candidates)


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged spans around currency anchors, wide enough for qualifier, range and scale."""
    windows: list[tuple[int, int]] = []
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two ("İ"): keep offsets
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    for anchor in _ANCHOR.finditer(lowered):
        start = max(0, anchor.start() - _BEFORE_ANCHOR)
        end = min(len(text), anchor.end() + _AFTER_ANCHOR)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _leftmost_longest(candidates: list[MoneyMention]) -> list[MoneyMention]:
    chosen: list[MoneyMention] = []
    for cand in sorted(candidates, key=lambda m: (m.start, -(m.end - m.start))):
        if chosen and cand.start < chosen[-1].end:
            continue
        chosen.append(cand)
    return chosen


def _mentions(
    match: re.Match[str], q: re.Match[str] | None, text: str, language: str
) -> list[MoneyMention]:
    groups = match.groupdict()
    currency = _currency(groups.get("pre"), groups.get("post"), language)
    n1 = _number(groups["n1"], language)
    if currency is None or n1 is None:
        return []
    s1 = _scale_value(groups.get("s1"), language)
    post = (groups.get("post") or "").lower()
    if post.endswith("won") and s1 is None and groups.get("s2") is None:
        return []  # "won" without "million"/"billion" before it is the verb
    if post in _SUBUNITS:
        s1 = (s1 or Decimal(1)) / 100
    if groups.get("n2") is None:
        if s1 is None and (_is_word(groups["n1"]) or _looks_like_year(groups, text, match.end())):
            return []  # "a dollar" or "im Jahr 2024 Euro-Anleihen"
        amount = n1 * s1 if s1 else n1
        return [
            _single(
                match, q, text, match.start("pre" if groups.get("pre") else "n1"), amount, currency
            )
        ]
    n2 = _number(groups["n2"], language)
    if n2 is None:
        return []
    s2 = _scale_value(groups.get("s2"), language)
    low, high = n1 * (s1 or s2 or 1), n2 * (s2 or 1)
    start = q.start() if q else match.start()
    sep = groups["sep"].strip().lower()
    # "from X to Y" and "von X auf Y" are changes; "von X bis Y" is a range.
    changed = sep in ("to", "auf") and _CHANGE_LEAD.search(text[max(0, start - 8) : start])
    if changed or sep == "auf":
        # "from $40bn to $50bn", "von 40 auf 50 Mrd. Euro": two amounts, not a range; after
        # "auf" without "von" the first number is something else ("2024 auf 50 Mrd.").
        second = _single(
            match, q, text, match.start("pre2" if groups.get("pre2") else "n2"), high, currency
        )
        if not changed:
            return [second]
        first_end = match.end("s1") if groups.get("s1") else match.end("n1")
        first = _single(
            match, q, text, match.start("pre" if groups.get("pre") else "n1"), low, currency
        )
        first = replace(first, end=first_end, surface=text[first.start : first_end])
        return [first, second]
    if low >= high:
        return []  # "10-5" is no range of money
    return [
        MoneyMention(
            start=start,
            end=match.end(),
            amount=_plain(high),
            currency=currency,
            surface=text[start : match.end()],
            qualifier="range",
            amount_min=_plain(low),
            amount_max=_plain(high),
            amount_usd=to_usd(high, currency),
        )
    ]


def _is_word(raw: str) -> bool:
    return not raw[:1].isdigit()


def _single(
    match: re.Match[str],
    q: re.Match[str] | None,
    text: str,
    start: int,
    amount: Decimal,
    currency: str,
) -> MoneyMention:
    """One amount ending where the match ends (or earlier, adjusted by the caller)."""
    # The qualifier belongs to the first amount only.
    qualifier = None
    if q and start <= match.start("n1"):
        qualifier = _qualifier(q.group(), text, q.start())
    if qualifier and q:
        start = q.start()
    amount = _plain(amount)
    return MoneyMention(
        start=start,
        end=match.end(),
        amount=amount,
        currency=currency,
        surface=text[start : match.end()],
        qualifier=qualifier,
        amount_usd=to_usd(amount, currency),
    )


def _looks_like_year(groups: dict, text: str, end: int) -> bool:
    """A year before a currency compound ("im Jahr 2024 Euro-Anleihen") is not an amount."""
    return (
        groups.get("post") is not None
        and _YEAR.match(groups["n1"]) is not None
        and text[end : end + 1] == "-"
    )


def _qualifier(raw: str | None, text: str, start: int) -> str | None:
    if not raw:
        return None
    word = " ".join(raw.split()).lower()
    # German "Auftrag über 2 Mrd. Euro" means "worth": after a noun "über" is no qualifier.
    if word == "über" and _after_noun(text, start):
        return None
    for regex, name in _QUALIFIER_RES:
        if regex.match(word):
            return name
    return None


def _after_noun(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    words = before.split()
    if not words:
        return False
    last = words[-1]
    sentence_start = len(words) == 1 or words[-2].endswith((".", ":", "!", "?"))
    return last[:1].isupper() and not sentence_start and last.isalpha()


def _currency(pre: str | None, post: str | None, language: str) -> str | None:
    if pre:
        pre = re.sub(r"\s+", " ", pre)
        if pre in _PREFIX_SYMBOLS:
            return _PREFIX_SYMBOLS[pre]
        return _CODE_ALIASES.get(pre, pre)
    if not post:
        return None
    post = " ".join(post.split())
    if post in _POSTFIX_SYMBOLS:
        return _POSTFIX_SYMBOLS[post]
    if post.lower() in _SUBUNITS:
        return _SUBUNITS[post.lower()].get(language, "USD")
    if post in _CODES:
        return _CODE_ALIASES.get(post, post)
    for regex, code in _CURRENCY_WORD_RES:
        if regex.match(post):
            return code
    return None


def _scale_value(raw: str | None, language: str) -> Decimal | None:
    if not raw:
        return None
    word = raw.strip(" \u00a0-")
    if word in _SHORT_SCALES or word.lower() in _SHORT_SCALES and word in "KMBT":
        return Decimal(10) ** _SHORT_SCALES[word.lower()]
    # Capitalized "Billion" in German text is 10^12; in English (or lowercase) it is 10^9.
    if language == "de" and word.startswith("Billion") and word[:1].isupper():
        return Decimal(10) ** 12
    for regex, exp in _SCALE_RES:
        if regex.match(word):
            return Decimal(10) ** exp
    return None


def _number(raw: str, language: str) -> Decimal | None:
    """A written number as Decimal: "1,5" (de) and "1.5" (en) are 1.5, "1.500" (de) is 1500."""
    word = " ".join(raw.split()).lower()
    if word in _NUMBER_WORDS:
        return Decimal(_NUMBER_WORDS[word])
    digits = raw.replace("\u202f", "")
    group_sep = "." if language == "de" else ","
    decimal_sep = "," if language == "de" else "."
    seps = [ch for ch in digits if ch in ".,"]
    if len(set(seps)) == 2:
        decimal_sep = seps[-1]
        group_sep = "," if decimal_sep == "." else "."
    elif len(seps) > 1:
        group_sep = seps[0]  # "1.500.000" or "1,500,000": repeated means thousands
    elif len(seps) == 1:
        sep = seps[0]
        tail = digits.split(sep)[1]
        # One separator: a thousands group only if it is this language's and 3 digits follow.
        if sep == group_sep and len(tail) == 3:
            decimal_sep = "-"  # none
        else:
            decimal_sep, group_sep = sep, "-"
    normalized = digits.replace(group_sep, "").replace(decimal_sep, ".")
    try:
        return Decimal(normalized)
    except InvalidOperation:
        return None


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros and exponents: Decimal("1.5E+9") becomes Decimal("1500000000")."""
    normalized = value.normalize()
    return Decimal(format(normalized, "f"))


def to_usd(amount: Decimal, currency: str) -> Decimal | None:
    """Approximate USD value at the reference rates above; None for unknown currencies."""
    rate = USD_PER_UNIT.get(currency)
    if rate is None:
        return None
    return (amount * rate).quantize(Decimal("1"))


def amount_text(value: Decimal | None) -> str | None:
    """A Decimal as a plain string in units ("50000000000"), for JSON output."""
    return None if value is None else format(_plain(value), "f")
