"""The organization registry and the extraction gold sets are well-formed and agree with each other.

Extraction quality (issue 4) is measured against tests/data/gold_{en,de}.jsonl, so an annotation
typo would silently move the measured F1. These checks read the files only; the format is
described in tests/data/README.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml

from pipeline.settings import PROJECT_ROOT

REGISTRY = PROJECT_ROOT / "config" / "organizations.yaml"
DATA = Path(__file__).resolve().parents[1] / "data"
LANGUAGES = ("en", "de")

KINDS = {
    "big_tech", "ai_lab", "chipmaker", "bank", "investor", "automaker", "industrial", "telecom",
    "media", "retail", "energy", "pharma", "regulator", "exchange", "government", "other",
}  # fmt: skip
CATEGORIES = {
    "deal_talks", "funding", "acquisition", "earnings", "fine", "layoffs", "ipo", "markets",
    "no_money", "other",
}  # fmt: skip
QUALIFIERS = {None, "up_to", "about", "more_than", "less_than", "nearly", "at_least", "range"}
CURRENCIES = {"USD", "EUR", "GBP", "CHF", "JPY", "CNY", "KRW", "INR", "DKK", "SEK", "NOK", "SGD", "CAD", "AUD", "HKD"}  # fmt: skip
ORG_KEYS = {"id", "name", "kind", "names", "aliases", "tickers", "parent"}
RECORD_KEYS = {"id", "language", "category", "text", "orgs", "money"}
MONEY_KEYS = {"amount", "currency", "qualifier", "min", "max", "surface"}
# fmt: off
LEGAL_FORMS = ("Inc.", "Inc", "Corp.", "Corp", "AG", "SE", "GmbH", "plc", "Ltd", "LLC", "KGaA", "N.V.")
# fmt: on
# Names where the legal form is what distinguishes two registry organizations (see the YAML header).
LEGAL_FORM_NAMES = {"Porsche SE", "Merck KGaA"}

# Words a qualified amount starts with, per language; the surface must include them.
QUALIFIER_WORDS = {
    "en": {
        "up_to": ("up to", "as much as"),
        "about": ("about", "roughly", "around", "some", "near", "approximately"),
        "more_than": ("more than", "above", "over"),
        "less_than": ("less than", "below", "under"),
        "nearly": ("nearly", "almost"),
        "at_least": ("at least",),
        "range": ("between",),
    },
    "de": {
        "up_to": ("bis zu",),
        "about": ("rund", "etwa", "circa", "ca.", "ungefähr"),
        "more_than": ("mehr als", "über", "gut"),
        "less_than": ("weniger als", "unter"),
        "nearly": ("knapp", "fast", "beinahe", "nahezu"),
        "at_least": ("mindestens",),
        "range": ("zwischen",),
    },
}
# Something in the surface that names the currency.
CURRENCY_MARKERS = {
    "USD": ("$", "Dollar", "USD", "cents", "Cent"),
    "EUR": ("€", "euro", "Euro", "EUR"),
    "GBP": ("£", "pound", "Pfund", "GBP"),
    "CHF": ("CHF", "franc", "Franken"),
    "JPY": ("yen", "Yen", "JPY"),
    "CNY": ("yuan", "Yuan", "CNY"),
    "KRW": ("won", "Won", "KRW"),
    "INR": ("rupee", "Rupien", "INR"),
    "DKK": ("kroner", "Kronen", "DKK"),
    "SGD": ("S$", "Singapur-Dollar", "SGD"),
}
# Scale words: "Billion" is 1e12 in German, "billion" 1e9 in English.
SCALES = {
    "en": [
        (r"trillion|tn", Decimal("1e12")),
        (r"billion|bn|B", Decimal("1e9")),
        (r"million|mn|m|M", Decimal("1e6")),
        (r"cents", Decimal("0.01")),
    ],
    "de": [
        (r"Billionen|Billion|Bio\.", Decimal("1e12")),
        (r"Milliarden|Milliarde|Mrd\.", Decimal("1e9")),
        (r"Millionen|Million|Mio\.", Decimal("1e6")),
        (r"Cent", Decimal("0.01")),
    ],
}
# fmt: off
NUMBER_WORDS = {
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12},
    "de": {"ein": 1, "eine": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
           "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12},
}
# fmt: on
NUMERALS = {
    "en": r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?",
    "de": r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?",
}


@cache
def registry() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))["organizations"])


@cache
def gold(lang: str) -> tuple[dict, ...]:
    path = DATA / f"gold_{lang}.jsonl"
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number}: blank line"
        records.append(json.loads(line))
    return tuple(records)


def forms(org: dict, lang: str) -> list[str]:
    """Every surface form of `org` valid in `lang`."""
    return list(org["names"][lang]) + list(org["aliases"])


def numbers_in(surface: str, lang: str) -> list[Decimal]:
    """Numbers written in an amount, in order: digits in the language's convention or words."""
    # digits may touch a scale suffix ("€1.2bn"), number words stand alone
    words = "|".join(NUMBER_WORDS[lang])
    pattern = rf"(?<![\d.,])(?:{NUMERALS[lang]})(?!\d)|\b(?:{words})\b"
    found = []
    for token in re.findall(pattern, surface):
        if token in NUMBER_WORDS[lang]:
            found.append(Decimal(NUMBER_WORDS[lang][token]))
        elif lang == "en":
            found.append(Decimal(token.replace(",", "")))
        else:
            found.append(Decimal(token.replace(".", "").replace(",", ".")))
    return found


