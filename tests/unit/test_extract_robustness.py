"""Bad input never crashes extraction; a missing model is one clear error naming the package."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.errors import NewsflowError
from pipeline.extract.extractor import MODEL_MAX_CHARS, Extractor, TextItem
from pipeline.extract.organizations import load_registry
from pipeline.records import Article
from pipeline.settings import Settings


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor.from_settings(Settings())


@pytest.mark.parametrize("language", ["en", "de", "fr", ""])
def test_empty_text_gives_an_empty_extraction(extractor: Extractor, language: str) -> None:
    for text in ("", "   \n\n  "):
        [x] = extractor.extract_texts([TextItem("k", language, text)])
        assert (x.orgs, x.money, x.entities, x.org_ids) == ((), (), (), frozenset())


def test_one_megabyte_of_text_is_extracted_to_the_end(extractor: Extractor) -> None:
    filler = "The market was quiet and nothing else happened on the day. " * 18_000
    text = filler + "Finally Nvidia agreed to pay $5 billion for Intel shares."
    assert len(text) > 1_000_000 > MODEL_MAX_CHARS
    [x] = extractor.extract_texts([TextItem("big", "en", text)])
    # past the model's cut, patterns still find the registry names and the amount
    assert {"nvidia", "intel"} <= x.org_ids
    assert [m.surface for m in x.money] == ["$5 billion"]
    assert x.money[0].start > MODEL_MAX_CHARS


def test_text_in_another_language_uses_patterns_only(extractor: Extractor) -> None:
    items = [
        TextItem("fr", "fr", "Amazon investit 50 milliards de dollars dans OpenAI, selon Reuters."),
        TextItem("zh", "zh", "亚马逊向OpenAI投资500亿美元 Amazon"),
        TextItem("en-de", "en", "Der Autobauer BMW verdient 3 Mrd. Euro weniger."),
    ]
    fr, zh, en_de = extractor.extract_texts(items)
    assert {"amazon", "openai"} <= fr.org_ids and fr.language == "fr"
    assert "amazon" in zh.org_ids
    assert "bmw" in en_de.org_ids  # German text mislabelled English still finds registry names


def test_mojibake_and_unstorable_characters(extractor: Extractor) -> None:
    texts = [
        "Siemens zahlt 1,5 Mrd. â‚¬ an die MÃ¼nchner RÃ¼ckversicherung",
        "Apple\x00 pays $3bn \ud83d to Google \ufffd\ufffd",
        "\u202e\u200b\u00ad Meta \U0001f4b0 buys a stake for €2bn",
    ]
    results = extractor.extract_texts([TextItem(str(i), "de" if i == 0 else "en", t)
                                       for i, t in enumerate(texts)])  # fmt: skip
    assert "siemens" in results[0].org_ids
    assert {"apple", "google"} <= results[1].org_ids
    assert [m.amount for m in results[1].money] == [3_000_000_000]
    assert "meta" in results[2].org_ids
    for x in results:
        for m in (*x.orgs, *x.money, *x.entities):
            m.surface.encode("utf-8")  # storable: no lone surrogates
            assert "\x00" not in m.surface


def test_articles_keep_their_order_across_languages(extractor: Extractor) -> None:
    def article(key: str, language: str, title: str) -> Article:
        return Article(key, "feed", f"https://x.example/{key}", f"https://x.example/{key}", title,
                       "", language, f"h{key}", published_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip

    arts = [article("1", "de", "Siemens kauft"), article("2", "en", "Apple buys"),
            article("3", "de", "BMW verkauft"), article("4", "en", "Tesla sells")]  # fmt: skip
    results = extractor.extract(arts)
    assert [x.article_key for x in results] == ["1", "2", "3", "4"]
    assert [sorted(x.org_ids) for x in results] == [["siemens"], ["apple"], ["bmw"], ["tesla"]]


def test_missing_english_model_names_the_package_to_install() -> None:
    settings = Settings(en_models=("en_core_web_nonexistent",))
    extractor = Extractor(load_registry(settings.config_dir / "organizations.yaml"), settings)
    with pytest.raises(NewsflowError) as info:
        extractor.extract_texts([TextItem("k", "en", "Apple buys")])
    message = str(info.value)
    assert "en_core_web_nonexistent" in message and "pip install" in message
    assert "\n" not in message
    # German needs no English model: it still works
    [x] = extractor.extract_texts([TextItem("k", "de", "Apple kauft für 2 Mrd. Euro")])
    assert "apple" in x.org_ids


def test_configured_german_model_that_is_missing_is_an_error() -> None:
    settings = Settings(de_model="de_model_that_is_not_installed")
    extractor = Extractor(load_registry(settings.config_dir / "organizations.yaml"), settings)
    with pytest.raises(NewsflowError, match="de_model_that_is_not_installed.*NEWSFLOW_DE_MODEL"):
        extractor.extract_texts([TextItem("k", "de", "Siemens kauft")])
