"""One learning run: the installed client, started the way ccdoctor starts any process, sends its
first request to the loopback recorder, and what it sent becomes facts in the shipped files'
layout (the keys it could show; the rest stays the newest shipped file's).

The client runs with a throw-away HOME (no settings, hooks, plugins or MCP servers of the
user's), dummy credentials, and an environment of PATH and the variables below only: the
user's real credentials, proxies and base URLs never reach it, and its only destination is
the recorder on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdoctor.clients.request_shape import ONE_MILLION_BETA, betas_of, body_shape
from ccdoctor.host.commands import BoundedProcess, CommandRun
from ccdoctor.knowledge.routes import GATEWAY_FLAG
from ccdoctor.learn.recorder import Recorded, Recorder, bedrock_model, vertex_model

PROMPT = "say hi"
ISOLATION = {
    # Nothing but the API calls may leave the client, and a failure must end the run at once.
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "CLAUDE_CODE_MAX_RETRIES": "0",
    "DISABLE_AUTOUPDATER": "1",
}
AWS_REGION = "us-east-1"
BEDROCK_PREFIX = "us"
"""The cross-region profile prefix the client prefers in AWS_REGION; a facts file writes it
`{prefix}`."""
VERTEX_REGION = "us-east5"
STOP_VARIABLES = ("CLAUDE_CODE_NO_MODEL_FALLBACK", "CLAUDE_CODE_DISABLE_MODEL_ACCESS_FALLBACK")
"""The variables tried for turning the model-access fallback off (those of the shipped files)."""
GATEWAY_REQUIRES = ("ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN")
LEARNED_KEYS = (
    "defaults.anthropic.main",
    "request.anthropic.betas",
    "request.anthropic.betas_without_experimental",
    "request.anthropic.shape",
    "defaults.bedrock.main",
    "defaults.vertex.main",
    "fallback.stopped_by",
    "fallback.bedrock.chain",
    "fallback.vertex.chain",
    "gateway.main",
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
class Run:
    """One client run and what its recorder saw."""

    command: CommandRun
    requests: tuple[Recorded, ...]

    @property
    def finished(self) -> bool:
        """It exited by itself: a run stopped at the time limit may have shown part only."""
        return not self.command.timed_out and self.command.start_error is None


def _dummy_key() -> str:
    # Of the real key's form: the recorder takes any.
    return "sk-ant-learn-" + secrets.token_hex(16)


def _bedrock(url: str) -> dict[str, str]:
    return {
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1",
        "ANTHROPIC_BEDROCK_BASE_URL": url,
        "AWS_REGION": AWS_REGION,
    }


def _vertex(url: str) -> dict[str, str]:
    return {
        "CLAUDE_CODE_USE_VERTEX": "1",
        "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
        "ANTHROPIC_VERTEX_BASE_URL": url + "/v1",
        "ANTHROPIC_VERTEX_PROJECT_ID": "ccdoctor-learn",
        "CLOUD_ML_REGION": VERTEX_REGION,
    }


def _stopped(
    route: Callable[[str], dict[str, str]], variable: str
) -> Callable[[str], dict[str, str]]:
    return lambda url: {**route(url), variable: "1"}


RUNS: Mapping[str, Callable[[str], dict[str, str]]] = {
    "anthropic": lambda url: {"ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": _dummy_key()},
    "without_experimental": lambda url: {
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_API_KEY": _dummy_key(),
        "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1",
    },
    "bedrock": _bedrock,
    **{f"bedrock {variable}": _stopped(_bedrock, variable) for variable in STOP_VARIABLES},
    "vertex": _vertex,
    **{f"vertex {variable}": _stopped(_vertex, variable) for variable in STOP_VARIABLES},
    # The sign-in with Bedrock's flag set too: a request to the Anthropic path proves it beats
    # the route flags; a Bedrock call, that the version has no such sign-in.
    "gateway": lambda url: {
        **_bedrock(url),
        GATEWAY_FLAG: "1",
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_AUTH_TOKEN": _dummy_key(),
    },
}
"""Each run's variables (beyond PATH, HOME and ISOLATION), given its recorder's URL. Every
base URL is the recorder, so no route's request can leave 127.0.0.1."""
GROUPS: Mapping[str, tuple[str, ...]] = {
    "anthropic": ("anthropic", "without_experimental"),
    "bedrock": ("bedrock", *(f"bedrock {v}" for v in STOP_VARIABLES)),
    "vertex": ("vertex", *(f"vertex {v}" for v in STOP_VARIABLES)),
    "gateway": ("gateway",),
}
"""What is learned, and cached, together: the Anthropic route's request always; a cloud
route's models and fallback, or the gateway sign-in, when the run uses it (each run costs a
client start, and two CPUs start two at a time)."""


def learn(
    binary: Path, version: str, timeout: float, groups: Sequence[str] = ("anthropic",)
) -> dict[str, Learned]:
    """Run `binary` once per run of `groups` (see GROUPS), all at once, each against its own
    recorder, and read what it sent: group → its facts. Costs at most `timeout` seconds;
    raises LearnError when a group showed nothing (no request, a hang, a crash)."""
    started = time.monotonic()
    names = [name for group in groups for name in GROUPS[group]]
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ccdoctor-learn-")))
        recorders = {name: stack.enter_context(Recorder()) for name in names}
        processes = {}
        for index, name in enumerate(names):
            home = scratch / str(index)
            home.mkdir()
            processes[name] = _start(binary, home, RUNS[name](recorders[name].url))
        deadline = started + timeout
        commands = {
            n: p.finish(max(0.1, deadline - time.monotonic())) for n, p in processes.items()
        }
        runs = {name: Run(commands[name], recorders[name].requests) for name in names}
    seconds = round(time.monotonic() - started, 2)
    found = {}
    for group in groups:
        facts = learned_facts(version, group, runs)
        if facts is None:
            raise LearnError(_why_nothing(group, runs[GROUPS[group][0]].command, timeout))
        found[group] = Learned(version, facts, seconds)
    return found


