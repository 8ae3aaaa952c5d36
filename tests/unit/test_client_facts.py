"""The per-version client facts under ccdoctor/clients/versions/: they load, and the loader
refuses a file it would misread."""

from __future__ import annotations

from typing import Any

import pytest

from ccdoctor.clients.facts import FactsError, all_facts, facts_for, parse_version, read_facts
from ccdoctor.core.provider import Provider


def test_every_shipped_file_loads_and_covers_the_diagnosed_routes() -> None:
    facts = all_facts()
    assert [f.since for f in facts] == sorted(f.since for f in facts)
    for entry in facts:
        assert set(entry.defaults) == set(Provider), entry.version_text
        assert entry.source.startswith(("observed:", "docs:")), entry.version_text


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
    }


def test_a_valid_file_reads_into_defaults_per_route() -> None:
    facts = read_facts("2.1.300.toml", valid())
    assert facts.since == (2, 1, 300)
    assert facts.defaults[Provider.ANTHROPIC].main == "claude-opus-5"
    assert facts.defaults[Provider.ANTHROPIC].aliases["haiku"] == "claude-haiku-4-5"


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
    ],
)
def test_a_file_the_loader_would_misread_is_refused(change: str) -> None:
    with pytest.raises(FactsError, match=r"2\.1\.300\.toml"):
        read_facts("2.1.300.toml", broken(change))
