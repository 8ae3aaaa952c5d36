"""Learning and observing agree: what ccdoctor learns from a pinned Claude Code at run time
(ccdoctor/learn) equals, on every key it learns, the committed facts file that
tests/facts/observe.py proves against the same client. So a version ccdoctor has no file for is
judged by what a file for it would say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ccdoctor.clients.facts import FACTS_UP_TO, merged_tables
from ccdoctor.core.provider import Provider
from ccdoctor.learn.learner import GROUPS, LEARNED_KEYS, LearnError, learn
from tests.conformance.claude_client import claude_for_test
from tests.facts.observe import committed_path, flatten

PINNED = ("2.1.197", "2.1.337")
"""The conformance tier's versions (tests/peers/claude_versions.txt)."""


def _binary(version: str) -> Path:
    return claude_for_test(version)


def _keys(facts: dict[str, Any]) -> dict[str, Any]:
    """The learned keys, a warm-up included (a file without one says the client sends none)."""
    flat = flatten(facts)
    extra = ("warmup.method", "warmup.path", "gateway.flag", "gateway.requires")
    return {key: flat.get(key) for key in (*LEARNED_KEYS, *extra)}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("version", PINNED)
def test_the_learned_request_equals_the_committed_facts(version: str) -> None:
    committed = tomllib.loads(committed_path(version).read_text(encoding="utf-8"))
    # A route the version does not have (no row in its file) is not learned: its runs show no
    # request, which is a LearnError for that group alone.
    routes = {p.value for p in Provider}
    absent = [g for g in GROUPS if g in routes and g not in committed.get("defaults", {})]
    binary = _binary(version)
    learned = learn(binary, version, 200, [g for g in GROUPS if g not in absent])
    facts: dict[str, Any] = {}
    for found in learned.values():
        facts = merged_tables(facts, found.facts)
    assert _keys(facts) == _keys(committed)
    for group in absent:
        with pytest.raises(LearnError):
            learn(binary, version, 60, (group,))


@pytest.mark.timeout(120)
def test_a_run_with_the_newest_file_hidden_judges_by_the_learned_facts(
    tmp_path: Path,
) -> None:
    """2.1.332 on PATH, its file hidden (as if this ccdoctor were older): the run learns it, and
    its configuration reads as with the file; the second run reads the cache."""
    binary = _binary("2.1.332")
    env = {
        "PATH": f"{binary.parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "ANTHROPIC_API_KEY": "sk-ant-api03-" + "x" * 40,
    }
    (tmp_path / "home").mkdir()

    def configuration(*extra: str) -> tuple[dict[str, Any], dict[str, Any]]:
        command = [sys.executable, "-m", "ccdoctor", "--offline", "-f", "json", *extra]
        done = subprocess.run(
            command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=90
        )
        report = json.loads(done.stdout)
        check = next(c for c in report["checks"] if c["id"] == "config.client")
        return check, {e["name"]: e["value"] for e in report["config"]}

    shipped_check, shipped = configuration()
    assert shipped_check["status"] == "pass"
    env[FACTS_UP_TO] = "2.1.315"
    learned_check, learned = configuration()
    cached_check, cached = configuration()
    assert learned_check["details"]["facts_from"] == "learned", learned_check["message"]
    assert cached_check["details"]["facts_from"] == "cached", cached_check["message"]
    assert learned == cached == shipped
    # Every file after 2.1.197 hidden: the learned main model is 2.1.332's, not 2.1.197's.
    env[FACTS_UP_TO] = "2.1.197"
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache-197")
    far_check, far = configuration()
    assert far_check["details"]["facts_from"] == "learned", far_check["message"]
    assert far["model.main"] == shipped["model.main"] == "claude-opus-5-5"
    hidden_check, hidden = configuration("--no-learn")
    assert hidden_check["status"] == "warn"
    assert "(learning is off (--no-learn))" in hidden_check["message"]
    assert hidden["model.main"] == "claude-opus-4-8[1m]"
