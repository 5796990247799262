"""Clustering quality on a gold set: B-cubed and pairwise precision/recall/F1, cross-lingual
pair recall, and hard negatives (gold stories that must stay apart).

The gold file (tests/data/stories_gold.jsonl) holds one article per line with its annotated
extraction and gold story id; see `load_gold` for the fields.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import combinations
from pathlib import Path

from pipeline import cluster
from pipeline.errors import ConfigError
from pipeline.records import Article, EntityMention, Extraction, MoneyMention, OrgMention
from pipeline.settings import PROJECT_ROOT

GOLD_PATH = PROJECT_ROOT / "tests" / "data" / "stories_gold.jsonl"
# Parent roll-up of the organization ids the gold set uses (the registry does this in production).
GOLD_ORG_ROOTS = {"aws": "amazon", "google": "alphabet", "waymo": "alphabet"}


@dataclass(frozen=True)
class GoldArticle:
    article: Article
    extraction: Extraction
    at: datetime
    story: str
    outlet: str
    topic: str
    groups: tuple[str, ...] = ()

    def evidence(self) -> cluster.ArticleEvidence:
        return cluster.evidence_of(self.article, self.extraction, self.at, GOLD_ORG_ROOTS)


def load_gold(path: Path = GOLD_PATH) -> list[GoldArticle]:
    """Read a gold file; any malformed line raises ConfigError naming the line and field."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the gold set ({exc.strerror})") from None
    out = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg}); fix the line") from None
        item = _gold_article(row, where)
        if item.article.key in seen:
            raise ConfigError(f"{where}: id {item.article.key!r} appears twice; ids must be unique")
        seen.add(item.article.key)
        out.append(item)
    return out


def _field(row: dict, name: str, where: str, kind: type = str):
    value = row.get(name)
    if not isinstance(value, kind) or (kind is str and not value):
        raise ConfigError(f"{where}: field {name!r} must be a non-empty {kind.__name__}")
    return value