def scale_of(surface: str, lang: str) -> Decimal:
    for pattern, factor in SCALES[lang]:
        if re.search(rf"(?<![A-Za-zäöü])(?:{pattern})(?![A-Za-zäöü])", surface):
            return factor
    return Decimal(1)


# --- registry ---------------------------------------------------------------------------------


def test_registry_has_enough_well_formed_organizations() -> None:
    orgs = registry()
    assert len(orgs) >= 150
    for org in orgs:
        where = f"organization {org.get('id')!r}"
        assert set(org) == ORG_KEYS, f"{where}: keys {sorted(set(org) ^ ORG_KEYS)}"
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", org["id"]), where
        assert isinstance(org["name"], str) and org["name"].strip(), where
        assert org["kind"] in KINDS, f"{where}: kind {org['kind']!r}"
        assert set(org["names"]) == set(LANGUAGES), f"{where}: names needs en and de lists"
        strings = [*org["names"]["en"], *org["names"]["de"], *org["aliases"], *org["tickers"]]
        # YAML turns bare 0700, NO or 1e3 into numbers/booleans: every form must stay a string
        assert all(isinstance(s, str) and s.strip() == s and s for s in strings), where
        assert org["names"]["en"] or org["aliases"], f"{where}: no English form"
        assert org["names"]["de"] or org["aliases"] or org["id"] == "visa", (
            f"{where}: no German form"
        )


