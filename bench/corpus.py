"""Synthetic but realistic feeds: N outlets × M items, English and German, with organizations,
amounts, cross-posted stories and duplicates. Deterministic for a given seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from pipeline.demo.feeds import DemoOutlet, render_feed

REGISTRY = Path(__file__).resolve().parent.parent / "config" / "organizations.yaml"

EN_EVENTS = [
    (
        "{a} in talks to invest {amt} in {b}",
        "{a} is negotiating an investment of {amt} in {b}, according to people briefed on the "
        "discussions. The talks are at an early stage and could still fall apart.",
    ),
    (
        "{a} agrees to buy {b} for {amt}",
        "{a} will acquire {b} for {amt} in cash and shares, the companies said on {day}, in a deal "
        "that still needs approval from regulators in the United States and Europe.",
    ),
    (
        "{b} raises {amt} in funding round led by {a}",
        "{b} has raised {amt} in a new funding round led by {a}, valuing the company at several "
        "times its previous level, a person familiar with the matter said.",
    ),
    (
        "{a} fined {amt} by {b}",
        "{b} fined {a} {amt} over failures in its compliance controls, the regulator said, adding "
        "that the company had cooperated with the investigation.",
    ),
    (
        "{a} quarterly revenue rises to {amt}",
        "{a} reported quarterly revenue of {amt}, up {pct} percent from a year earlier, and "
        "raised its outlook for the full year as demand from {b} customers held up.",
    ),
]
DE_EVENTS = [
    (
        "{a} verhandelt über Investition von {amt} in {b}",
        "{a} spricht mit {b} über eine Beteiligung von {amt}, berichten mit den Gesprächen "
        "vertraute Personen. Die Verhandlungen seien noch in einem frühen Stadium.",
    ),
    (
        "{a} übernimmt {b} für {amt}",
        "{a} kauft {b} für {amt} in bar und Aktien, teilten die Unternehmen am {day} mit. Die "
        "Kartellbehörden in Europa und den USA müssen noch zustimmen.",
    ),
    (
        "{b} sammelt {amt} ein – {a} führt Finanzierungsrunde an",
        "{b} hat in einer neuen Finanzierungsrunde {amt} eingesammelt. Angeführt wird die Runde "
        "von {a}, wie eine mit der Sache vertraute Person sagte.",
    ),
    (
        "{b} verhängt Strafe von {amt} gegen {a}",
        "{b} hat gegen {a} eine Strafe von {amt} wegen Mängeln bei internen Kontrollen verhängt. "
        "Das Unternehmen habe bei der Untersuchung kooperiert.",
    ),
    (
        "{a} steigert Quartalsumsatz auf {amt}",
        "{a} hat den Quartalsumsatz um {pct} Prozent auf {amt} gesteigert und die Prognose für das "
        "Gesamtjahr angehoben, auch dank der Nachfrage von {b}-Kunden.",
    ),
]
EN_FILLER = [
    "Shares of the company moved little in early trading.",
    "Analysts said the move reflects growing pressure to secure computing capacity.",
    "A spokesperson declined to comment on the figures.",
    "The company employs about {n} people worldwide.",
    "The agreement follows months of negotiations between the two sides.",
    "Investors have been watching spending on artificial intelligence closely this year.",
]
DE_FILLER = [
    "Die Aktie reagierte im frühen Handel kaum.",
    "Analysten sehen darin den wachsenden Druck, Rechenkapazität zu sichern.",
    "Ein Sprecher wollte die Zahlen nicht kommentieren.",
    "Das Unternehmen beschäftigt weltweit rund {n} Mitarbeiter.",
    "Der Vereinbarung gingen monatelange Verhandlungen beider Seiten voraus.",
    "Anleger beobachten die Ausgaben für künstliche Intelligenz in diesem Jahr genau.",
]
DAYS = {"en": ["Monday", "Tuesday", "Wednesday", "Thursday"], "de": ["Montag", "Dienstag",
        "Mittwoch", "Donnerstag"]}  # fmt: skip


def _amount(rng: random.Random, lang: str) -> str:
    value = rng.choice([1.5, 2, 4, 5.8, 10, 12, 25, 38, 50, 300, 450, 800])
    big = value < 100
    if lang == "en":
        q = rng.choice(["", "up to ", "about ", "more than "])
        sym = rng.choice(["$", "€", "£"])
        return f"{q}{sym}{value:g} {'billion' if big else 'million'}"
    q = rng.choice(["", "bis zu ", "rund ", "mehr als "])
    num = f"{value:g}".replace(".", ",")
    cur = rng.choice(["Dollar", "Euro", "US-Dollar"])
    return f"{q}{num} {'Milliarden' if big else 'Millionen'} {cur}"


@dataclass(frozen=True)
class BenchCorpus:
    outlets: list[DemoOutlet]
    items: dict[str, list[dict]]  # outlet id -> items with title, summary, minutes, slug

    @property
    def item_count(self) -> int:
        return sum(len(v) for v in self.items.values())

    def texts(self) -> list[str]:
        return [f"{i['title']}\n\n{i['summary']}" for v in self.items.values() for i in v]


def generate(outlets: int, items_per_outlet: int, seed: int = 7) -> BenchCorpus:
    """N outlets (half English, half German) with M items each. About a third of the events are
    reported by several outlets in both languages, and some items are syndicated copies."""
    rng = random.Random(seed)
    names = [
        o["names"].get("en", [o["name"]])[0]
        for o in yaml.safe_load(REGISTRY.read_text())["organizations"]
        if o["names"].get("en") and o["names"].get("de")
    ]
    outs = [
        DemoOutlet(f"bench-{i:03d}", f"Bench Outlet {i}", "en" if i % 2 == 0 else "de",
                   "atom" if i % 3 == 0 else "rss")
        for i in range(outlets)
    ]  # fmt: skip
    items: dict[str, list[dict]] = {o.id: [] for o in outs}
    total = outlets * items_per_outlet
    events = [
        (rng.randrange(len(EN_EVENTS)), rng.choice(names), rng.choice(names), rng.random())
        for _ in range(max(1, total // 3))
    ]
    for n in range(total):
        outlet = outs[n % outlets]
        if len(items[outlet.id]) >= items_per_outlet:
            continue
        lang = outlet.language
        kind, a, b, _ = events[rng.randrange(len(events))]
        title_t, summary_t = (EN_EVENTS if lang == "en" else DE_EVENTS)[kind]
        fill = {"a": a, "b": b, "amt": _amount(rng, lang), "pct": rng.randint(3, 60),
                "day": rng.choice(DAYS[lang]), "n": rng.choice([800, 12000, 164000])}  # fmt: skip
        filler = " ".join(
            s.format(**fill) for s in rng.sample(EN_FILLER if lang == "en" else DE_FILLER, 3)
        )
        items[outlet.id].append({
            "slug": f"{outlet.id}-{n}",
            "title": title_t.format(**fill),
            "summary": summary_t.format(**fill) + " " + filler,
            "minutes": rng.randint(1, 36 * 60),
            "round": 1,
        })  # fmt: skip
    return BenchCorpus(outs, items)


def render(corpus: BenchCorpus, now: datetime, base: str) -> dict[str, bytes]:
    """Feed documents by URL path."""
    return {
        f"/feeds/{o.id}.xml": render_feed(o, corpus.items[o.id], now, base) for o in corpus.outlets
    }


def feeds_yaml(corpus: BenchCorpus, base: str) -> str:
    lines = ["feeds:"]
    for o in corpus.outlets:
        lines.append(
            f'  - {{id: {o.id}, outlet: "{o.outlet}", language: {o.language}, '
            f'url: "{base}/feeds/{o.id}.xml", poll_minutes: 1, allow_private: true}}'
        )
    return "\n".join(lines) + "\n"
