"""Test corpora for the reliability suite: feeds whose contents the test knows exactly.

Texts come from the benchmark generator (bench/corpus.py, English and German deal news). Each
item has a unique link `/articles/<outlet>/<slug>`; the suite identifies stored articles by that
slug, independently of how the pipeline derives its keys. Some items are wire copies carried by
a second outlet under the same link (one article, two sightings); some carry no guid at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from bench.corpus import generate

SLUG = re.compile(r"/articles/[^/]+/([^/?#]+)")


@dataclass(frozen=True)
class Item:
    slug: str
    outlet: str  # the outlet that published it (its link lives under that outlet)
    title: str
    summary: str
    minutes: int  # published this many minutes before `now`
    guid: str | None  # None: no <guid>; "permalink": the link is the guid


@dataclass(frozen=True)
class Feed:
    id: str
    outlet: str
    language: str
    items: tuple[Item, ...]
    path: str = ""

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(i.slug for i in self.items)


@dataclass
class Corpus:
    feeds: list[Feed]
    faulty: dict[str, str] = field(default_factory=dict)  # feed id -> path of a fault

    @property
    def expected_slugs(self) -> frozenset[str]:
        return frozenset(s for f in self.feeds for s in f.slugs)

    @property
    def expected_sightings(self) -> frozenset[tuple[str, str]]:
        return frozenset((s, f.id) for f in self.feeds for s in f.slugs)

    def feeds_yaml(self, base: str) -> str:
        lines = ["feeds:"]
        entries = [(f.id, f.outlet, f.language, f.path) for f in self.feeds]
        entries += [(fid, f"Faulty {fid}", "en", path) for fid, path in self.faulty.items()]
        for fid, outlet, language, path in entries:
            lines.append(
                f'  - {{id: {fid}, outlet: "{outlet}", language: {language}, '
                f'url: "{base}{path}", poll_minutes: 1, allow_private: true}}'
            )
        return "\n".join(lines) + "\n"

    def documents(self, now: datetime, base: str) -> dict[str, bytes]:
        return {f.path: render(f, now, base) for f in self.feeds}


def build(outlets: int, items_per_outlet: int, seed: int = 13, wire_every: int = 7) -> Corpus:
    """`outlets` feeds of `items_per_outlet` own items each; every `wire_every`-th item is also
    carried by the outlet two places on (same link, no guid), and every fifth has no guid."""
    bench = generate(outlets, items_per_outlet, seed)
    own: dict[str, list[Item]] = {}
    for o in bench.outlets:
        items = []
        for n, raw in enumerate(bench.items[o.id]):
            guid = None if n % 5 == 4 else ("permalink" if n % wire_every == 0 else raw["slug"])
            items.append(
                Item(raw["slug"], o.id, raw["title"], raw["summary"], raw["minutes"], guid)
            )
        own[o.id] = items
    feeds = []
    ids = [o.id for o in bench.outlets]
    for index, o in enumerate(bench.outlets):
        source = ids[(index - 2) % len(ids)]
        wire = tuple(
            replace(i, guid=None)
            for n, i in enumerate(own[source])
            if n % wire_every == 0 and source != o.id and i.guid == "permalink"
        )
        feeds.append(
            Feed(o.id, o.outlet, o.language, tuple(own[o.id]) + wire, f"/feeds/{o.id}.xml")
        )
    return Corpus(feeds)


def link(base: str, item: Item) -> str:
    return f"{base}/articles/{item.outlet}/{item.slug}?utm_source=rss"


def render(feed: Feed, now: datetime, base: str) -> bytes:
    """The feed as RSS 2.0, newest first."""
    parts = []
    for item in sorted(feed.items, key=lambda i: (i.minutes, i.slug)):
        url = escape(link(base, item))
        if item.guid == "permalink":
            guid = f'<guid isPermaLink="true">{url}</guid>'
        elif item.guid:
            guid = f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
        else:
            guid = ""
        when = format_datetime(now - timedelta(minutes=item.minutes))
        parts.append(
            f"<item>{guid}<title>{escape(item.title)}</title><link>{url}</link>"
            f"<pubDate>{when}</pubDate><description>{escape(item.summary)}</description></item>"
        )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(feed.outlet)}</title><link>{base}/</link>"
        f"<language>{feed.language}</language><description>reliability corpus</description>"
        f"{''.join(parts)}</channel></rss>"
    )
    return doc.encode("utf-8")


def slug_of(url: str) -> str | None:
    match = SLUG.search(url)
    return match[1] if match else None
