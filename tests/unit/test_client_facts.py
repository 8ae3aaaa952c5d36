"""The per-version client facts under ccdoctor/clients/versions/: they load, and the loader
refuses a file it would misread."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from ccdoctor.clients.facts import (
    FactsError,
    all_facts,
    derived_small_fast,
    facts_for,
    parse_version,
    read_facts,
    read_variables,
)
from ccdoctor.core.provider import Provider
from ccdoctor.knowledge import routes
from ccdoctor.knowledge.routes import PROVIDER_FLAGS
from tests.machine import REPO

_EVERYWHERE = {Provider.ANTHROPIC, Provider.BEDROCK, Provider.VERTEX, Provider.FOUNDRY}


def test_every_shipped_file_loads_and_covers_the_diagnosed_routes() -> None:
    facts = all_facts()
    assert [f.since for f in facts] == sorted(f.since for f in facts)
    for entry in facts:
        # Every version has the first four routes; a later one only where it was observed, and
        # never a row for a route whose flag the version does not test.
        assert set(entry.defaults) >= _EVERYWHERE, entry.version_text
        assert all(
            provider is Provider.ANTHROPIC or routes.route(provider).flag in entry.precedence
            for provider in entry.defaults
        ), entry.version_text
        assert entry.source.startswith("observed:"), entry.version_text
        diagnosed = {flag for _, flag in PROVIDER_FLAGS}
        everywhere = {routes.route(p).flag for p in _EVERYWHERE if p is not Provider.ANTHROPIC}
        assert everywhere <= set(entry.precedence) <= diagnosed, entry.version_text
        assert len(set(entry.precedence)) == len(entry.precedence)
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
                "betas_oauth": ["claude-code-20250219", "oauth-2025-04-20", "effort-2025-11-24"],
                "betas_oauth_without_experimental": ["claude-code-20250219", "oauth-2025-04-20"],
            }
        },
        "settings": {"local_at_git_root": True, "model_overrides_chosen": True},
        "network": {"proxy_variables": ["https_proxy", "HTTPS_PROXY"]},
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
    elif change == "typo in a route's models":
        data["defaults"]["anthropic"]["small_fats"] = data["defaults"]["anthropic"].pop(
            "small_fast"
        )
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
        data["settings"] = {"local_at_git_root": "yes", "model_overrides_chosen": True}
    elif change == "model overrides fact is not a boolean":
        data["settings"] = {"local_at_git_root": True, "model_overrides_chosen": 1}
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
        "typo in a route's models",
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
        "model overrides fact is not a boolean",
        "typo in the settings discovery",
        "settings is not a table",
    ],
)
def test_a_file_the_loader_would_misread_is_refused(change: str) -> None:
    with pytest.raises(FactsError, match=r"2\.1\.300\.toml"):
        read_facts("2.1.300.toml", broken(change))


def test_a_route_without_small_fast_gets_its_haiku_alias_first_party_and_sonnet_on_a_cloud() -> (
    None
):
    data = valid()
    data["defaults"] = {"anthropic": {"main": "claude-opus-6"}, "vertex": {"main": "claude-opus-6"}}
    data["aliases"] = {
        route: {"opus": "claude-opus-6", "sonnet": f"{route}-sonnet", "haiku": f"{route}-haiku"}
        for route in ("anthropic", "vertex")
    }

    facts = read_facts("2.1.300.toml", data)

    assert facts.defaults[Provider.ANTHROPIC].small_fast == "anthropic-haiku"
    assert facts.defaults[Provider.VERTEX].small_fast == "vertex-sonnet"


def test_every_shipped_file_that_names_its_small_fast_models_agrees_with_the_rule() -> None:
    named = 0
    for path in sorted((REPO / "ccdoctor/clients/versions").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for route, models in data["defaults"].items():
            if "small_fast" in models:
                named += 1
                provider = Provider(route)
                assert models["small_fast"] == derived_small_fast(
                    provider, data["aliases"][route]
                ), (path.name, route)
    assert named >= 8


def test_settings_discovery_is_required() -> None:
    data = valid()
    del data["settings"]
    with pytest.raises(FactsError, match=r"2\.1\.300\.toml"):
        read_facts("2.1.300.toml", data)
    data["settings"] = {"local_at_git_root": "yes"}
    with pytest.raises(FactsError, match="local_at_git_root"):
        read_facts("2.1.300.toml", data)


def test_the_versions_read_settings_discovery_as_observed() -> None:
    assert facts_for((2, 1, 197)).local_at_git_root is False
    assert facts_for((2, 1, 207)).local_at_git_root is False
    assert facts_for((2, 1, 219)).local_at_git_root is True
    assert facts_for((2, 1, 332)).local_at_git_root is True


def test_model_overrides_map_a_chosen_model_from_2_1_207_on() -> None:
    assert facts_for((2, 1, 197)).model_overrides_chosen is False
    assert facts_for((2, 1, 207)).model_overrides_chosen is True
    assert facts_for((2, 1, 337)).model_overrides_chosen is True


def test_all_proxy_is_read_from_2_1_280_on_after_the_four_others() -> None:
    four = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY")
    assert facts_for((2, 1, 197)).proxy_variables == four
    assert facts_for((2, 1, 257)).proxy_variables == four
    assert facts_for((2, 1, 280)).proxy_variables == (*four, "all_proxy", "ALL_PROXY")
    assert facts_for((2, 1, 332)).proxy_variables == (*four, "all_proxy", "ALL_PROXY")


def test_a_variables_file_is_required_and_holds_names_only(tmp_path: Path) -> None:
    with pytest.raises(FactsError, match=r"2\.1\.300\.variables is missing"):
        read_variables(tmp_path / "2.1.300.variables")
    good = tmp_path / "2.1.300.variables"
    good.write_text("# header\nANTHROPIC_API_KEY\n\nCLAUDE_CODE_USE_GATEWAY\n")
    assert read_variables(good) == {"ANTHROPIC_API_KEY", "CLAUDE_CODE_USE_GATEWAY"}
    good.write_text("ANTHROPIC_API_KEY\nanthropic api key\n")
    with pytest.raises(FactsError, match="not variable names: anthropic api key"):
        read_variables(good)


def test_every_shipped_file_has_the_variables_of_its_client() -> None:
    for entry in all_facts():
        assert {"ANTHROPIC_API_KEY", "CLAUDE_CODE_USE_BEDROCK"} <= entry.variables, entry.since
