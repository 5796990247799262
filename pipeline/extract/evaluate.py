"""Scoring extraction against the gold sets in tests/data/gold_<lang>.jsonl.

ORG: per sentence, the set of predicted organization ids (most specific registry id, or the
org_key of a discovered name) against the gold set; counts summed over sentences.
MONEY: a prediction matches a gold amount when their character spans overlap (the gold span
is where its surface occurs in the text); unmatched predictions are false positives.
Amount exact-match: of the matched pairs, the share with equal amount and currency;
full match also requires equal qualifier and bounds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.extract.extractor import Extractor, TextItem
from pipeline.extract.normalize import org_key
from pipeline.records import Extraction, MoneyMention


@dataclass(frozen=True)
class GoldMoney:
    amount: Decimal
    currency: str
    qualifier: str | None
    amount_min: Decimal | None
    amount_max: Decimal | None
    surface: str


@dataclass(frozen=True)
class GoldItem:
    id: str
    language: str
    category: str
    text: str
    org_ids: frozenset[str]  # registry ids, or org_key(name) for organizations outside it
    money: tuple[GoldMoney, ...]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class LanguageReport:
    language: str
    sentences: int = 0
    org: Score = field(default_factory=Score)
    money: Score = field(default_factory=Score)
    amount_pairs: int = 0
    amount_exact: int = 0  # amount and currency equal
    full_exact: int = 0  # also qualifier, min and max
    errors: list[str] = field(default_factory=list)  # one line per wrong sentence, for reading

    @property
    def amount_exact_match(self) -> float:
        return self.amount_exact / self.amount_pairs if self.amount_pairs else 1.0

    @property
    def full_exact_match(self) -> float:
        return self.full_exact / self.amount_pairs if self.amount_pairs else 1.0


def load_gold(path: Path) -> list[GoldItem]:
    """Read a gold JSON-lines file; a malformed line is a ConfigError naming file and line."""
    items: list[GoldItem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read gold set ({exc.strerror})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(_gold_item(json.loads(line)))
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise ConfigError(f"{path}:{number}: not a valid gold line ({exc!r})") from None
    return items


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _gold_item(row: dict) -> GoldItem:
    org_ids = frozenset(o["id"] if o.get("id") else org_key(o["name"]) for o in row["orgs"])
    money = tuple(
        GoldMoney(
            amount=Decimal(str(m["amount"])),
            currency=m["currency"],
            qualifier=m.get("qualifier"),
            amount_min=_decimal(m.get("min")),
            amount_max=_decimal(m.get("max")),
            surface=m["surface"],
        )
        for m in row["money"]
    )
    return GoldItem(
        id=str(row["id"]),
        language=row["language"],
        category=row.get("category", ""),
        text=row["text"],
        org_ids=org_ids,
        money=money,
    )


def evaluate(extractor: Extractor, items: Sequence[GoldItem]) -> dict[str, LanguageReport]:
    """Scores per language for `items`, extracted in one batch per language."""
    extractions = extractor.extract_texts([TextItem(i.id, i.language, i.text) for i in items])
    reports: dict[str, LanguageReport] = {}
    for item, extraction in zip(items, extractions, strict=True):
        report = reports.setdefault(item.language, LanguageReport(item.language))
        report.sentences += 1
        _score_orgs(report, item, extraction)
        _score_money(report, item, extraction)
    return reports


def _score_orgs(report: LanguageReport, item: GoldItem, extraction: Extraction) -> None:
    predicted = {m.org_id for m in extraction.orgs}
    tp = predicted & item.org_ids
    report.org.tp += len(tp)
    report.org.fp += len(predicted - item.org_ids)
    report.org.fn += len(item.org_ids - predicted)
    if predicted != item.org_ids:
        report.errors.append(
            f"ORG {item.id}: missing {sorted(item.org_ids - predicted)} "
            f"extra {sorted(predicted - item.org_ids)}"
        )


def _score_money(report: LanguageReport, item: GoldItem, extraction: Extraction) -> None:
    unmatched = list(extraction.money)
    searched_from = 0
    for gold in item.money:
        found = item.text.find(gold.surface, searched_from)
        if found < 0:
            found = item.text.find(gold.surface)
        pred = None
        if found >= 0:
            searched_from = found + len(gold.surface)
            end = found + len(gold.surface)
            pred = next((p for p in unmatched if p.start < end and found < p.end), None)
        else:  # a surface not in the text is a gold-data slip: fall back to the amount
            pred = next((p for p in unmatched if _same_amount(p, gold)), None)
        if pred is None:
            report.money.fn += 1
            report.errors.append(f"MONEY {item.id}: missed {gold.surface!r}")
            continue
        unmatched.remove(pred)
        report.money.tp += 1
        report.amount_pairs += 1
        if _same_amount(pred, gold):
            report.amount_exact += 1
            if (pred.qualifier, pred.amount_min, pred.amount_max) == (
                gold.qualifier,
                gold.amount_min,
                gold.amount_max,
            ):
                report.full_exact += 1
            else:
                report.errors.append(
                    f"MONEY {item.id}: {gold.surface!r} qualifier/bounds "
                    f"{pred.qualifier}/{pred.amount_min}/{pred.amount_max}, gold "
                    f"{gold.qualifier}/{gold.amount_min}/{gold.amount_max}"
                )
        else:
            report.errors.append(
                f"MONEY {item.id}: {gold.surface!r} read as {pred.amount} {pred.currency}, "
                f"gold {gold.amount} {gold.currency}"
            )
    for pred in unmatched:
        report.money.fp += 1
        report.errors.append(f"MONEY {item.id}: extra {pred.surface!r}")


def _same_amount(pred: MoneyMention, gold: GoldMoney) -> bool:
    return pred.amount == gold.amount and pred.currency == gold.currency
