"""The per-version client facts under ccdoctor/clients/versions/: they load, and the loader
refuses a file it would misread."""

from __future__ import annotations

from typing import Any

import pytest

from ccdoctor.clients.facts import (
    LOCAL_AT_GIT_ROOT_DEFAULT,
    FactsError,
    all_facts,
    facts_for,
    parse_version,
    read_facts,
)
from ccdoctor.core.provider import Provider
from ccdoctor.knowledge.routes import PROVIDER_FLAGS
from tests.machine import REPO


def test_every_shipped_file_loads_and_covers_the_diagnosed_routes() -> None:
    facts = all_facts()
    assert [f.since for f in facts] == sorted(f.since for f in facts)
    for entry in facts:
        assert set(entry.defaults) == set(Provider), entry.version_text
        assert entry.source.startswith("observed:"), entry.version_text
        assert sorted(entry.precedence) == sorted(flag for _, flag in PROVIDER_FLAGS)
        assert entry.warmup is None or entry.warmup.path.startswith("/")
        for chain in entry.fallback.chains.values() if entry.fallback else ():
            assert len(set(chain)) == len(chain) >= 2, entry.version_text


def test_the_file_for_a_version_is_the_newest_not_newer_than_it() -> None:
    versions = [f.since for f in all_facts()]
    first, second = versions[0], versions[1]
    between = (second[0], second[1], second[2] - 1)
    assert facts_for(between).since == first
    assert facts_for(second).since == second
    assert facts_for((99, 0, 0)).since == versions[-1]
    assert facts_for((0, 0, 1)).since == first
    assert facts_for(None).since == versions[-1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.1.197 (Claude Code)", (2, 1, 197)),
        ("claude 2.1.332", (2, 1, 332)),
        ("no version here", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_version(text: str | None, expected: tuple[int, int, int] | None) -> None:
    assert parse_version(text) == expected


def valid() -> dict[str, Any]:
    models = {"main": "claude-opus-5", "small_fast": "claude-haiku-4-5"}
    aliases = {"opus": "claude-opus-5", "sonnet": "claude-sonnet-5", "haiku": "claude-haiku-4-5"}
    return {
        "version": "2.1.300",
        "source": "observed: test",
        "defaults": {"anthropic": dict(models)},
        "aliases": {"anthropic": dict(aliases)},
        "precedence": {"flags": ["CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"]},
        "warmup": {"method": "HEAD", "path": "/api/hello"},
        "retries": {"drops_rejected_betas": ["effort-2025-11-24"]},
        "request": {
            "anthropic": {
                "betas": ["claude-code-20250219", "effort-2025-11-24"],
                "betas_without_experimental": ["claude-code-20250219"],
            }
        },
        "fallback": {
            "stopped_by": ["CLAUDE_CODE_NO_MODEL_FALLBACK"],
            "vertex": {"chain": ["claude-opus-5-5", "claude-opus-5"]},
        },
    }


def test_a_valid_file_reads_into_defaults_per_route() -> None:
    facts = read_facts("2.1.300.toml", valid())
    assert facts.since == (2, 1, 300)
    assert facts.defaults[Provider.ANTHROPIC].main == "claude-opus-5"
    assert facts.defaults[Provider.ANTHROPIC].aliases["haiku"] == "claude-haiku-4-5"
    assert facts.precedence == ("CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX")
    assert facts.warmup is not None
    assert (facts.warmup.method, facts.warmup.path) == ("HEAD", "/api/hello")
    assert facts.drops_rejected_betas == {"effort-2025-11-24"}
    assert facts.fallback_chain(Provider.VERTEX) == ("claude-opus-5-5", "claude-opus-5")
    assert facts.fallback_chain(Provider.BEDROCK) == ()


def test_a_client_without_a_fallback_has_no_chain_anywhere() -> None:
    data = valid()
    del data["fallback"]
    del data["warmup"]
    facts = read_facts("2.1.300.toml", data)
    assert facts.warmup is None
    assert facts.fallback is None
    assert facts.fallback_chain(Provider.VERTEX) == ()


def broken(change: str) -> dict[str, Any]:
    data = valid()
    if change == "typo in a top-level key":
        data["defualts"] = data.pop("defaults")
    elif change == "file name and version disagree":
        data["version"] = "2.1.301"
    elif change == "unknown route":
        data["defaults"]["bedrok"] = data["defaults"]["anthropic"]
        data["aliases"]["bedrok"] = data["aliases"]["anthropic"]
    elif change == "missing small_fast":
        del data["defaults"]["anthropic"]["small_fast"]
    elif change == "missing alias":
        del data["aliases"]["anthropic"]["sonnet"]
    elif change == "defaults without aliases":
        del data["aliases"]["anthropic"]
    elif change == "model is not text":
        data["defaults"]["anthropic"]["main"] = 5
    elif change == "no precedence":
        del data["precedence"]
    elif change == "retry fact is not a boolean":
        data["retries"]["drops_rejected_betas"] = "yes"
    elif change == "typo in the warm-up":
        data["warmup"]["paht"] = "/"
    elif change == "fallback chain of an unknown route":
        data["fallback"]["vertx"] = data["fallback"].pop("vertex")
    elif change == "fallback without a chain":
        del data["fallback"]["vertex"]
    elif change == "empty stopped_by":
        data["fallback"]["stopped_by"] = []
    elif change == "settings discovery is not a boolean":
        data["settings"] = {"local_at_git_root": "yes"}
    elif change == "typo in the settings discovery":
        data["settings"] = {"local_at_git_rot": True}
    elif change == "settings is not a table":
        data["settings"] = True
    return data


@pytest.mark.parametrize(
    "change",
    [
        "typo in a top-level key",
        "file name and version disagree",
        "unknown route",
        "missing small_fast",
        "missing alias",
        "defaults without aliases",
        "model is not text",
        "no precedence",
        "retry fact is not a boolean",
        "typo in the warm-up",
        "fallback chain of an unknown route",
        "fallback without a chain",
        "empty stopped_by",
        "settings discovery is not a boolean",
        "typo in the settings discovery",
        "settings is not a table",
    ],
)
def test_a_file_the_loader_would_misread_is_refused(change: str) -> None:
    with pytest.raises(FactsError, match=r"2\.1\.300\.toml"):
        read_facts("2.1.300.toml", broken(change))


def test_a_file_observed_on_the_wire_alone_keeps_what_it_inherits_from_an_older_one() -> None:
    older = read_facts("2.1.300.toml", valid())
    data = valid() | {"version": "2.1.310", "inherits_from": "2.1.300"}
    data["defaults"] = {"anthropic": {"main": "claude-opus-6"}}
    del data["aliases"]

    facts = read_facts("2.1.310.toml", data, {older.since: older})

    anthropic = facts.defaults[Provider.ANTHROPIC]
    assert anthropic.main == "claude-opus-6"
    assert anthropic.small_fast == "claude-haiku-4-5"
    assert anthropic.aliases == older.defaults[Provider.ANTHROPIC].aliases


def test_settings_discovery_is_optional_and_inherited() -> None:
    assert read_facts("2.1.300.toml", valid()).local_at_git_root is LOCAL_AT_GIT_ROOT_DEFAULT
    older = read_facts("2.1.300.toml", valid() | {"settings": {"local_at_git_root": True}})
    child = valid() | {"version": "2.1.310", "inherits_from": "2.1.300"}
    assert read_facts("2.1.310.toml", child, {older.since: older}).local_at_git_root is True
    overridden = child | {"settings": {"local_at_git_root": False}}
    assert read_facts("2.1.310.toml", overridden, {older.since: older}).local_at_git_root is False


def test_the_tier_versions_read_settings_discovery_as_observed() -> None:
    assert facts_for((2, 1, 197)).local_at_git_root is False
    assert facts_for((2, 1, 332)).local_at_git_root is True


@pytest.mark.parametrize("base", ["2.1.299", "2.1.310", "later"])
def test_inherits_from_must_name_an_older_file_that_exists(base: str) -> None:
    older = read_facts("2.1.300.toml", valid())
    data = valid() | {"version": "2.1.310", "inherits_from": base}
    with pytest.raises(FactsError, match="inherits_from"):
        read_facts("2.1.310.toml", data, {older.since: older})


def test_every_inheriting_shipped_file_says_so_in_its_source() -> None:
    for entry in all_facts():
        text = (REPO / "ccdoctor/clients/versions" / f"{entry.version_text}.toml").read_text()
        if "inherits_from" in text:
            assert "small/fast models and aliases as in" in entry.source, entry.version_text
