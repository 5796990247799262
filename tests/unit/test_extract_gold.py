"""Extraction quality on the gold sets (tests/data/gold_en.jsonl, gold_de.jsonl).

Targets of issue 4: MONEY F1 >= 0.95 and amount exact-match >= 0.97 in each language; ORG F1
>= 0.85 in English and >= 0.80 in German, with whatever German model is available, and the
patterns-only German baseline recorded as well. `newsflow extract-eval --errors` prints the
same figures with every wrong sentence.
"""

from __future__ import annotations

import pytest

from pipeline.extract.evaluate import evaluate, load_gold
from pipeline.extract.extractor import Extractor
from pipeline.settings import PROJECT_ROOT, Settings

GOLD = PROJECT_ROOT / "tests" / "data"
ORG_FLOOR = {"en": 0.85, "de": 0.80}


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor.from_settings(Settings())


@pytest.fixture(scope="module")
def reports(extractor: Extractor) -> dict:
    items = load_gold(GOLD / "gold_en.jsonl") + load_gold(GOLD / "gold_de.jsonl")
    return evaluate(extractor, items)


@pytest.mark.parametrize("language", ["en", "de"])
def test_gold_sets_are_big_enough(reports: dict, language: str) -> None:
    report = reports[language]
    assert report.sentences >= 150
    assert report.money.tp + report.money.fn >= 100  # enough amounts to measure against


@pytest.mark.parametrize("language", ["en", "de"])
def test_money_f1_and_amount_exact_match(reports: dict, language: str) -> None:
    report = reports[language]
    assert report.money.f1 >= 0.95, report.errors
    assert report.amount_exact_match >= 0.97, report.errors


@pytest.mark.parametrize("language", ["en", "de"])
def test_organization_f1(reports: dict, language: str) -> None:
    assert reports[language].org.f1 >= ORG_FLOOR[language], reports[language].errors


def test_german_patterns_only_baseline(extractor: Extractor) -> None:
    """Registry names and descriptor cues alone, without any German statistical model."""
    patterns_only = Extractor(extractor.registry, extractor.settings, pipelines={"de": None})
    report = evaluate(patterns_only, load_gold(GOLD / "gold_de.jsonl"))["de"]
    assert report.org.f1 >= ORG_FLOOR["de"], report.errors
    assert report.money.f1 >= 0.95


def test_parent_roll_up_reaches_the_extraction(extractor: Extractor) -> None:
    from pipeline.extract.extractor import TextItem

    [x] = extractor.extract_texts([TextItem("k", "en", "AWS and Instagram sign a deal")])
    assert {m.org_id for m in x.orgs} == {"aws", "instagram"}
    assert x.org_ids == {"aws", "amazon", "instagram", "meta"}
