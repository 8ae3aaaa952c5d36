"""One learning run: the installed client, started the way ccdoctor starts any process, sends its
first request to the loopback recorder, and what it sent becomes facts in the shipped files'
layout (the keys it could show; the rest stays the newest shipped file's).

The client runs with a throw-away HOME (no settings, hooks, plugins or MCP servers of the
user's), dummy credentials, and an environment of PATH and the variables below only: the
user's real credentials, proxies and base URLs never reach it, and its only destination is
the recorder on 127.0.0.1."""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdoctor.clients.request_shape import ONE_MILLION_BETA, betas_of, body_shape
from ccdoctor.host.commands import BoundedProcess, CommandRun
from ccdoctor.learn.recorder import Recorded, Recorder

PROMPT = "say hi"
ISOLATION = {
    # Nothing but the API calls may leave the client, and a failure must end the run at once.
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "CLAUDE_CODE_MAX_RETRIES": "0",
    "DISABLE_AUTOUPDATER": "1",
}
WITHOUT_EXPERIMENTAL = {"CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1"}
LEARNED_KEYS = (
    "defaults.anthropic.main",
    "request.anthropic.betas",
    "request.anthropic.betas_without_experimental",
    "request.anthropic.shape",
)
"""What one learning writes, when the client shows it (a warm-up request too, when it sends
one); every other key comes from the newest shipped file."""


class LearnError(Exception):
    """Why learning gave no facts, in words for the report."""


@dataclass(frozen=True)
class Learned:
    version: str
    facts: Mapping[str, Any]
    """The learned keys, nested as a facts file writes them."""
    seconds: float


@dataclass(frozen=True)
class _Run:
    command: CommandRun
    requests: tuple[Recorded, ...]


def learn(binary: Path, version: str, timeout: float) -> Learned:
    """Run `binary` twice at once (as installed, and with experimental betas off), each against
    its own recorder, and read its Anthropic-route request. Costs at most `timeout` seconds;
    raises LearnError when the client gave nothing to read."""
    started = time.monotonic()
    with (
        Recorder() as plain,
        Recorder() as without,
        tempfile.TemporaryDirectory(prefix="ccdoctor-learn-") as scratch,
    ):
        homes = [Path(scratch) / "plain", Path(scratch) / "without"]
        for home in homes:
            home.mkdir()
        processes = [
            _start(binary, home, recorder.url, extra)
            for home, recorder, extra in zip(
                homes, (plain, without), ({}, WITHOUT_EXPERIMENTAL), strict=True
            )
        ]
        deadline = started + timeout
        commands = [p.finish(max(0.1, deadline - time.monotonic())) for p in processes]
        runs = [_Run(c, r.requests) for c, r in zip(commands, (plain, without), strict=True)]
    facts = learned_facts(version, runs[0].requests, runs[1].requests)
    if facts is None:
        raise LearnError(_why_nothing(runs[0].command, timeout))
    return Learned(version, facts, round(time.monotonic() - started, 2))


def _start(binary: Path, home: Path, url: str, extra: Mapping[str, str]) -> BoundedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ANTHROPIC_BASE_URL": url,
        # A dummy key of the real key's form: the recorder takes any.
        "ANTHROPIC_API_KEY": "sk-ant-learn-" + secrets.token_hex(16),
        **ISOLATION,
        **extra,
    }
    return BoundedProcess(
        [str(binary), "-p", PROMPT], env=env, cwd=home, label=f"{binary} -p {PROMPT!r}"
    )


def learned_facts(
    version: str, requests: Sequence[Recorded], without_experimental: Sequence[Recorded]
) -> dict[str, Any] | None:
    """The facts the recorded requests show, as a facts file nests them; None without a
    Messages request to read."""
    first = _first_message(requests)
    if first is None:
        return None
    betas = betas_of(first.header("anthropic-beta"))
    model = str(first.body.get("model"))
    # ccdoctor writes the 1M-context variant as `[1m]`; on the wire it is the model plus a beta.
    main = model + "[1m]" if ONE_MILLION_BETA in betas else model
    anthropic: dict[str, Any] = {
        "betas": [b for b in betas if b != ONE_MILLION_BETA],
    }
    plain = _first_message(without_experimental)
    if plain is not None:
        anthropic["betas_without_experimental"] = [
            b for b in betas_of(plain.header("anthropic-beta")) if b != ONE_MILLION_BETA
        ]
    anthropic["shape"] = body_shape(first.path, first.body)
    facts: dict[str, Any] = {
        "version": version,
        "source": f"learned: Claude Code {version} against ccdoctor's loopback recorder",
    }
    before = requests[: requests.index(first)]
    if before:
        # The recorder has no path prefix: its paths are already relative to the base URL.
        facts["warmup"] = {"method": before[0].method, "path": before[0].route}
    facts["request"] = {"anthropic": anthropic}
    facts["defaults"] = {"anthropic": {"main": main}}
    return facts


def _first_message(requests: Sequence[Recorded]) -> Recorded | None:
    return next(
        (
            r
            for r in requests
            if r.method == "POST" and r.route == "/v1/messages" and isinstance(r.body, dict)
        ),
        None,
    )


def _why_nothing(run: CommandRun, timeout: float) -> str:
    if run.start_error is not None:
        return f"the client could not be started: {run.start_error}"
    if run.timed_out:
        return f"the client sent no model request within {timeout:g} s and was stopped"
    last = [line.strip() for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    said = f": {last[-1][:200]}" if last else ""
    return f"the client exited {run.exit_code} without a model request{said}"
