"""Learning a client newer than every facts file: when it happens, the cache that makes later
runs free, what invalidates it, and that every failure is a warning with the newest facts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ccdoctor.clients.facts import (
    FactsOrigin,
    Version,
    facts_for,
    newest_shipped,
    over_newest,
    parse_version,
)
from ccdoctor.core.provider import Provider
from ccdoctor.learn import cache
from ccdoctor.learn.choose import LearnOptions, choose_facts
from ccdoctor.learn.learner import Learned, LearnError, learn
from tests.machine import REPO, Machine

NEWEST = newest_shipped().since
NEWER: Version = (NEWEST[0], NEWEST[1], NEWEST[2] + 7)
NEWER_TEXT = ".".join(map(str, NEWER))
SHAPE = {
    "path": "/v1/messages?beta=true",
    "body": ["max_tokens", "messages", "model", "stream", "thinking"],
    "thinking": "enabled",
}


def _learned(version: str = NEWER_TEXT) -> dict[str, Any]:
    return {
        "version": version,
        "source": f"learned: Claude Code {version} against ccdoctor's loopback recorder",
        "request": {"anthropic": {"betas": ["claude-code-20250219", "new-beta-2027-01-01"]}},
        "defaults": {"anthropic": {"main": "claude-opus-9"}},
    }


class CountingLearner:
    def __init__(self, facts: dict[str, Any] | None = None, error: str | None = None) -> None:
        self.calls = 0
        self.facts = facts or _learned()
        self.error = error

    def __call__(
        self, binary: Path, version: str, timeout: float, groups: Sequence[str]
    ) -> dict[str, Learned]:
        self.calls += 1
        self.groups = list(groups)
        if self.error is not None:
            raise LearnError(self.error)
        return {group: Learned(version, self.facts, 1.5) for group in groups}


@pytest.fixture
def binary(tmp_path: Path) -> Path:
    path = tmp_path / "bin" / "claude"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def _choose(
    binary: Path | None,
    home: Path,
    learner: CountingLearner,
    version: Version = NEWER,
    says: Version | None = NEWER,
    **options: Any,
) -> Any:
    environ = {"XDG_CACHE_HOME": str(home / "xdg-cache")}
    groups = options.pop("groups", ("anthropic",))
    cached_only = options.pop("cached_only", ())
    learn_options = LearnOptions(**options)
    return choose_facts(
        version, binary, says, learn_options, environ, home, learner, (), groups, cached_only
    )


def test_an_on_demand_group_is_used_once_cached_but_never_learned_by_a_normal_run(
    binary: Path, tmp_path: Path
) -> None:
    learner = CountingLearner()
    groups = ("anthropic", "retries")
    normal = _choose(binary, tmp_path, learner, groups=groups, cached_only=("retries",))
    assert (normal.origin, learner.calls) == (FactsOrigin.NOT_LEARNED, 0)
    assert "leaves it to `ccdoctor learn`" in normal.detail

    asked = _choose(binary, tmp_path, learner, groups=groups, force=True)
    assert (asked.origin, learner.groups) == (FactsOrigin.LEARNED, list(groups))
    later = _choose(binary, tmp_path, learner, groups=groups, cached_only=("retries",))
    assert (later.origin, learner.calls) == (FactsOrigin.CACHED, 1)


def test_a_covered_version_uses_its_shipped_file_and_never_runs_the_client(
    binary: Path, tmp_path: Path
) -> None:
    learner = CountingLearner()
    choice = _choose(binary, tmp_path, learner, version=NEWEST, says=NEWEST)
    assert choice.origin is FactsOrigin.SHIPPED
    assert choice.facts is facts_for(NEWEST)
    assert learner.calls == 0


def test_a_newer_client_is_learned_once_then_read_from_the_cache(
    binary: Path, tmp_path: Path
) -> None:
    learner = CountingLearner()
    first = _choose(binary, tmp_path, learner)
    assert first.origin is FactsOrigin.LEARNED
    assert first.facts.since == NEWER
    assert first.facts.defaults[Provider.ANTHROPIC].main == "claude-opus-9"
    cached = list((tmp_path / "xdg-cache" / "ccdoctor" / "learned").iterdir())
    assert [p.name.startswith(f"claude-{NEWER_TEXT}-anthropic-") for p in cached] == [True]
    assert f"cached in {cached[0]}" in first.detail
    second = _choose(binary, tmp_path, learner)
    assert second.origin is FactsOrigin.CACHED
    assert second.facts == first.facts
    assert learner.calls == 1


def test_a_cloud_route_is_learned_and_cached_apart_from_the_anthropic_request(
    binary: Path, tmp_path: Path
) -> None:
    learner = CountingLearner()
    _choose(binary, tmp_path, learner)
    routed = _choose(binary, tmp_path, learner, groups=("anthropic", "vertex"))
    assert routed.origin is FactsOrigin.LEARNED
    assert learner.groups == ["vertex"]
    assert routed.detail.startswith("vertex in 1.5 s; cached in ")
    again = _choose(binary, tmp_path, learner, groups=("anthropic", "vertex"))
    assert again.origin is FactsOrigin.CACHED
    assert learner.calls == 2


def test_the_cache_goes_to_dot_cache_without_xdg(binary: Path, tmp_path: Path) -> None:
    choice = choose_facts(NEWER, binary, NEWER, LearnOptions(), {}, tmp_path, CountingLearner())
    assert choice.origin is FactsOrigin.LEARNED
    assert list((tmp_path / ".cache" / "ccdoctor" / "learned").glob("claude-*.toml"))


@pytest.mark.parametrize("change", ["mtime", "size"])
def test_a_changed_binary_is_learned_again(binary: Path, tmp_path: Path, change: str) -> None:
    learner = CountingLearner()
    _choose(binary, tmp_path, learner)
    if change == "mtime":
        stat = binary.stat()
        os.utime(binary, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    else:
        binary.write_text("#!/bin/sh\nexit 0 # reinstalled\n")
    assert _choose(binary, tmp_path, learner).origin is FactsOrigin.LEARNED
    assert learner.calls == 2


def test_a_damaged_cache_file_is_learned_again_and_replaced(binary: Path, tmp_path: Path) -> None:
    learner = CountingLearner()
    _choose(binary, tmp_path, learner)
    (path,) = (tmp_path / "xdg-cache" / "ccdoctor" / "learned").iterdir()
    path.write_text('version = "2.1.999"\n[request.anthropic]\nunknown_key = 1\n')
    assert _choose(binary, tmp_path, learner).origin is FactsOrigin.LEARNED
    assert learner.calls == 2
    assert _choose(binary, tmp_path, learner).origin is FactsOrigin.CACHED


def test_ccdoctor_learn_ignores_the_cache_and_learns_a_covered_version(
    binary: Path, tmp_path: Path
) -> None:
    learner = CountingLearner(_learned("2.1.197"))
    version = parse_version("2.1.197")
    for _ in range(2):
        choice = _choose(binary, tmp_path, learner, version=version, says=version, force=True)
        assert choice.origin is FactsOrigin.LEARNED
    assert learner.calls == 2


def test_no_learn_falls_back_to_the_newest_file_and_says_so(binary: Path, tmp_path: Path) -> None:
    learner = CountingLearner()
    choice = _choose(binary, tmp_path, learner, enabled=False)
    assert choice.origin is FactsOrigin.NOT_LEARNED
    assert choice.facts is newest_shipped()
    assert choice.detail == "learning is off (--no-learn)"
    assert learner.calls == 0


@pytest.mark.parametrize(
    ("binary_of", "says", "why"),
    [
        (None, NEWER, "no installed client to learn from"),
        ("binary", (2, 1, 197), "is Claude Code 2.1.197, not " + NEWER_TEXT),
    ],
)
def test_without_the_judged_client_nothing_is_learned(
    binary: Path, tmp_path: Path, binary_of: str | None, says: Version, why: str
) -> None:
    learner = CountingLearner()
    choice = _choose(binary if binary_of else None, tmp_path, learner, says=says)
    assert choice.origin is FactsOrigin.NOT_LEARNED
    assert why in choice.detail
    assert learner.calls == 0


def test_managed_settings_on_the_machine_stop_a_learning_run_but_not_the_cache(
    binary: Path, tmp_path: Path
) -> None:
    managed = tmp_path / "etc" / "managed-settings.json"
    managed.parent.mkdir()
    managed.write_text('{"hooks": {}}')
    learner = CountingLearner()
    environ = {"XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}

    def choose() -> Any:
        options = LearnOptions()
        return choose_facts(NEWER, binary, NEWER, options, environ, tmp_path, learner, [managed])

    refused = choose()
    assert refused.origin is FactsOrigin.NOT_LEARNED
    assert f"the managed settings at {managed} would apply" in refused.detail
    assert learner.calls == 0
    _choose(binary, tmp_path, learner)
    assert choose().origin is FactsOrigin.CACHED


def test_a_failed_learning_is_a_reason_and_leaves_no_cache(binary: Path, tmp_path: Path) -> None:
    learner = CountingLearner(error="the client exited 1 without a model request")
    choice = _choose(binary, tmp_path, learner)
    assert choice.origin is FactsOrigin.NOT_LEARNED
    assert choice.facts is newest_shipped()
    assert choice.detail == "learning failed: the client exited 1 without a model request"
    folder = tmp_path / "xdg-cache" / "ccdoctor" / "learned"
    assert [p.suffix for p in folder.iterdir()] == [".failed"]


def test_a_failed_learning_is_not_paid_again_for_a_day_but_ccdoctor_learn_retries(
    binary: Path, tmp_path: Path
) -> None:
    failing = CountingLearner(error="the client sent no model request within 5 s")
    _choose(binary, tmp_path, failing)
    again = _choose(binary, tmp_path, failing)
    assert failing.calls == 1
    assert again.origin is FactsOrigin.NOT_LEARNED
    assert again.facts is newest_shipped()
    assert again.detail.startswith(
        "not learned: an earlier run could not (the client sent no model request within 5 s)"
    )
    learner = CountingLearner()
    forced = _choose(binary, tmp_path, learner, force=True)
    assert (learner.calls, forced.origin) == (1, FactsOrigin.LEARNED)
    folder = tmp_path / "xdg-cache" / "ccdoctor" / "learned"
    assert [p.suffix for p in folder.iterdir()] == [".toml"]
    # A failure older than a day is tried again.
    marker = next(folder.iterdir()).with_suffix(".failed")
    marker.write_text("timed out\n")
    old = time.time() - cache.FAILURE_SECONDS - 60
    os.utime(marker, (old, old))
    assert cache.read_failure(marker.with_suffix(".toml")) is None
    os.utime(marker)
    assert cache.read_failure(marker.with_suffix(".toml")) == "timed out"


def test_a_step_left_less_than_a_second_starts_no_client_and_marks_nothing(
    binary: Path, tmp_path: Path
) -> None:
    learner = CountingLearner()
    choice = _choose(binary, tmp_path, learner, timeout=0.5)
    assert (learner.calls, choice.origin) == (0, FactsOrigin.NOT_LEARNED)
    assert choice.detail == "not learned: the run's learning budget is spent"
    assert not (tmp_path / "xdg-cache" / "ccdoctor" / "learned").exists()


def test_an_unwritable_cache_still_uses_what_was_learned(binary: Path, tmp_path: Path) -> None:
    (tmp_path / "xdg-cache").write_text("a file where the folder would go")
    choice = _choose(binary, tmp_path, CountingLearner())
    assert choice.origin is FactsOrigin.LEARNED
    assert "not cached:" in choice.detail
    assert choice.facts.defaults[Provider.ANTHROPIC].main == "claude-opus-9"


def test_learned_keys_replace_the_newest_files_and_the_shape_replaces_it_whole() -> None:
    newest = newest_shipped()
    assert newest.anthropic_shape is not None and newest.anthropic_shape.effort is not None
    learned = _learned()
    learned["request"]["anthropic"]["shape"] = SHAPE
    facts = over_newest(learned)
    assert facts.anthropic_betas == ("claude-code-20250219", "new-beta-2027-01-01")
    assert facts.anthropic_shape is not None
    assert facts.anthropic_shape.thinking == "enabled"
    assert facts.anthropic_shape.effort is None
    # Not learned: the newest file's.
    assert facts.anthropic_betas_oauth == newest.anthropic_betas_oauth
    assert facts.defaults[Provider.ANTHROPIC].small_fast == (
        newest.defaults[Provider.ANTHROPIC].small_fast
    )
    assert facts.defaults[Provider.BEDROCK] == newest.defaults[Provider.BEDROCK]
    assert facts.fallback == newest.fallback
    assert facts.variables == newest.variables


def test_a_learned_file_without_a_warmup_means_the_client_sends_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ccdoctor.clients import facts

    monkeypatch.setenv(facts.FACTS_UP_TO, "2.1.197")
    facts._shipped.cache_clear()
    try:
        assert facts.newest_shipped().warmup is not None
        assert over_newest(_learned()).warmup is None
        with_one = {**_learned(), "warmup": {"method": "HEAD", "path": "/api/hello"}}
        assert over_newest(with_one).warmup == facts.Warmup("HEAD", "/api/hello")
    finally:
        monkeypatch.delenv(facts.FACTS_UP_TO)
        facts._shipped.cache_clear()


def test_the_cached_file_reads_back_as_the_learned_facts(tmp_path: Path) -> None:
    path = tmp_path / "claude-x.toml"
    learned = _learned()
    learned["request"]["anthropic"]["shape"] = SHAPE
    assert cache.write_cached(path, learned, "header\nlines") is None
    assert cache.read_cached(path) == learned
    assert path.read_text().startswith("# header\n# lines\n")


# --- the learner, against stand-in clients ------------------------------------------------------

_CLIENT = """#!{python}
import json, os, sys, urllib.request
env = os.environ
# What the learner promises: a throw-away HOME, a dummy key, nothing of the user's (LC_CTYPE
# is Python's own, PWD the shell's when a wrapper script runs this).
assert env["HOME"] != {real_home!r} and "ccdoctor-learn-" in env["HOME"], env["HOME"]
assert env["ANTHROPIC_API_KEY"].startswith("sk-ant-learn-")
assert env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] == "1"
assert sorted(set(env) - {{"PATH", "HOME", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "CLAUDE_CODE_MAX_RETRIES", "DISABLE_AUTOUPDATER",
    "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS", "LC_CTYPE", "PWD"}}) == [], sorted(env)
