"""The feed registry: the shipped file is valid and errors name file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.settings import PROJECT_ROOT
from pipeline.sources import load_feeds, parse_feeds


def test_shipped_feeds_cover_both_languages() -> None:
    feeds = load_feeds(PROJECT_ROOT / "config" / "feeds.yaml")
    by_lang = {lang: [f for f in feeds if f.language == lang] for lang in ("en", "de")}
    assert len(by_lang["en"]) >= 12 and len(by_lang["de"]) >= 12
    assert all(f.url.startswith("https://") and not f.allow_private for f in feeds)
    assert len({f.outlet for f in feeds}) >= 20


@pytest.mark.parametrize(
    ("entry", "field", "why"),
    [
        ({"outlet": "X", "url": "https://x.example/rss", "language": "en"}, "'id'", "Field required"),
        ({"id": "x1", "outlet": "X", "url": "ftp://x.example/rss", "language": "en"}, "'url'", "http"),
        ({"id": "x1", "outlet": "X", "url": "https://x.example/rss", "language": "fr"}, "'language'", "'en'"),
        ({"id": "x1", "outlet": "X", "url": "https://x.example/rss", "language": "en", "poll_minutes": 0}, "'poll_minutes'", "greater"),
        ({"id": "x1", "outlet": "X", "url": "https://x.example/rss", "language": "en", "colour": "red"}, "'colour'", "Extra"),
    ],
)  # fmt: skip
def test_invalid_entry_names_file_entry_and_field(entry: dict, field: str, why: str) -> None:
    good = {"id": "ok", "outlet": "OK", "url": "https://ok.example/rss", "language": "de"}
    with pytest.raises(ConfigError) as info:
        parse_feeds({"feeds": [good, entry]}, "config/feeds.yaml")
    message = str(info.value)
    assert message.startswith("config/feeds.yaml: feeds[1]")
    assert f"field {field}" in message and why in message
    assert "\n" not in message


def test_duplicate_ids_and_urls_are_refused() -> None:
    a = {"id": "a", "outlet": "A", "url": "https://a.example/rss", "language": "en"}
    with pytest.raises(ConfigError, match=r"feeds\[1\] \(id 'a'\): field 'id': duplicate"):
        parse_feeds({"feeds": [a, dict(a)]}, "f.yaml")
    with pytest.raises(ConfigError, match=r"field 'url': same URL as feeds\[0\]"):
        parse_feeds({"feeds": [a, {**a, "id": "b"}]}, "f.yaml")


def test_broken_yaml_and_missing_file_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - {id: a, url: [unclosed\n")
    with pytest.raises(ConfigError, match=r"feeds.yaml: line \d+: not valid YAML"):
        load_feeds(bad)
    with pytest.raises(ConfigError, match="cannot read feeds file"):
        load_feeds(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="top-level 'feeds:' list"):
        load_feeds(tmp_path / "list.yaml")


def test_defaults_apply_and_entries_override() -> None:
    feeds = parse_feeds(
        {
            "defaults": {"poll_minutes": 30},
            "feeds": [
                {"id": "a", "outlet": "A", "url": "https://a.example/rss", "language": "en"},
                {"id": "b", "outlet": "B", "url": "https://b.example/rss", "language": "de",
                 "poll_minutes": 5},
            ],
        },
        "f.yaml",
    )  # fmt: skip
    assert [f.poll_minutes for f in feeds] == [30, 5]
