"""`newsflow extract`, `extract-eval` and `extract-bench` as a user runs them."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from pipeline.cli import main


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_extract_one_german_text(capsys: pytest.CaptureFixture) -> None:
    text = "ChatGPT-Entwickler OpenAI erhält bis zu 50 Mrd. Dollar von Amazons Cloud-Sparte AWS"
    assert main(["extract", "--lang", "de", text]) == 0
    [line] = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert [(o["id"], o["surface"]) for o in result["organizations"]] == [
        ("openai", "OpenAI"), ("amazon", "Amazons"), ("aws", "AWS")
    ]  # fmt: skip
    assert result["org_ids"] == ["amazon", "aws", "openai"]
    assert result["money"] == [
        {"amount": "50000000000", "currency": "USD", "qualifier": "up_to", "min": None,
         "max": None, "amount_usd": "50000000000", "surface": "bis zu 50 Mrd. Dollar",
         "start": 33, "end": 54}
    ]  # fmt: skip


def test_extract_json_lines_from_stdin(monkeypatch, capsys: pytest.CaptureFixture) -> None:
    lines = [
        {"id": "a", "language": "en", "text": "Nvidia agreed to invest $5bn in Intel."},
        {"id": "b", "language": "de", "text": "Siemens zahlt 40 bis 50 Mio. Euro."},
        {"id": "c", "language": "en", "text": ""},
    ]
    monkeypatch.setattr(sys, "stdin", _Stdin("".join(json.dumps(r) + "\n" for r in lines)))
    assert main(["extract"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in out] == ["a", "b", "c"]
    assert out[0]["org_ids"] == ["intel", "nvidia"]
    assert out[1]["money"][0]["qualifier"] == "range"
    assert (out[1]["money"][0]["min"], out[1]["money"][0]["max"]) == ("40000000", "50000000")
    assert out[2]["organizations"] == [] and out[2]["money"] == []


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('{"id": "a", "text": "ok"}\nnot json\n', "stdin line 2: not JSON"),
        ('{"id": "a", "language": "en"}\n', "stdin line 1: expected an object with a 'text'"),
    ],
)
def test_bad_stdin_is_one_line_and_exit_2(monkeypatch, capsys, stdin: str, message: str) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(stdin))
    assert main(["extract"]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_extract_eval_prints_scores_per_label_and_language(tmp_path: Path, capsys) -> None:
    gold = [
        {"id": "x1", "language": "en", "category": "deal", "text": "Apple buys Acme for $2 billion.",
         "orgs": [{"id": "apple", "surface": "Apple"}, {"id": None, "name": "Acme", "surface": "Acme"}],
         "money": [{"amount": "2000000000", "currency": "USD", "qualifier": None, "min": None,
                    "max": None, "surface": "$2 billion"}]},
        {"id": "x2", "language": "en", "category": "no_money", "text": "Shares of Google rose 5%.",
         "orgs": [{"id": "google", "surface": "Google"}], "money": []},
    ]  # fmt: skip
    (tmp_path / "gold_en.jsonl").write_text("\n".join(json.dumps(g) for g in gold) + "\n")
    assert main(["extract-eval", "--lang", "en", "--gold-dir", str(tmp_path), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["en"]
    assert figures["sentences"] == 2
    assert figures["MONEY"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "tp": 1,
        "fp": 0,
        "fn": 0,
    }
    assert figures["ORG"]["tp"] >= 2 and figures["ORG"]["tp"] + figures["ORG"]["fn"] == 3
    assert figures["amount_exact_match"] == 1.0


def test_extract_eval_names_a_broken_gold_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "gold_de.jsonl").write_text('{"id": "1", "language": "de"}\n')
    assert main(["extract-eval", "--lang", "de", "--gold-dir", str(tmp_path)]) == 2
    assert "gold_de.jsonl:1: not a valid gold line" in capsys.readouterr().err


def test_extract_bench_reports_both_rates_and_the_ratio(tmp_path: Path, capsys) -> None:
    texts = tmp_path / "texts.jsonl"
    texts.write_text(json.dumps({"text": "Amazon may invest up to $50 billion in OpenAI."}) + "\n")
    assert main(["extract-bench", "--texts", str(texts), "--items", "40", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "bare nlp.pipe (NER only)" in out and "extraction stage" in out
    assert "stage / bare (CPU time) =" in out and "items/s" in out