def _start(binary: Path, home: Path, extra: Mapping[str, str]) -> BoundedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        **ISOLATION,
        **extra,
    }
    return BoundedProcess(
        [str(binary), "-p", PROMPT], env=env, cwd=home, label=f"{binary} -p {PROMPT!r}"
    )


def learned_facts(version: str, group: str, runs: Mapping[str, Run]) -> dict[str, Any] | None:
    """What the recorded runs of `group` show, as a facts file nests it; None when they show
    nothing to read."""
    if group == "anthropic":
        learned = _anthropic(runs)
    elif group == "gateway":
        learned = _gateway(runs)
    else:
        learned = _cloud(group, runs)
    if learned is None:
        return None
    source = f"learned: Claude Code {version} against ccdoctor's loopback recorder"
    return {"version": version, "source": source, **learned}


def _anthropic(runs: Mapping[str, Run]) -> dict[str, Any] | None:
    requests = runs["anthropic"].requests
    first = _first_message(requests)
    if first is None:
        return None
    betas = betas_of(first.header("anthropic-beta"))
    model = str(first.body.get("model"))
    # ccdoctor writes the 1M-context variant as `[1m]`; on the wire it is the model plus a beta.
    main = model + "[1m]" if ONE_MILLION_BETA in betas else model
    anthropic: dict[str, Any] = {"betas": [b for b in betas if b != ONE_MILLION_BETA]}
    without = runs.get("without_experimental")
    plain = _first_message(without.requests) if without is not None else None
    if plain is not None:
        anthropic["betas_without_experimental"] = [
            b for b in betas_of(plain.header("anthropic-beta")) if b != ONE_MILLION_BETA
        ]
    anthropic["shape"] = body_shape(first.path, first.body)
    facts: dict[str, Any] = {}
    before = requests[: requests.index(first)]
    if before:
        # The recorder has no path prefix: its paths are already relative to the base URL.
        facts["warmup"] = {"method": before[0].method, "path": before[0].route}
    facts["request"] = {"anthropic": anthropic}
    facts["defaults"] = {"anthropic": {"main": main}}
    return facts


def _cloud(route: str, runs: Mapping[str, Run]) -> dict[str, Any] | None:
    """The route's main model, and its fallback chain when the client asks more than one
    model of a recorder that refuses them all, with the variables that stop it (one model
    asked)."""
    model_of = bedrock_model if route == "bedrock" else vertex_model
    written = _with_placeholder if route == "bedrock" else str
    chain = _chain(runs.get(route), model_of, written)
    if not chain:
        return None
    facts: dict[str, Any] = {"defaults": {route: {"main": chain[0]}}}
    stops = [v for v in STOP_VARIABLES if len(_chain(runs.get(f"{route} {v}"), model_of, str)) == 1]
    # A facts file's fallback names what stops it: a chain seen without that is not written.
    if len(chain) > 1 and stops:
        facts["fallback"] = {route: {"chain": chain}, "stopped_by": stops}
    return facts


def _gateway(runs: Mapping[str, Run]) -> dict[str, Any] | None:
    run = runs["gateway"]
    if not run.finished:
        return None
    model = _gateway_model(run)
    if model is None:
        # It took Bedrock: this version has no sign-in (nothing to learn, nothing failed).
        return {} if any(bedrock_model(r) for r in run.requests) else None
    return {"gateway": {"flag": GATEWAY_FLAG, "requires": list(GATEWAY_REQUIRES), "main": model}}


def _chain(
    run: Run | None, model_of: Callable[[Recorded], str | None], written: Callable[[str], str]
) -> list[str]:
    """The models a finished run asked in turn (the same model asked again at once, a stream's
    non-streaming retry, is not a step of the chain)."""
    if run is None or not run.finished:
        return []
    models = [m for r in run.requests if (m := model_of(r)) is not None]
    return [written(m) for i, m in enumerate(models) if i == 0 or models[i - 1] != m]


def _with_placeholder(model: str) -> str:
    return (
        "{prefix}" + model[len(BEDROCK_PREFIX) :]
        if model.startswith(BEDROCK_PREFIX + ".")
        else model
    )


def _gateway_model(run: Run | None) -> str | None:
    """The model the sign-in asks at the base URL, sent as a bearer; None when the run took
    Bedrock instead (no sign-in in this version) or did not finish."""
    if run is None:
        return None
    first = _first_message(run.requests)
    if first is None or not (first.header("authorization") or "").startswith("Bearer "):
        return None
    return str(first.body.get("model"))


def _first_message(requests: Sequence[Recorded]) -> Recorded | None:
    return next(
        (
            r
            for r in requests
            if r.method == "POST" and r.route == "/v1/messages" and isinstance(r.body, dict)
        ),
        None,
    )


def _why_nothing(group: str, run: CommandRun, timeout: float) -> str:
    where = "" if group == "anthropic" else f" ({group} route)"
    if run.start_error is not None:
        return f"the client could not be started: {run.start_error}"
    if run.timed_out:
        return f"the client{where} sent no model request within {timeout:g} s and was stopped"
    last = [line.strip() for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    said = f": {last[-1][:200]}" if last else ""
    return f"the client{where} exited {run.exit_code} without a model request{said}"