def _decimal(value, where: str, name: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{where}: money field {name!r} is not a number: {value!r}") from None


def _gold_article(row: dict, where: str) -> GoldArticle:
    key = _field(row, "id", where)
    title = _field(row, "title", where)
    summary = row.get("summary") or ""
    language = _field(row, "language", where)
    url = _field(row, "url", where)
    try:
        at = datetime.fromisoformat(_field(row, "published", where))
    except ValueError:
        raise ConfigError(f"{where}: field 'published' must be an ISO 8601 timestamp") from None
    if at.tzinfo is None:
        raise ConfigError(f"{where}: field 'published' needs a time zone offset")
    article = Article(
        key=key,
        feed_id=_field(row, "outlet", where),
        url=url,
        canonical_url=url,
        title=title,
        summary=summary,
        language=language,
        content_hash=hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest(),
        published_at=at,
    )
    text = article.text

    def span(m: dict, kind: str) -> tuple[int, int, str]:
        start, end, surface = m.get("start"), m.get("end"), m.get("surface")
        if not (isinstance(start, int) and isinstance(end, int)) or text[start:end] != surface:
            raise ConfigError(
                f"{where}: {kind} mention {surface!r} does not match text[{start}:{end}]; "
                "fix its offsets"
            )
        return start, end, surface

    orgs = []
    for m in row.get("orgs", []):
        s, e, surface = span(m, "org")
        orgs.append(OrgMention(s, e, _field(m, "org_id", where), surface, "registry", surface))
    money = []
    for m in row.get("money", []):
        s, e, surface = span(m, "money")
        money.append(
            MoneyMention(
                s,
                e,
                _decimal(m.get("amount"), where, "amount"),
                _field(m, "currency", where),
                surface,
                m.get("qualifier"),
                _decimal(m.get("amount_min"), where, "amount_min"),
                _decimal(m.get("amount_max"), where, "amount_max"),
                _decimal(m.get("amount_usd"), where, "amount_usd"),
            )
        )
    entities = []
    for m in row.get("entities", []):
        s, e, surface = span(m, "entity")
        if m.get("label") not in ("PER", "LOC"):
            raise ConfigError(f"{where}: entity {surface!r} needs label PER or LOC")
        entities.append(EntityMention(s, e, m["label"], _field(m, "norm", where), surface))
    org_ids = frozenset(GOLD_ORG_ROOTS.get(o.org_id, o.org_id) for o in orgs)
    extraction = Extraction(key, language, tuple(orgs), tuple(money), tuple(entities), org_ids)
    return GoldArticle(
        article,
        extraction,
        at,
        _field(row, "story", where),
        row["outlet"],
        row.get("topic") or "business",
        tuple(row.get("groups") or ()),
    )


# ---------------------------------------------------------------------------------------------
# Metrics.


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _clusters(assign: dict[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for item, label in assign.items():
        out[label].add(item)
    return out


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> PRF:
    """B-cubed precision and recall, averaged over items (Bagga & Baldwin)."""
    pc, gc = _clusters(pred), _clusters(gold)
    p = r = 0.0
    for item in gold:
        mine, truth = pc[pred[item]], gc[gold[item]]
        overlap = len(mine & truth)
        p += overlap / len(mine)
        r += overlap / len(truth)
    n = len(gold) or 1
    return PRF(p / n, r / n)


def pairwise(pred: dict[str, str], gold: dict[str, str]) -> PRF:
    """Precision and recall over pairs of items put in the same cluster."""
    pred_pairs = _pairs(pred)
    gold_pairs = _pairs(gold)
    tp = len(pred_pairs & gold_pairs)
    return PRF(
        tp / len(pred_pairs) if pred_pairs else 1.0, tp / len(gold_pairs) if gold_pairs else 1.0
    )


def _pairs(assign: dict[str, str]) -> set[tuple[str, str]]:
    out = set()
    for members in _clusters(assign).values():
        out.update(combinations(sorted(members), 2))
    return out


def cross_lingual_recall(
    pred: dict[str, str], gold: dict[str, str], language: dict[str, str]
) -> tuple[float, int]:
    """Share of gold same-story pairs in different languages that were joined, and their count."""
    pairs = [(a, b) for a, b in _pairs(gold) if language[a] != language[b]]
    if not pairs:
        return 1.0, 0
    joined = sum(1 for a, b in pairs if pred[a] == pred[b])
    return joined / len(pairs), len(pairs)


def hard_negative_violations(pred: dict[str, str], items: list[GoldArticle]) -> list[str]:
    """Descriptions of gold stories in one hard-negative group that share a predicted story."""
    by_group: dict[str, set[str]] = defaultdict(set)
    for g in items:
        for group in g.groups:
            by_group[group].add(g.story)
    members: dict[str, set[str]] = defaultdict(set)  # gold story -> predicted stories
    for g in items:
        members[g.story].add(pred[g.article.key])
    out = []
    for group, stories in sorted(by_group.items()):
        for a, b in combinations(sorted(stories), 2):
            if members[a] & members[b]:
                out.append(f"{group}: {a} and {b} share a story")
    return out


@dataclass
class EvalReport:
    articles: int
    gold_stories: int
    predicted_stories: int
    bcubed: PRF
    pairwise: PRF
    cross_lingual_recall: float
    cross_lingual_pairs: int
    hard_negative_groups: int
    violations: list[str] = field(default_factory=list)
    by_topic: dict[str, PRF] = field(default_factory=dict)  # B-cubed per topic
    partition: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        def prf(x: PRF) -> dict:
            return {
                "precision": round(x.precision, 4),
                "recall": round(x.recall, 4),
                "f1": round(x.f1, 4),
            }

        return {
            "articles": self.articles,
            "gold_stories": self.gold_stories,
            "predicted_stories": self.predicted_stories,
            "bcubed": prf(self.bcubed),
            "pairwise": prf(self.pairwise),
            "cross_lingual_pair_recall": round(self.cross_lingual_recall, 4),
            "cross_lingual_pairs": self.cross_lingual_pairs,
            "hard_negative_groups": self.hard_negative_groups,
            "hard_negative_violations": self.violations,
            "bcubed_by_topic": {k: prf(v) for k, v in sorted(self.by_topic.items())},
        }


def evaluate(
    items: list[GoldArticle],
    window: timedelta,
    params: cluster.ClusterParams | None = None,
    *,
    arrival_seed: int | None = None,
    jitter: timedelta = timedelta(hours=12),
) -> EvalReport:
    """Cluster the gold articles online and score the result.

    With `arrival_seed` each article arrives up to `jitter` late, at random, instead of in
    (published, key) order: feeds are polled at different times and publish late.
    """
    evidence = [g.evidence() for g in items]
    if arrival_seed is None:
        evidence.sort(key=lambda e: (e.at, e.key))
    else:
        rng = random.Random(arrival_seed)
        delays = {e.key: rng.random() * jitter for e in evidence}
        evidence.sort(key=lambda e: (e.at + delays[e.key], e.key))
    index = cluster.StoryIndex(window, params)
    for ev in evidence:
        index.assign(ev)
    pred = index.partition()
    return score_partition(items, pred)


def score_partition(items: list[GoldArticle], pred: dict[str, str]) -> EvalReport:
    gold = {g.article.key: g.story for g in items}
    language = {g.article.key: g.article.language for g in items}
    clr, n_pairs = cross_lingual_recall(pred, gold, language)
    topics: dict[str, list[str]] = defaultdict(list)
    for g in items:
        topics[g.topic].append(g.article.key)
    by_topic = {
        t: bcubed({k: pred[k] for k in keys}, {k: gold[k] for k in keys})
        for t, keys in topics.items()
    }
    return EvalReport(
        articles=len(items),
        gold_stories=len(set(gold.values())),
        predicted_stories=len(set(pred.values())),
        bcubed=bcubed(pred, gold),
        pairwise=pairwise(pred, gold),
        cross_lingual_recall=clr,
        cross_lingual_pairs=n_pairs,
        hard_negative_groups=len({grp for g in items for grp in g.groups}),
        violations=hard_negative_violations(pred, items),
        by_topic=by_topic,
        partition=pred,
    )