def test_registry_ids_unique_and_parents_form_a_forest() -> None:
    orgs = registry()
    ids = [o["id"] for o in orgs]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    by_id = {o["id"]: o for o in orgs}
    for org in orgs:
        seen = {org["id"]}
        parent = org["parent"]
        while parent is not None:
            assert parent in by_id, f"{org['id']}: parent {parent!r} is not a registry id"
            assert parent not in seen, f"{org['id']}: parent cycle through {parent!r}"
            seen.add(parent)
            parent = by_id[parent]["parent"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_surface_form_belongs_to_two_organizations(lang: str) -> None:
    owner: dict[str, str] = {}
    clashes = []
    for org in registry():
        for form in forms(org, lang):
            key = form.casefold()
            if owner.setdefault(key, org["id"]) != org["id"]:
                clashes.append(f"{form!r}: {owner[key]} and {org['id']}")
    assert clashes == []


def test_registry_names_are_base_names() -> None:
    suffixed = [
        form
        for org in registry()
        for lang in LANGUAGES
        for form in forms(org, lang)
        if form.endswith(tuple(f" {lf}" for lf in LEGAL_FORMS)) and form not in LEGAL_FORM_NAMES
    ]
    assert suffixed == []


def test_registry_covers_the_organizations_the_issue_names() -> None:
    by_id = {o["id"]: o for o in registry()}

    def root(oid: str) -> str:
        while by_id[oid]["parent"]:
            oid = by_id[oid]["parent"]
        return oid

    must = """openai anthropic mistral-ai aleph-alpha deepmind xai nvidia intel tsmc asml infineon
    deutsche-bank commerzbank dz-bank kfw softbank blackrock sequoia volkswagen bmw mercedes-benz
    porsche tesla siemens sap allianz basf bayer deutsche-telekom lufthansa sec ftc
    european-commission bafin bundeskartellamt ecb federal-reserve nyse nasdaq deutsche-boerse"""
    assert [i for i in must.split() if i not in by_id] == []
    for child, ancestor in [("aws", "amazon"), ("instagram", "meta"), ("whatsapp", "meta"),
                            ("youtube", "alphabet"), ("deepmind", "alphabet"), ("azure", "microsoft"),
                            ("github", "microsoft"), ("linkedin", "microsoft")]:  # fmt: skip
        assert root(child) == ancestor, child
    german = {f for o in registry() for f in forms(o, "de")}
    for form in ("EZB", "Europäische Zentralbank", "US-Notenbank Fed", "Bundesnetzagentur",
                 "Deutsche Bahn", "EU-Kommission", "Bundeskartellamt", "Deutsche Börse"):  # fmt: skip
        assert form in german, form
    assert len({o["kind"] for o in registry()}) >= 14


# --- gold sets --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_gold_records_have_the_contract_shape(lang: str) -> None:
    records = gold(lang)
    assert len(records) >= 160
    for record in records:
        assert set(record) == RECORD_KEYS, record.get("id")
        assert re.fullmatch(rf"{lang}-\d{{3}}", record["id"]), record["id"]
        assert record["language"] == lang, record["id"]
        assert record["category"] in CATEGORIES, record["id"]
        assert isinstance(record["text"], str) and record["text"].strip() == record["text"] != ""
        assert isinstance(record["orgs"], list) and isinstance(record["money"], list)
    ids = [r["id"] for r in records]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_no_duplicate_sentences_within_or_across_languages() -> None:
    texts = [" ".join(r["text"].casefold().split()) for lang in LANGUAGES for r in gold(lang)]
    assert [t for t, n in Counter(texts).items() if n > 1] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_org_annotations_use_registry_ids_and_real_surfaces(lang: str) -> None:
    by_id = {o["id"]: o for o in registry()}
    form_owner = {f: o["id"] for o in registry() for f in forms(o, lang)}
    problems = []
    for record in gold(lang):
        text, rid = record["text"], record["id"]
        keys = []
        for org in record["orgs"]:
            surface = org.get("surface")
            if not isinstance(surface, str) or not surface or surface not in text:
                problems.append(f"{rid}: surface {surface!r} not in text")
                continue
            if org.get("id") is None:
                if set(org) != {"id", "name", "surface"} or not org["name"].strip():
                    problems.append(f"{rid}: unregistered org needs id null, name and surface")
                elif org["name"] in form_owner:
                    problems.append(
                        f"{rid}: {org['name']!r} is in the registry as {form_owner[org['name']]}"
                    )
                keys.append(org["name"].casefold())
                continue
            if set(org) != {"id", "surface"} or org["id"] not in by_id:
                problems.append(f"{rid}: unknown registry id {org.get('id')!r}")
                continue
            keys.append(org["id"])
            # a surface that is exactly some organization's form must carry that organization's id
            base = surface[:-1] if lang == "de" and surface[:-1] in form_owner else surface
            if base in form_owner and form_owner[base] != org["id"]:
                problems.append(
                    f"{rid}: {surface!r} belongs to {form_owner[base]}, not {org['id']}"
                )
        if len(keys) != len(set(keys)):
            problems.append(f"{rid}: an organization is listed twice")
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_money_annotations_are_well_formed_and_match_their_surface(lang: str) -> None:
    problems = []
    for record in gold(lang):
        text, rid = record["text"], record["id"]
        spans = []
        for money in record["money"]:
            where = f"{rid} {money.get('surface')!r}"
            if set(money) != MONEY_KEYS:
                problems.append(f"{where}: keys")
                continue
            surface, qualifier = money["surface"], money["qualifier"]
            if surface not in text:
                problems.append(f"{where}: not in text")
                continue
            start = text.index(surface)
            spans.append((start, start + len(surface)))
            values = [money["amount"], money["min"], money["max"]]
            if not all(v is None or re.fullmatch(r"(0|[1-9]\d*)(\.\d*[1-9])?", v) for v in values):
                problems.append(f"{where}: amounts must be canonical decimal strings")
                continue
            amount = Decimal(money["amount"])
            if money["currency"] not in CURRENCIES or amount <= 0 or qualifier not in QUALIFIERS:
                problems.append(f"{where}: currency, amount or qualifier invalid")
                continue
            if not any(m in surface for m in CURRENCY_MARKERS[money["currency"]]):
                problems.append(f"{where}: surface does not name {money['currency']}")
            found = [n * scale_of(surface, lang) for n in numbers_in(surface, lang)]
            if qualifier == "range":
                lo, hi = money["min"], money["max"]
                if lo is None or hi is None or money["amount"] != hi or len(found) != 2:
                    problems.append(f"{where}: a range needs min, max, amount == max, two numbers")
                elif [Decimal(lo), Decimal(hi)] != found or Decimal(lo) >= Decimal(hi):
                    problems.append(f"{where}: min/max {lo}/{hi} disagree with {found}")
            else:
                if money["min"] is not None or money["max"] is not None:
                    problems.append(f"{where}: min/max only for ranges")
                if found != [amount]:
                    problems.append(f"{where}: amount {amount} disagrees with the surface {found}")
            lead = surface.casefold()
            starts = [q for q, words in QUALIFIER_WORDS[lang].items()
                      if lead.startswith(tuple(w + " " for w in words))]  # fmt: skip
            if qualifier in (None, "range"):
                if [q for q in starts if q != "range"]:
                    problems.append(
                        f"{where}: starts with qualifier words but qualifier is {qualifier}"
                    )
            elif starts != [qualifier]:
                problems.append(f"{where}: qualifier {qualifier} but surface starts {starts}")
        spans.sort()
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
            problems.append(f"{rid}: money surfaces overlap")
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_gold_sets_cover_categories_and_hard_cases(lang: str) -> None:
    records = gold(lang)
    by_category = Counter(r["category"] for r in records)
    assert set(by_category) == CATEGORIES and min(by_category.values()) >= 10, by_category
    words = NUMBER_WORDS[lang]
    for record in records:
        if record["category"] == "no_money":
            assert record["money"] == [], record["id"]
            # the point of the category: a number that is not money
            has_number = re.search(r"\d", record["text"]) or set(record["text"].split()) & set(
                words
            )
            assert has_number, record["id"]
    money = [m for r in records for m in r["money"]]
    assert len(money) >= 140
    assert {m["qualifier"] for m in money} == QUALIFIERS
    assert len({m["currency"] for m in money} - {"USD", "EUR"}) >= 5
    assert sum(len(r["money"]) >= 2 for r in records) >= 20
    assert sum(not r["orgs"] for r in records) <= 5
    # the discovery path: organizations that are not in the registry
    mentions = [o for r in records for o in r["orgs"]]
    unregistered = sum(o["id"] is None for o in mentions) / len(mentions)
    assert 0.15 <= unregistered <= 0.35, unregistered
    registered = {o["id"] for o in mentions if o["id"]}
    kinds = {o["kind"] for o in registry() if o["id"] in registered}
    assert len(registered) >= 100 and len(kinds) >= 12, (len(registered), kinds)
