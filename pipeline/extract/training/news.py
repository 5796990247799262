"""Our own German news-style training sentences, with entity-swap augmentation.

The public corpora are Wikipedia, 2005–2010 news and court decisions; feed headlines and
teasers about deals read differently ("Der Münchner Konzern X übernimmt Y für 1,2 Milliarden
Euro"). news_de.txt holds sentences written for newsflow; each is also repeated with its
entities swapped for other names of the same label, so the model learns the contexts rather
than memorizing the few names in them. None of this is used for evaluation.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError

NEWS_FILE = Path(__file__).with_name("news_de.txt")

_MARK = re.compile(r"\[([^\]]+)\]\((PER|ORG|LOC)\)")

# Replacement names: invented companies in German naming styles plus a few real ones.
_ORG_STEMS = (
    "Nordwerk",
    "Alpenblick",
    "Kranich",
    "Quellbach",
    "Rheintal",
    "Brückner",
    "Lindholm",
    "Sternfeld",
    "Weserstahl",
    "Falkenau",
    "Tannberg",
    "Hafenlicht",
    "Eichgrund",
    "Moosach",
    "Silberfluss",
    "Greifwerk",
    "Mainbogen",
    "Elbkraft",
    "Birkenhof",
    "Sonnwald",
)
_ORG_KINDS = (
    "Logistik",
    "Energie",
    "Robotics",
    "Pharma",
    "Software",
    "Maschinenbau",
    "Bank",
    "Versicherung",
    "Solar",
    "Mobility",
    "Chemie",
    "Capital",
    "Systems",
    "Medizintechnik",
)
_ORG_FORMS = ("AG", "GmbH", "SE", "Holding", "Group", "KGaA", "")
_ORG_REAL = (
    "Siemens",
    "Zalando",
    "Bosch",
    "Allianz",
    "Hello Fresh",
    "Qualcomm",
    "Oracle",
    "Cisco",
    "Salesforce",
    "Ericsson",
    "Philips",
    "Volvo",
    "Toyota",
    "Sony",
    "Xiaomi",
    "Palantir",
    "Databricks",
    "Snowflake",
    "Scout24",
    "Auto1",
    "Traton",
    "Knorr-Bremse",
    "Symrise",
    "Brenntag",
    "Gea",
    "Aixtron",
    "Jenoptik",
    "Carl Zeiss",
    "Freenet",
    "United Internet",
    "1&1",
    "Ionos",
    "Commerzbank",
    "DZ Bank",
    "LBBW",
    "Helaba",
    "KfW",
    "Deka",
    "Union Investment",
    "Sparkasse KölnBonn",
    "Talanx",
    "Hannover Rück",
    "Ergo",
    "Generali",
    "Axa",
    "Zurich",
)
# Syllables for invented one-word names ("Torvalix", "Menadur"): news names an unfamiliar
# company by one word after a descriptor ("der Chemiekonzern Lanxess"), so the model has to
# learn the context, not the word.
_SYLLABLES = (
    "ka", "lo", "ver", "tan", "mi", "ro", "zen", "bel", "dor", "fin", "gra", "lux", "nor", "pi",
    "qua", "sel", "tri", "vo", "wen", "ex", "al", "mo", "sta", "rin", "te", "on", "bra", "cu",
)  # fmt: skip
_ENDINGS = ("", "", "a", "ix", "on", "us", "o", "is", "er", "tec", "ag")
_COMPOUND_HEADS = (
    "Chef", "Chefin", "Aktie", "Aktien", "Chips", "Werk", "Tochter", "Zentrale", "Sprecher",
    "Papiere", "Vorstand", "Modelle", "Software", "Konzern", "Gruppe", "Deal", "Übernahme",
    "Gründer", "Plattform", "Beteiligung", "Fabrik", "Produkte",
)  # fmt: skip
_FIRST_NAMES = (
    "Anna", "Jürgen", "Miriam", "Stefan", "Katrin", "Thomas", "Leyla", "Henrik", "Claudia",
    "Markus", "Yuki", "Sabine", "Paolo", "Nadine", "Florian", "Amelie", "Dirk", "Sophie", "Ralf",
    "Ines", "Olaf", "Birgit", "Kemal", "Jana", "Lukas", "Mei", "Tobias", "Ulrike", "Carlos",
)  # fmt: skip
_PER = (
    "Anna Becker",
    "Jürgen Hofmann",
    "Miriam Okafor",
    "Stefan Wiegand",
    "Katrin Lenz",
    "Thomas Albrecht",
    "Leyla Demir",
    "Henrik Sørensen",
    "Claudia Brandt",
    "Markus Vogel",
    "Yuki Tanaka",
    "Sabine Krüger",
    "Paolo Ricci",
    "Nadine Scholz",
    "Florian Weiß",
    "Amelie Hartmann",
    "Dirk Baumann",
    "Sophie Laurent",
    "Ralf Zimmermann",
    "Ines Kowalski",
    "Bernd",
    "Müller",
    "Schneider",
    "Keller",
    "Martina Graf-Seidel",
)
_LOC = (
    "Hamburg",
    "Leipzig",
    "Stuttgart",
    "Nürnberg",
    "Bremen",
    "Hannover",
    "Mannheim",
    "Zürich",
    "Basel",
    "Graz",
    "Linz",
    "Paris",
    "Mailand",
    "Madrid",
    "Warschau",
    "Prag",
    "Singapur",
    "Seoul",
    "Peking",
    "Schanghai",
    "Indien",
    "Brasilien",
    "Kanada",
    "Polen",
    "Österreich",
    "Schweiz",
    "Bayern",
    "Nordrhein-Westfalen",
    "Sachsen",
    "Hessen",
    "Kalifornien",
    "Ohio",
    "Rotterdam",
    "Antwerpen",
    "Oslo",
    "Helsinki",
)


@dataclass(frozen=True)
class MarkedSentence:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # character offsets and label


def parse_marked(line: str) -> MarkedSentence:
    """Plain text and entity spans of one "[surface](LABEL)" line."""
    text_parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(line):
        before = line[pos : m.start()]
        text_parts.append(before)
        length += len(before)
        text_parts.append(m.group(1))
        spans.append((length, length + len(m.group(1)), m.group(2)))
        length += len(m.group(1))
        pos = m.end()
    text_parts.append(line[pos:])
    text = "".join(text_parts)
    if "[" in text and "](" in line[pos:]:
        raise ConfigError(f"{NEWS_FILE.name}: unreadable markup in line {line!r}")
    return MarkedSentence(text, tuple(spans))


def read_news(path: Path = NEWS_FILE) -> list[MarkedSentence]:
    """The hand-written sentences (comment lines start with '#')."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse_marked(x.strip()) for x in lines if x.strip() and not x.startswith("#")]


