"""tracked_deals.yaml: the shipped file is valid, and every mistake is one line naming the file,
the entry and the field; secrets are refused in clear text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.alerts.deals import EmailChannel, SlackChannel, load_deals, parse_tracked_deals
from pipeline.errors import ConfigError
from tests.conftest import ROOT

CHANNELS = {"log": {"type": "log"}, "slack": {"type": "slack", "url_env": "SLACK_URL"}}
DEAL = {"id": "amazon-openai", "name": "Amazon–OpenAI", "parties": ["amazon", "openai"],
        "channels": ["log"]}  # fmt: skip


def parse(deals=None, channels=None):
    data = {"channels": CHANNELS if channels is None else channels, "deals": deals or [DEAL]}
    return parse_tracked_deals(data, "deals.yaml")


def test_the_shipped_file_tracks_amazon_openai_and_a_disabled_catch_all() -> None:
    config = load_deals(ROOT / "config" / "tracked_deals.yaml")
    deal = config.deal("amazon-openai")
    assert deal is not None and deal.enabled and set(deal.parties) == {"amazon", "openai"}
    assert deal.keywords.en and deal.keywords.de
    catch_all = next(d for d in config.deals if d.rule == "any_orgs")
    assert not catch_all.enabled
    assert catch_all.min_orgs == 2 and catch_all.min_amount_usd == Decimal(10) ** 9
    assert {c.type for c in config.channels.values()} == {"log", "webhook", "slack", "email"}
    slack = next(c for c in config.channels.values() if isinstance(c, SlackChannel))
    email = next(c for c in config.channels.values() if isinstance(c, EmailChannel))
    assert slack.url_env and email.password_env  # names of variables, not values


@pytest.mark.parametrize(
    ("channels", "deals", "message"),
    [
        (CHANNELS, [{**DEAL, "channels": ["pager"]}],
         "deals.yaml: deals[0] (id 'amazon-openai'): field 'channels': 'pager' is not defined"),
        (CHANNELS, [{**DEAL, "parties": []}],
         "deals[0] (id 'amazon-openai'): field 'parties': rule 'parties' needs at least one"),
        (CHANNELS, [{**DEAL, "rule": "any_orgs", "parties": []}],
         "field 'min_amount_usd': rule 'any_orgs' needs a minimum amount"),
        (CHANNELS, [DEAL, DEAL], "deals[1] (id 'amazon-openai'): field 'id': duplicate of deals[0]"),
        (CHANNELS, [{**DEAL, "id": "Amazon OpenAI"}], "field 'id': String should match pattern"),
        (CHANNELS, [{**DEAL, "keywords": {"fr": ["investir"]}}], "field 'keywords.fr'"),
        (CHANNELS, [{**DEAL, "min_amount_usd": -5}], "field 'min_amount_usd': Input should be greater than 0"),
        ({"slack": {"type": "slack"}}, [DEAL],
         "channels.slack: give exactly one of 'url_env' or 'airflow_conn'"),
        ({"s": {"type": "slack", "url": "https://hooks.slack.com/services/T/B/X"}}, [DEAL],
         "channels.s: field 'url': secrets never go in this file"),
        ({"m": {"type": "email", "host": "smtp.x", "sender": "a@x.org", "recipients": ["b@x.org"],
                "password": "hunter2"}}, [DEAL],
         "channels.m: field 'password': secrets never go in this file; put the value in an "
         "environment variable and give its name as 'password_env'"),
        ({"m": {"type": "email", "host": "smtp.x", "sender": "a@x.org", "recipients": []}}, [DEAL],
         "channels.m: field 'recipients'"),
        ({"h": {"type": "webhook", "url_env": "has space"}}, [DEAL], "channels.h: field 'url_env'"),
        ({"h": {"type": "webhook", "url_env": "U", "headers": {"Authorization": "Bearer x"}}},
         [DEAL], "channels.h: field 'headers': 'Authorization' looks like a secret"),
        ({"p": {"type": "pager"}}, [DEAL], "channels.p: field 'type'"),
        ({"p": {"url_env": "X"}}, [DEAL], "channels.p: field 'type': required"),
    ],
)  # fmt: skip
def test_mistakes_name_entry_and_field(channels, deals, message) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(deals, channels)
    assert message in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_file_level_problems(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read tracked deals file"):
        load_deals(tmp_path / "missing.yaml")
    broken = tmp_path / "tracked_deals.yaml"
    broken.write_text("deals:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tracked_deals.yaml: line \d+: not valid YAML"):
        load_deals(broken)
    broken.write_text("channels: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a top-level 'deals:' list"):
        load_deals(broken)


def test_an_airflow_connection_may_replace_env_variables() -> None:
    config = parse(channels={
        "log": {"type": "log"},
        "m": {"type": "email", "airflow_conn": "smtp_default", "sender": "a@x.org",
              "recipients": ["b@x.org"]},
    })  # fmt: skip
    assert config.channels["m"].airflow_conn == "smtp_default"
