"""Observe which models a session sends and what thinking it sends them (the facts written
down in tests/facts/session_models.md), with the real client against the fake Anthropic API:

    python -m tests.facts.session_models --claude-version 2.1.332 --claude-version 2.1.197

Each observation is one `claude -p` with a fresh HOME; the fake refuses chosen models (404),
answers thinking for a model without it with 400, and can call the client's Agent tool once so
that a subagent runs offline. Prints one line per observation and exits 1 when one differs from
what ccdoctor assumes (EXPECTED)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conformance.claude_client import ClientRun, claude_or_exit, run_client
from tests.peers.fake_anthropic import DEFAULT_API_KEY, Behaviour, FakeAnthropic

_ISOLATION = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "CLAUDE_CODE_MAX_RETRIES": "0",
    "DISABLE_AUTOUPDATER": "1",
}
PIN = "claude-pinned-test-model"
ALIAS = "gateway-haiku"
CLAUDE_3 = "claude-3-5-haiku-20241022"


@dataclass(frozen=True)
class Setup:
    env: Mapping[str, str] = field(default_factory=dict)
    behaviour: Behaviour = field(default_factory=Behaviour)
    settings: Mapping[str, Any] | None = None
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Seen:
    run: ClientRun
    bodies: list[dict[str, Any]]

    @property
    def models(self) -> list[str]:
        return [str(b.get("model")) for b in self.bodies]


def watch(binary: Path, setup: Setup) -> Seen:
    with FakeAnthropic(setup.behaviour) as fake, tempfile.TemporaryDirectory() as home:
        if setup.settings is not None:
            (Path(home) / ".claude").mkdir()
            (Path(home) / ".claude" / "settings.json").write_text(json.dumps(setup.settings))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            **_ISOLATION,
            "ANTHROPIC_BASE_URL": fake.url,
            "ANTHROPIC_API_KEY": DEFAULT_API_KEY,
            **setup.env,
        }
        run = run_client(binary, setup.args, env, Path(home))
        bodies = [
            r.body
            for r in fake.requests_to("/v1/messages")
            if r.method == "POST" and isinstance(r.body, dict)
        ]
    return Seen(run, bodies)


def _refusing(*models: str) -> Behaviour:
    # The fake serves a set: everything the client may send but these.
    served = {"claude-opus-5-5", "claude-opus-4-8", "claude-sonnet-4-5", CLAUDE_3, ALIAS}
    return Behaviour(models=frozenset(served - set(models)))


Judge = Callable[[Seen], bool]
OBSERVATIONS: tuple[tuple[str, Setup, Judge], ...] = (
    (
        "plain -p sends the main model alone",
        Setup(),
        lambda s: s.run.exit_code == 0 and len(set(s.models)) == 1,
    ),
    (
        "the opus pin is the main model when none is chosen",
        Setup(env={"ANTHROPIC_DEFAULT_OPUS_MODEL": PIN}, behaviour=Behaviour()),
        lambda s: s.models[:1] == [PIN],
    ),
    (
        "the opus pin refused stops the client",
        Setup(env={"ANTHROPIC_DEFAULT_OPUS_MODEL": PIN}, behaviour=_refusing(PIN)),
        lambda s: s.run.exit_code not in (0, None),
    ),
    *(
        (
            f"{variable} is not sent at start-up, refused or not",
            Setup(env={variable: PIN}, behaviour=_refusing(PIN)),
            lambda s: s.run.exit_code == 0 and PIN not in s.models,
        )
        for variable in (
            "CLAUDE_CODE_SUBAGENT_MODEL",
            "ANTHROPIC_DEFAULT_SONNET_MODEL",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
        )
    ),
    (
        "a subagent sends CLAUDE_CODE_SUBAGENT_MODEL; refused, the session goes on",
        Setup(
            env={"CLAUDE_CODE_SUBAGENT_MODEL": PIN},
            behaviour=dataclasses.replace(_refusing(PIN), spawn_subagent="general-purpose"),
        ),
        lambda s: s.run.exit_code == 0 and PIN in s.models,
    ),
    (
        "a Claude 3 model is sent no thinking, context_management or output_config",
        Setup(env={"ANTHROPIC_MODEL": CLAUDE_3, "MAX_THINKING_TOKENS": "2048"}),
        lambda s: (
            bool(s.bodies)
            and not any(
                {"thinking", "context_management", "output_config"} & set(b) for b in s.bodies
            )
        ),
    ),
    (
        "an unknown ID is sent thinking, and a 400 'does not support thinking' stops the client",
        Setup(
            env={"ANTHROPIC_MODEL": ALIAS},
            behaviour=Behaviour(without_thinking=frozenset({ALIAS})),
        ),
        lambda s: s.run.exit_code not in (0, None) and "does not support thinking" in s.run.output,
    ),
    (
        "CLAUDE_CODE_DISABLE_THINKING=1 stops it",
        Setup(
            env={"ANTHROPIC_MODEL": ALIAS, "CLAUDE_CODE_DISABLE_THINKING": "1"},
            behaviour=Behaviour(without_thinking=frozenset({ALIAS})),
        ),
        lambda s: s.run.exit_code == 0,
    ),
    (
        "alwaysThinkingEnabled false stops it",
        Setup(
            env={"ANTHROPIC_MODEL": ALIAS},
            behaviour=Behaviour(without_thinking=frozenset({ALIAS})),
            settings={"alwaysThinkingEnabled": False},
        ),
        lambda s: s.run.exit_code == 0,
    ),
    (
        "availableModels without the chosen model: the default is sent",
        Setup(env={"ANTHROPIC_MODEL": "claude-sonnet-4-5"}, settings={"availableModels": ["opus"]}),
        lambda s: bool(s.models) and s.models[0] != "claude-sonnet-4-5",
    ),
    (
        "availableModels with the chosen model's family: it is sent",
        Setup(
            env={"ANTHROPIC_MODEL": "claude-sonnet-4-5"}, settings={"availableModels": ["sonnet"]}
        ),
        lambda s: s.models[:1] == ["claude-sonnet-4-5"],
    ),
)


def observe(binary: Path) -> list[tuple[str, bool, Seen]]:
    return [
        (name, judge(seen := watch(binary, setup)), seen) for name, setup, judge in OBSERVATIONS
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claude-version", action="append", required=True)
    args = parser.parse_args(argv)
    failed = False
    for version in args.claude_version:
        binary = claude_or_exit(version)
        for name, held, seen in observe(binary):
            failed |= not held
            mark = "holds " if held else "DIFFERS"
            print(f"{version} {mark} {name}: exit {seen.run.exit_code}, models {seen.models}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