assert sys.argv[1:] == ["-p", "say hi"]
experimental = env.get("CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS") != "1"
betas = "claude-code-20250219" + (",context-1m-2025-08-07,exp-beta-2027" if experimental else "")
base = env["ANTHROPIC_BASE_URL"]
assert base.startswith("http://127.0.0.1:")
body = {{"model": "claude-next", "max_tokens": 32000, "stream": True,
    "messages": [{{"role": "user", "content": [{{"type": "text", "text": "say hi",
        "cache_control": {{"type": "ephemeral", "ttl": "1h"}}}}]}}],
    "thinking": {{"type": "adaptive"}}, "tools": [{{"name": "t", "description": "d",
        "input_schema": {{}}, "defer_loading": True}}]}}
request = urllib.request.Request(base + "/v1/messages?beta=true", json.dumps(body).encode(),
    {{"anthropic-beta": betas, "content-type": "application/json"}})
with urllib.request.urlopen(request) as answer:
    stream = answer.read().decode()
assert "event: message_stop" in stream and '"text": "hi"' in stream, stream
print("hi")
"""


def _client(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "claude"
    path.write_text(script)
    path.chmod(0o755)
    return path


def test_the_learner_records_the_clients_request_in_the_facts_layout(tmp_path: Path) -> None:
    script = _CLIENT.format(python=sys.executable, real_home=str(Path.home()))
    learned = learn(_client(tmp_path, script), "2.1.999", 20)["anthropic"]
    assert learned.facts == {
        "version": "2.1.999",
        "source": "learned: Claude Code 2.1.999 against ccdoctor's loopback recorder",
        "request": {
            "anthropic": {
                "betas": ["claude-code-20250219", "exp-beta-2027"],
                "betas_without_experimental": ["claude-code-20250219"],
                "shape": {
                    "path": "/v1/messages?beta=true",
                    "body": ["max_tokens", "messages", "model", "stream", "thinking", "tools"],
                    "thinking": "adaptive",
                    "tool_flags": ["defer_loading"],
                    "cache_control": ["messages"],
                    "cache_ttl": "1h",
                },
            }
        },
        "defaults": {"anthropic": {"main": "claude-next[1m]"}},
    }
    assert over_newest(learned.facts).since == (2, 1, 999)


def test_a_client_that_exits_without_a_request_is_a_learn_error(tmp_path: Path) -> None:
    client = _client(tmp_path, "#!/bin/sh\necho 'Invalid API key' >&2\nexit 1\n")
    with pytest.raises(LearnError, match="exited 1 without a model request: Invalid API key"):
        learn(client, "2.1.999", 10)


def test_a_client_that_hangs_costs_the_timeout_only(tmp_path: Path) -> None:
    client = _client(tmp_path, "#!/bin/sh\nsleep 30\n")
    started = time.monotonic()
    with pytest.raises(LearnError, match=r"no model request within 0\.5 s"):
        learn(client, "2.1.999", 0.5)
    assert time.monotonic() - started < 3


def test_a_client_that_cannot_start_is_a_learn_error(tmp_path: Path) -> None:
    with pytest.raises(LearnError, match="could not be started"):
        learn(tmp_path / "no-such-claude", "2.1.999", 5)


# --- the run: config.client and the options ---------------------------------------------------


def _installed(machine: Machine, tmp_path: Path, script: str) -> None:
    bin_dir = tmp_path / "client-bin"
    bin_dir.mkdir(exist_ok=True)
    claude = bin_dir / "claude"
    claude.write_text(script)
    claude.chmod(0o755)
    machine.env["PATH"] = f"{bin_dir}:{machine.env['PATH']}"
    machine.env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")


def _newer_client(learn_script: str) -> str:
    """A `claude` that says it is NEWER and, run with -p, runs `learn_script`."""
    return (
        f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo "{NEWER_TEXT} (Claude Code)"; '
        f"exit 0; fi\n{learn_script}\n"
    )


def _client_check(machine: Machine, *args: str) -> dict[str, Any]:
    done = machine.cli("--offline", "-f", "json", "--only", "config.client", *args)
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    check: dict[str, Any] = report["checks"][0]
    check["exit_code"] = done.returncode
    check["main"] = {e["name"]: e["value"] for e in report["config"]}["model.main"]
    return check


def test_a_run_learns_a_newer_client_then_reads_the_cache(machine: Machine, tmp_path: Path) -> None:
    learner_script = _CLIENT.format(python=sys.executable, real_home=str(machine.home))
    python_client = tmp_path / "client.py"
    python_client.write_text(learner_script)
    _installed(machine, tmp_path, _newer_client(f'exec {sys.executable} {python_client} "$@"'))
    machine.claude_version = None
    first = _client_check(machine)
    assert first["status"] == "pass", first["message"]
    assert "learned from it now" in first["message"]
    assert first["details"]["facts_from"] == "learned"
    assert first["main"] == "claude-next[1m]"
    second = _client_check(machine)
    assert second["status"] == "pass"
    assert "learned from it by an earlier run" in second["message"]
    assert second["main"] == "claude-next[1m]"
    # --claude-version naming the installed client's version learns too (the cache serves).
    machine.claude_version = NEWER_TEXT
    assert _client_check(machine)["details"]["facts_from"] == "cached"


def test_no_learn_and_a_failing_client_warn_with_the_newest_facts(
    machine: Machine, tmp_path: Path
) -> None:
    _installed(machine, tmp_path, _newer_client("echo boom >&2; exit 1"))
    machine.claude_version = None
    newest_main = newest_shipped().defaults[Provider.ANTHROPIC].main
    failed = _client_check(machine)
    assert failed["status"] == "warn"
    assert failed["exit_code"] == 0
    assert (
        "learning failed: the client exited 1 without a model request: boom" in (failed["message"])
    )
    assert failed["main"] == newest_main
    off = _client_check(machine, "--no-learn")
    assert off["status"] == "warn"
    assert "(learning is off (--no-learn))" in off["message"]
    assert off["main"] == newest_main


def _learn_command(machine: Machine, *args: str) -> subprocess.CompletedProcess[str]:
    """`ccdoctor learn` (Machine.cli would add run options it does not take)."""
    return subprocess.run(
        [sys.executable, "-m", "ccdoctor", "learn", *args],
        cwd=machine.project,
        env={**machine.env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_ccdoctor_learn_prints_what_it_learned_and_fails_when_it_cannot(
    machine: Machine, tmp_path: Path
) -> None:
    python_client = tmp_path / "client.py"
    python_client.write_text(_CLIENT.format(python=sys.executable, real_home=str(machine.home)))
    _installed(machine, tmp_path, _newer_client(f'exec {sys.executable} {python_client} "$@"'))
    machine.claude_version = None
    done = _learn_command(machine)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Learned from Claude Code {NEWER_TEXT} (")
    assert "main model (Anthropic route): claude-next[1m]" in done.stdout
    assert "anthropic-beta: claude-code-20250219, exp-beta-2027" in done.stdout
    assert list((tmp_path / "xdg" / "ccdoctor" / "learned").glob(f"claude-{NEWER_TEXT}-*.toml"))
    _installed(machine, tmp_path, _newer_client("exit 3"))
    failed = _learn_command(machine, "--timeout", "5")
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "learning failed: the client exited 3 without a model request" in failed.stderr
