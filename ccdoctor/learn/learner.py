"""One learning run: the installed client, started the way ccdoctor starts any process, sends its
first request to the loopback recorder, and what it sent becomes facts in the shipped files'
layout (the keys it could show; the rest stays the newest shipped file's).

The client runs with a throw-away HOME (no settings, hooks, plugins or MCP servers of the
user's), dummy credentials, and an environment of PATH and the variables below only: the
user's real credentials, proxies and base URLs never reach it, and its only destination is
the recorder on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdoctor.clients.facts import OAUTH_BETA, newest_shipped
from ccdoctor.clients.request_shape import ONE_MILLION_BETA, ONE_MILLION_MODEL, betas_of, body_shape
from ccdoctor.host.commands import BoundedProcess, CommandRun
from ccdoctor.knowledge.routes import GATEWAY_FLAG
from ccdoctor.learn.recorder import Recorded, Recorder, Refusing, bedrock_model, vertex_model
from ccdoctor.learn.routes import BEDROCK_PREFIX, ROUTE_ENVS, Stand
from ccdoctor.learn.strict import FIELD_TO_SHAPE, fields_to_try

PROMPT = "say hi"
ISOLATION = {
    # Nothing but the API calls may leave the client, and a failure must end the run at once.
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "CLAUDE_CODE_MAX_RETRIES": "0",
    "DISABLE_AUTOUPDATER": "1",
}
SHAPE_SWITCHES = (
    "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1",
    "DISABLE_PROMPT_CACHING=1",
    "CLAUDE_CODE_DISABLE_THINKING=1",
    "MAX_THINKING_TOKENS=0",
    "DISABLE_INTERLEAVED_THINKING=1",
)
"""The user's switches tried one by one: what each removes or changes in the request."""
ONE_HOUR_CACHE = ("ENABLE_PROMPT_CACHING_1H=1", "CLAUDE_CODE_PROMPT_CACHE_TTL=1h")
"""The switches that may turn the client's cache_control ttl to 1h."""
STOP_VARIABLES = ("CLAUDE_CODE_NO_MODEL_FALLBACK", "CLAUDE_CODE_DISABLE_MODEL_ACCESS_FALLBACK")
"""The variables tried for turning the model-access fallback off (those of the shipped files)."""
GATEWAY_REQUIRES = ("ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN")
ALIASES = ("opus", "sonnet", "haiku")
CLOUD_ROUTES = ("bedrock", "vertex", "foundry", "mantle", "anthropic_aws", "anthropic_google_cloud")
"""The routes whose main model is learned (Bedrock's and Vertex's fallback too)."""
ALIASED_ROUTES = CLOUD_ROUTES[2:]
"""The routes whose aliases are learned too (a run per alias; Bedrock's and Vertex's aliases,
whose fallback runs already cost three clients, stay the newest file's)."""
LEARNED_KEYS = (
    "defaults.anthropic.main",
    "request.anthropic.betas",
    "request.anthropic.betas_without_experimental",
    "request.anthropic.betas_oauth",
    "request.anthropic.betas_oauth_without_experimental",
    "request.anthropic.shape",
    "request.anthropic.switches",
    "request.anthropic.beta_switches",
    "request.anthropic.one_hour_cache",
    "retries.drops_rejected_betas",
    "retries.drops_rejected_fields",
    *(f"defaults.{route}.main" for route in CLOUD_ROUTES),
    *(f"aliases.{route}.{alias}" for route in ALIASED_ROUTES for alias in ALIASES),
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
    """The facts learned from one client version for one group, and the seconds learning took."""

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


@dataclass(frozen=True)
class Spec:
    """One client run to make: its variables given its recorder's URL, and what that recorder
    refuses."""

    env: Callable[[str], dict[str, str]]
    refusing: Refusing | None = None


SLOTS = max(2, 2 * (os.cpu_count() or 1))
"""Clients running at once, over every learning of this process: each is mostly start-up CPU,
so more only queues (and each holds a few hundred MB)."""
_SLOTS = threading.BoundedSemaphore(SLOTS)


def _stand() -> Stand:
    # A key of the real form (the recorder takes any); names the recorder ignores.
    return Stand("sk-ant-learn-" + secrets.token_hex(16), "ccdoctor-learn", "wrkspc_learn")


def _route(route: str, suffix: str = "") -> Callable[[str], dict[str, str]]:
    return lambda url: ROUTE_ENVS[route](url + suffix, _stand())


_anthropic_env = _route("anthropic")
_bedrock = _route("bedrock")
_vertex = _route("vertex", "/v1")


def _oauth(url: str) -> dict[str, str]:
    # A claude.ai token of the real one's form, alone (no API key): the client adds its betas.
    token = "sk-ant-oat01-learn-" + secrets.token_hex(16)
    return {"ANTHROPIC_BASE_URL": url, "CLAUDE_CODE_OAUTH_TOKEN": token}


def _stopped(
    route: Callable[[str], dict[str, str]], variable: str
) -> Callable[[str], dict[str, str]]:
    return lambda url: {**route(url), variable: "1"}


def _with(route: Callable[[str], dict[str, str]], name: str, value: str) -> Spec:
    return Spec(lambda url: {**route(url), name: value})


_ROUTE_ENVS: Mapping[str, Callable[[str], dict[str, str]]] = {
    route: _vertex if route == "vertex" else _route(route) for route in CLOUD_ROUTES
}
EXPERIMENTAL_OFF = "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"
RUNS: Mapping[str, Spec] = {
    "anthropic": Spec(_anthropic_env),
    "without_experimental": _with(_anthropic_env, EXPERIMENTAL_OFF, "1"),
    "oauth": Spec(_oauth),
    "oauth without_experimental": _with(_oauth, EXPERIMENTAL_OFF, "1"),
    **{route: Spec(env) for route, env in _ROUTE_ENVS.items()},
    **{
        f"{route} {alias}": _with(env, "ANTHROPIC_MODEL", alias)
        for route, env in _ROUTE_ENVS.items()
        if route in ALIASED_ROUTES
        for alias in ALIASES
    },
    **{
        f"switch {switch}": _with(_anthropic_env, *switch.split("=", 1))
        for switch in (*SHAPE_SWITCHES, *ONE_HOUR_CACHE)
    },
    **{f"bedrock {v}": Spec(_stopped(_bedrock, v)) for v in STOP_VARIABLES},
    **{f"vertex {v}": Spec(_stopped(_vertex, v)) for v in STOP_VARIABLES},
    # The sign-in with Bedrock's flag set too: a request to the Anthropic path proves it beats
    # the route flags; a Bedrock call, that the version has no such sign-in.
    "gateway": Spec(
        lambda url: {
            **_bedrock(url),
            GATEWAY_FLAG: "1",
            "ANTHROPIC_BASE_URL": url,
            "ANTHROPIC_AUTH_TOKEN": _stand().api_key,
        }
    ),
}
"""Each run's variables (beyond PATH, HOME and ISOLATION), given its recorder's URL. Every
base URL is the recorder, so no route's request can leave 127.0.0.1."""
GROUPS: Mapping[str, tuple[str, ...]] = {
    "anthropic": ("anthropic", "without_experimental"),
    # Then one run per beta and per field of that request, each refused (see _refusals).
    "retries": ("anthropic",),
    "switches": ("anthropic", *(f"switch {s}" for s in (*SHAPE_SWITCHES, *ONE_HOUR_CACHE))),
    "oauth": ("oauth", "oauth without_experimental"),
    **{
        route: (
            route,
            *(f"{route} {alias}" for alias in ALIASES if route in ALIASED_ROUTES),
            *(f"{route} {v}" for v in STOP_VARIABLES if route not in ALIASED_ROUTES),
        )
        for route in CLOUD_ROUTES
    },
    "gateway": ("gateway",),
}
"""What is learned, and cached, together: the Anthropic route's request always; what a
gateway's 400 makes the client drop, what each switch removes, the OAuth betas, a cloud
route's models (and fallback), or the gateway sign-in, when the run uses it (each run costs a
client start)."""
REFUSED_BETA = "refused beta "
REFUSED_FIELD = "refused field "
REFUSED_ONE_MILLION = "refused beta of a [1m] model"


def learn(
    binary: Path, version: str, timeout: float, groups: Sequence[str] = ("anthropic",)
) -> dict[str, Learned]:
    """Run `binary` once per run of `groups` (see GROUPS), SLOTS at a time, each against its
    own recorder, and read what it sent: group → its facts. The retries group then runs once
    more per beta and field of the Anthropic route's request, each refused. Costs at most
    `timeout` seconds; raises LearnError when a group showed nothing (no request, a hang, a
    crash)."""
    started = time.monotonic()
    deadline = started + timeout
    names = list(dict.fromkeys(name for group in groups for name in GROUPS[group]))
    specs = {n: RUNS[n] for n in names}
    # The refusals start with the plain request, for the betas and fields the newest file
    # says it sends; one it sends beyond those is refused after (usually none is).
    guessed = _refusals(*_newest_sent()) if "retries" in groups else {}
    with tempfile.TemporaryDirectory(prefix="ccdoctor-learn-") as scratch:
        runs = _run_all(binary, Path(scratch), {**specs, **guessed}, deadline)
        if "retries" in groups:
            sent = _refusals(*_sent(runs["anthropic"]))
            rest = {n: spec for n, spec in sent.items() if n not in runs}
            runs.update(_run_all(binary, Path(scratch), rest, deadline))
            runs = {n: r for n, r in runs.items() if n in specs or n in sent}
    seconds = round(time.monotonic() - started, 2)
    found = {}
    for group in groups:
        facts = learned_facts(version, group, runs)
        if facts is None:
            raise LearnError(_why_nothing(group, _telling(group, runs), timeout))
        found[group] = Learned(version, facts, seconds)
    return found


def _run_all(
    binary: Path, scratch: Path, specs: Mapping[str, Spec], deadline: float
) -> dict[str, Run]:
    """Each spec run against its own recorder, SLOTS at a time, all done by `deadline` (a run
    still going then is stopped)."""

    def one(name: str, spec: Spec) -> Run:
        with _SLOTS, Recorder(spec.refusing) as recorder:
            home = Path(tempfile.mkdtemp(dir=scratch))
            process = _start(binary, home, spec.env(recorder.url))
            command = process.finish(max(0.1, deadline - time.monotonic()))
            return Run(command, recorder.requests)

    with ThreadPoolExecutor(max_workers=max(1, len(specs))) as pool:
        futures = {name: pool.submit(one, name, spec) for name, spec in specs.items()}
        return {name: future.result() for name, future in futures.items()}


def _refusals(betas: Sequence[str], fields: Sequence[str]) -> dict[str, Spec]:
    """One Anthropic run per beta and per rejectable field, the recorder refusing that one, and
    one of a `[1m]` model refusing its 1M beta (which the default request may not carry)."""
    return {
        **{REFUSED_BETA + b: Spec(_anthropic_env, Refusing(beta=b)) for b in betas},
        **{REFUSED_FIELD + f: Spec(_anthropic_env, Refusing(field=f)) for f in fields},
        REFUSED_ONE_MILLION: Spec(_one_million_env, Refusing(beta=ONE_MILLION_BETA)),
    }


def _one_million_env(url: str) -> dict[str, str]:
    return {**_anthropic_env(url), "ANTHROPIC_MODEL": ONE_MILLION_MODEL}


def _sent(plain: Run) -> tuple[list[str], list[str]]:
    """The betas and rejectable fields of the plain run's first request (none without one)."""
    first = _first_message(plain.requests)
    if first is None:
        return [], []
    betas = [b for b in betas_of(first.header("anthropic-beta")) if b != ONE_MILLION_BETA]
    return betas, fields_to_try(body_shape(first.path, first.body))


def _newest_sent() -> tuple[list[str], list[str]]:
    """What the newest shipped file says that request carries."""
    newest = newest_shipped()
    shape = newest.anthropic_shape
    table = {k: v for k, v in dataclasses.asdict(shape).items() if v} if shape else {}
    return list(newest.anthropic_betas), fields_to_try(table)


def _telling(group: str, runs: Mapping[str, Run]) -> CommandRun:
    """The run whose end says why `group` showed nothing: the first that did not finish, else
    the group's first."""
    mine = [r for n, r in runs.items() if n in GROUPS[group] or group == "retries"]
    return next((r.command for r in mine if not r.finished), runs[GROUPS[group][0]].command)


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
    elif group == "retries":
        learned = _retries(runs)
    elif group == "switches":
        learned = _switches(runs)
    elif group == "oauth":
        learned = _oauth_betas(runs)
    elif group == "gateway":
        learned = _gateway(runs)
    elif group in ("bedrock", "vertex"):
        learned = _cloud(group, runs)
    else:
        learned = _platform(group, runs)
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


def _platform(route: str, runs: Mapping[str, Run]) -> dict[str, Any] | None:
    """A route that speaks the Messages API at its own base URL (Foundry, Mantle, Claude
    Platform): the model of its first request, plain and with each alias."""
    main = _models(runs.get(route))[:1]
    if not main:
        return None
    facts: dict[str, Any] = {"defaults": {route: {"main": main[0]}}}
    aliases = _aliases(route, runs, lambda run: _models(run)[:1])
    if aliases:
        facts["aliases"] = {route: aliases}
    return facts


def _aliases(
    route: str, runs: Mapping[str, Run], first: Callable[[Run | None], list[str]]
) -> dict[str, str]:
    """What `ANTHROPIC_MODEL=<alias>` asked first, by alias (one that showed nothing stays the
    newest file's)."""
    found = {alias: first(runs.get(f"{route} {alias}")) for alias in ALIASES}
    return {alias: models[0] for alias, models in found.items() if models}


def _models(run: Run | None) -> list[str]:
    """The models a finished run's Messages calls asked, in order."""
    if run is None or not run.finished:
        return []
    return [str(r.body.get("model")) for r in _messages(run.requests)]


def _retries(runs: Mapping[str, Run]) -> dict[str, Any] | None:
    """The betas and fields the client sent again without, and then got its answer, after a
    400 that named that one alone (in the order the request carries them); None when a refused
    run did not finish (it shows neither)."""
    betas, fields = _sent(runs["anthropic"])
    names = [REFUSED_BETA + b for b in betas] + [REFUSED_FIELD + f for f in fields]
    names.append(REFUSED_ONE_MILLION)
    refused = [runs.get(name) for name in names]
    if not betas or any(run is None or not run.finished for run in refused):
        return None
    answered = {
        name: posts
        for name, run in zip(names, refused, strict=True)
        if run is not None
        and run.command.exit_code == 0
        and len(posts := _messages(run.requests)) > 1
    }
    kept = [
        b
        for b in betas
        if REFUSED_BETA + b in answered
        and b not in betas_of(answered[REFUSED_BETA + b][-1].header("anthropic-beta"))
    ]
    if REFUSED_ONE_MILLION in answered and ONE_MILLION_BETA not in betas_of(
        answered[REFUSED_ONE_MILLION][-1].header("anthropic-beta")
    ):
        kept.append(ONE_MILLION_BETA)
    shape_fields = [FIELD_TO_SHAPE[f] for f in fields if REFUSED_FIELD + f in answered]
    return {
        "retries": {
            "drops_rejected_betas": kept,
            "drops_rejected_fields": list(dict.fromkeys(shape_fields)),
        }
    }


def _switches(runs: Mapping[str, Run]) -> dict[str, Any] | None:
    """What each of the user's switches removes from the plain request or changes in it (a key
    that vanishes or takes another value), the betas it removes, and which switches make the
    cache ttl 1h (with the betas they add); None when a run showed no request."""
    base = _first_message(runs["anthropic"].requests)
    tried = (*SHAPE_SWITCHES, *ONE_HOUR_CACHE)
    switched = {s: r for s in tried if (r := _first_message(runs[f"switch {s}"].requests))}
    if base is None or len(switched) < len(tried):
        return None
    shape = body_shape(base.path, base.body)
    betas = [b for b in betas_of(base.header("anthropic-beta")) if b != ONE_MILLION_BETA]
    removed: dict[str, list[str]] = {}
    removed_betas: dict[str, list[str]] = {}
    one_hour: dict[str, list[str]] = {"set_by": [], "betas": []}
    for switch, request in switched.items():
        seen = body_shape(request.path, request.body)
        sent = [b for b in betas_of(request.header("anthropic-beta")) if b != ONE_MILLION_BETA]
        if switch in ONE_HOUR_CACHE:
            if seen.get("cache_ttl") == "1h":
                one_hour["set_by"].append(switch)
                added = [b for b in sent if b not in betas and b not in one_hour["betas"]]
                one_hour["betas"].extend(added)
            continue
        # `body` follows from the keys themselves; the path is the same on every run.
        gone = [k for k in shape if k not in ("path", "body") and seen.get(k) != shape[k]]
        if gone:
            removed[switch] = gone
        # CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS's betas are betas_without_experimental.
        if switch != SHAPE_SWITCHES[0] and sent != betas:
            removed_betas[switch] = [b for b in betas if b not in sent]
    anthropic = {"switches": removed, "beta_switches": removed_betas, "one_hour_cache": one_hour}
    return {"request": {"anthropic": anthropic}}


def _oauth_betas(runs: Mapping[str, Run]) -> dict[str, Any] | None:
    """The betas sent with CLAUDE_CODE_OAUTH_TOKEN alone, with and without experimental betas
    (a request without the OAuth beta would be refused by the API: it is not the sign-in's)."""
    found = {}
    for name, key in (
        ("oauth", "betas_oauth"),
        ("oauth without_experimental", "betas_oauth_without_experimental"),
    ):
        run = runs[name]
        sent = [betas_of(r.header("anthropic-beta")) for r in _messages(run.requests)]
        with_oauth = [b for b in sent if OAUTH_BETA in b]
        if not run.finished or not with_oauth:
            return None
        found[key] = [b for b in with_oauth[0] if b != ONE_MILLION_BETA]
    return {"request": {"anthropic": found}}


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


def _messages(requests: Sequence[Recorded]) -> list[Recorded]:
    return [
        r
        for r in requests
        if r.method == "POST" and r.route == "/v1/messages" and isinstance(r.body, dict)
    ]


def _first_message(requests: Sequence[Recorded]) -> Recorded | None:
    return next(iter(_messages(requests)), None)


def _why_nothing(group: str, run: CommandRun, timeout: float) -> str:
    where = "" if group == "anthropic" else f" ({group} route)"
    if run.start_error is not None:
        return f"the client could not be started: {run.start_error}"
    if run.timed_out:
        return f"the client{where} sent no model request within {timeout:.1f} s and was stopped"
    last = [line.strip() for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    said = f": {last[-1][:200]}" if last else ""
    return f"the client{where} exited {run.exit_code} without a model request{said}"
