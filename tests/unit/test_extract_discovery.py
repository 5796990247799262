"""Organizations outside the registry, found by descriptor and legal-form cues (no model)."""

from __future__ import annotations

import pytest

from pipeline.extract.discovery import find_cued_orgs


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "Battery maker Voltaris said on Monday", [("Voltaris", "voltaris")]),
        ("en", "the Dutch chipmaker Nexperia Holding fell", [("Nexperia Holding", "nexperia")]),
        ("en", "private equity firm Cinven and rival Permira", [("Cinven", "cinven"), ("Permira", "permira")]),
        ("en", "Y Combinator-backed Quillstone raised money", [("Quillstone", "quillstone")]),
        ("en", "Lilium, the electric air taxi developer, filed", [("Lilium", "lilium")]),
        ("en", "Acme Robotics Inc. and Zeta Ltd agreed", [("Acme Robotics Inc", "acme-robotics"), ("Zeta Ltd", "zeta")]),
        ("de", "Der Batteriehersteller Varta senkt die Prognose", [("Varta", "varta")]),
        ("de", "die Übernahme des Cybersicherheitsspezialisten Wiz", [("Wiz", "wiz")]),
        ("de", "an die Finanzinvestoren Brookfield und DigitalBridge", [("Brookfield", "brookfield"), ("DigitalBridge", "digitalbridge")]),
        ("de", "Das Zürcher Robotik-Start-up Lumenhaus Robotics wächst", [("Lumenhaus Robotics", "lumenhaus-robotics")]),
        ("de", "Die Ostwind Logistik GmbH & Co. KG zahlt", [("Ostwind Logistik GmbH & Co. KG", "ostwind-logistik")]),
        ("de", "bei der Bank Vontobel", [("Bank Vontobel", "bank-vontobel")]),
        ("de", "ein Kredit der Schwarz-Gruppe", [("Schwarz-Gruppe", "schwarz")]),
    ],
)  # fmt: skip
def test_cued_organizations(language: str, text: str, expected: list) -> None:
    found = find_cued_orgs(text, language, [])
    assert [(m.surface, m.org_id) for m in found] == expected
    assert all(m.source == "pattern" and text[m.start : m.end] == m.surface for m in found)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The company said on Tuesday that the group In turn"),
        ("en", "Shares of the lender fell. As a result, analysts cut targets."),
        ("en", "the carmaker cut 3,000 jobs; its rival A.I. unit"),
        ("de", "Der Konzern verdient mehr, das Unternehmen wächst."),
        ("de", "nachdem das Institut Rückkäufe angekündigt hat"),
        ("de", "Der Autobauer Milliarden Euro Verlust im Jahr"),
        ("de", "Die Stiftung Warentest prüft"),
    ],
)
def test_no_organization_without_a_name_after_the_cue(language: str, text: str) -> None:
    assert find_cued_orgs(text, language, []) == []


def test_taken_spans_are_left_alone() -> None:
    text = "battery maker Varta and chipmaker Elmos"
    varta = text.index("Varta")
    found = find_cued_orgs(text, "en", [(varta, varta + 5)])
    assert [m.surface for m in found] == ["Elmos"]
