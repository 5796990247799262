"""The organization registry: validation, matching in headline text, roll-up, keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.extract.normalize import fold, org_key
from pipeline.extract.organizations import OrgMatcher, load_registry, parse_registry
from pipeline.settings import PROJECT_ROOT

REGISTRY_FILE = PROJECT_ROOT / "config" / "organizations.yaml"


@pytest.fixture(scope="module")
def matcher() -> OrgMatcher:
    return OrgMatcher(load_registry(REGISTRY_FILE))


def _org(id_: str, names: list[str], parent: str | None = None, **extra) -> dict:
    return {"id": id_, "name": names[0], "names": {"en": names, "de": names}, "parent": parent,
            **extra}  # fmt: skip


def test_shipped_registry_is_valid_and_large_enough() -> None:
    registry = load_registry(REGISTRY_FILE)
    assert len(registry.orgs) >= 150
    assert registry.roll_up({"aws"}) == {"aws", "amazon"}
    assert registry.roll_up({"instagram", "deepmind"}) >= {"meta", "google", "alphabet"}


@pytest.mark.parametrize(
    ("entries", "where", "why"),
    [
        ([_org("a", ["A Corp"]), {"name": "B"}], "organizations[1]", "field 'id'"),
        ([_org("a", ["A Corp"]), _org("a", ["Other"])], "organizations[1] (id 'a')", "duplicate of organizations[0]"),
        ([_org("A B", ["A"])], "organizations[0]", "field 'id'"),
        ([_org("a", ["A Corp"], parent="nobody")], "organizations[0] (id 'a')", "no organization has id 'nobody'"),
        ([_org("a", ["Acme"], parent="b"), _org("b", ["Bcme"], parent="a")], "(id 'a')", "loops back"),
        ([_org("a", ["Acme"]), _org("b", ["Acme"])], "organization 'b'", "also a name of 'a'"),
        ([_org("a", ["Acme"], kind="bakery")], "organizations[0] (id 'a')", "field 'kind'"),
        ([_org("a", ["Acme"], colour="red")], "organizations[0] (id 'a')", "field 'colour'"),
        ([{"id": "a", "name": "A", "names": {}}], "organizations[0] (id 'a')", "at least one name"),
        ([_org("a", ["--"])], "organizations[0] (id 'a')", "no letters or digits"),
    ],
)  # fmt: skip
def test_invalid_registry_names_file_entry_and_field(entries: list, where: str, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_registry({"organizations": entries}, "config/organizations.yaml")
    message = str(info.value)
    assert message.startswith("config/organizations.yaml: ")
    assert where in message and why in message and "\n" not in message


def test_unreadable_or_broken_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read organization registry"):
        load_registry(tmp_path / "missing.yaml")
    broken = tmp_path / "organizations.yaml"
    broken.write_text("organizations:\n  - id: a\n   name: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"organizations.yaml:.*line \d+: not valid YAML"):
        load_registry(broken)
    broken.write_text("orgs: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top-level 'organizations:' list"):
        load_registry(broken)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "Amazon.com Inc. said on Monday", [("Amazon.com Inc.", "amazon")]),
        ("en", "Siemens AG and Infineon Technologies AG", [("Siemens AG", "siemens"), ("Infineon Technologies AG", "infineon")]),
        ("en", "Apple's supplier and Google’s unit", [("Apple", "apple"), ("Google", "google")]),
        ("en", "Amazon Web Services and AWS", [("Amazon Web Services", "aws"), ("AWS", "aws")]),
        ("en", "Google DeepMind beat Google", [("Google DeepMind", "deepmind"), ("Google", "google")]),
        ("en", "NVIDIA SHARES SOAR", [("NVIDIA", "nvidia")]),
        ("en", "J.P. Morgan and Merck & Co. agreed", [("J.P. Morgan", "jpmorgan"), ("Merck & Co.", "merck-co")]),
        ("de", "ChatGPT-Entwickler OpenAI und OpenAI-Chef", [("OpenAI", "openai"), ("OpenAI", "openai")]),
        ("de", "Amazons Cloud-Sparte und Siemens' Chef", [("Amazons", "amazon"), ("Siemens", "siemens")]),
        ("de", "Aktien der Deutschen Bank und der Europäischen Zentralbank", [("Deutschen Bank", "deutsche-bank"), ("Europäischen Zentralbank", "ecb")]),
        ("de", "Prüfung des Bundeskartellamtes", [("Bundeskartellamtes", "bundeskartellamt")]),
        ("de", "Porsche SE und Porsche", [("Porsche SE", "porsche-se"), ("Porsche", "porsche")]),
        ("de", "Ex-Google-Manager wechselt zu Mercedes-Benz-Tochter", [("Google", "google"), ("Mercedes-Benz", "mercedes-benz")]),
        ("de", "Merck aus Darmstadt", [("Merck", "merck-kgaa")]),
        ("en", "Merck of New Jersey", [("Merck", "merck-co")]),
    ],
)  # fmt: skip
def test_registry_names_are_found_as_headlines_write_them(
    matcher: OrgMatcher, language: str, text: str, expected: list
) -> None:
    found = matcher.find(text, language)
    assert [(m.surface, m.org_id) for m in found] == expected
    assert all(text[m.start : m.end] == m.surface and m.source == "registry" for m in found)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the meta analysis of apple pie recipes"),  # lower case words are not companies
        ("de", "Der Arm des Gesetzes und die Visa für Studenten"),  # English-only names
        ("en", "Amazon\n\nWeb Services"),  # never across the title/summary break as one name
        ("en", "Metaverse and Applebee's"),  # names end at word ends
    ],
)
def test_ordinary_words_are_not_registry_names(
    matcher: OrgMatcher, language: str, text: str
) -> None:
    ids = [m.org_id for m in matcher.find(text, language)]
    assert "meta" not in ids and "apple" not in ids and "visa" not in ids
    assert "arm-holdings" not in ids and "aws" not in ids


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Mistral AI SAS", "mistral-ai"),
        ("Die Aleph Alpha GmbH", "aleph-alpha"),
        ("Société Générale S.A.", "societe-generale"),
        ("Kessler & Söhne Präzisionstechnik GmbH & Co. KG", "kessler-sohne-prazisionstechnik"),
        ("ACME Robotics, Inc.", "acme-robotics"),
        ("Acme's", "acme"),
        ("Straße Holding AG", "strasse"),
        ("GmbH", ""),
    ],
)
def test_discovered_keys_fold_case_diacritics_and_legal_forms(name: str, key: str) -> None:
    assert org_key(name) == key


def test_fold_is_case_and_diacritics_free() -> None:
    assert fold("  Société   GÉNÉRALE ") == "societe generale"
    assert fold("Müller") == fold("MULLER")