def invented_word(rng: random.Random) -> str:
    """A capitalized pseudo-word that is no real name (and so in no training corpus)."""
    syllables = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return (syllables + rng.choice(_ENDINGS)).capitalize()


def _random_org(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(_ORG_REAL)
    if roll < 0.6:
        return invented_word(rng)
    if roll < 0.8:
        return f"{invented_word(rng)} {rng.choice(_ORG_FORMS[:4])}"
    name = f"{rng.choice(_ORG_STEMS)} {rng.choice(_ORG_KINDS)} {rng.choice(_ORG_FORMS)}"
    return name.strip()


def _random_person(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        return rng.choice(_PER)
    surname = invented_word(rng)
    return surname if roll < 0.5 else f"{rng.choice(_FIRST_NAMES)} {surname}"


def swap_entities(
    sentence: MarkedSentence, rng: random.Random, compound_share: float = 0.0
) -> MarkedSentence:
    """The sentence with each entity replaced by another name of the same label.

    With probability `compound_share` a one-word organization becomes a hyphen compound
    ("Kalomix-Aktie", "Nvidia-Chips"), labelled O: such a token is no organization's name,
    as GermEval's ORGpart is not (registry patterns still find known names inside them).
    """
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    for start, end, label in sentence.spans:
        before = sentence.text[pos:start]
        out.append(before)
        length += len(before)
        if label == "ORG":
            name = _random_org(rng)
            if " " not in name and rng.random() < compound_share:
                name = f"{name}-{rng.choice(_COMPOUND_HEADS)}"
                out.append(name)
                length += len(name)
                pos = end
                continue
        elif label == "PER":
            name = _random_person(rng)
        else:
            name = rng.choice(_LOC)
        out.append(name)
        spans.append((length, length + len(name), label))
        length += len(name)
        pos = end
    out.append(sentence.text[pos:])
    return MarkedSentence("".join(out), tuple(spans))


def news_examples(copies: int, seed: int) -> list[MarkedSentence]:
    """Each hand-written sentence once as written and `copies` times with swapped names."""
    rng = random.Random(seed)
    result: list[MarkedSentence] = []
    for sentence in read_news():
        result.append(sentence)
        if sentence.spans:
            result.extend(swap_entities(sentence, rng, 0.2) for _ in range(copies))
    return result
