"""Observe, rather than transcribe, the per-version facts ccdoctor keeps in
ccdoctor/clients/versions/<version>.toml: run one installed Claude Code client against the fakes
and record what it sends.

    python -m tests.facts.observe --claude-version 2.1.332 [--write PATH | --check]

Prints the observed TOML (or writes it to PATH, and the variables the client names to PATH with
the suffix .variables); --check compares both with the committed files, the TOML on the observed
keys only (the file may hold more), and exits 1 on a difference. Findings that are
not keys of the file (what a pinned model or a partly served chain does) go to stderr as notes.
A fact that could not be observed is left out, never guessed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ccdoctor.clients.request_shape import ONE_MILLION_BETA, ONE_MILLION_MODEL, betas_of, body_shape
from ccdoctor.clients.toml_text import to_toml, toml_value
from ccdoctor.knowledge.env_vars import is_checked_family
from ccdoctor.knowledge.routes import GATEWAY_FLAG
from ccdoctor.learn.learner import ONE_HOUR_CACHE, SHAPE_SWITCHES
from ccdoctor.learn.routes import AWS_REGION, ROUTE_ENVS, VERTEX_REGION, Stand
from ccdoctor.learn.strict import FIELD_TO_SHAPE, fields_to_try
from tests.conformance.claude_client import (
    REPO,
    ClientRun,
    claude_or_exit,
    managed_missing,
    run_client,
)
from tests.peers.blackhole import closed_port
from tests.peers.fake_anthropic import (
    DEFAULT_API_KEY,
    DEFAULT_OAUTH_TOKEN,
    KNOWN_BETAS,
    OAUTH_BETA,
    FakeAnthropic,
)
from tests.peers.fake_anthropic import Behaviour as AnthropicBehaviour
from tests.peers.fake_anthropic import RecordedRequest as AnthropicRequest
from tests.peers.fake_bedrock import DEFAULT_MODELS, FAULTS, FakeBedrock, FaultRule, geo_prefix
from tests.peers.fake_bedrock import Behaviour as BedrockBehaviour
from tests.peers.fake_vertex import PROJECT, FakeVertex, VertexBehaviour
from tests.peers.forward_proxy import ForwardProxy
from tests.peers.ports import wait_until

ALIASES = ("opus", "sonnet", "haiku")
VERSIONS_DIR = REPO / "ccdoctor" / "clients" / "versions"
BEDROCK = "CLAUDE_CODE_USE_BEDROCK"
FOUNDRY = "CLAUDE_CODE_USE_FOUNDRY"
VERTEX = "CLAUDE_CODE_USE_VERTEX"
ANTHROPIC_AWS = "CLAUDE_CODE_USE_ANTHROPIC_AWS"
GOOGLE_CLOUD = "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD"
MANTLE = "CLAUDE_CODE_USE_MANTLE"
FLAGS = (BEDROCK, FOUNDRY, VERTEX, ANTHROPIC_AWS, GOOGLE_CLOUD, MANTLE)
"""CLAUDE_CODE_USE_GATEWAY is not among them: with a token alone it selects nothing (the
request goes to the Anthropic API), and its sign-in is not reproduced here."""
STOP_VARIABLES = ("CLAUDE_CODE_NO_MODEL_FALLBACK", "CLAUDE_CODE_DISABLE_MODEL_ACCESS_FALLBACK")
KEYS = (
    "defaults.anthropic.main",
    "defaults.bedrock.main",
    "defaults.vertex.main",
    "defaults.foundry.main",
    "defaults.mantle.main",
    "warmup.method",
    "warmup.path",
    "precedence.flags",
    "retries.drops_rejected_betas",
    "retries.drops_rejected_fields",
    "request.anthropic.betas",
    "request.anthropic.betas_without_experimental",
    "request.anthropic.betas_oauth",
    "request.anthropic.betas_oauth_without_experimental",
    "request.anthropic.shape",
    "request.anthropic.switches",
    "request.anthropic.beta_switches",
    "request.anthropic.one_hour_cache",
    *(
        f"aliases.{r}.{a}"
        for r in ("anthropic", "bedrock", "vertex", "foundry", "mantle")
        for a in ALIASES
    ),
    "fallback.stopped_by",
    "fallback.bedrock.chain",
    "fallback.vertex.chain",
    "fallback.mantle.chain",
    "settings.local_at_git_root",
    "settings.managed_restrictions",
    "settings.model_overrides_chosen",
    "network.proxy_variables",
    "gateway.flag",
    "gateway.requires",
    "gateway.main",
)
"""Every key this command observes, and so the only keys --check compares."""
WHOLE = frozenset(
    {
        "request.anthropic.shape",
        "request.anthropic.switches",
        "request.anthropic.beta_switches",
        "request.anthropic.one_hour_cache",
    }
)
"""Tables compared as a whole (any key of theirs, present or missing, is a difference)."""

_ISOLATION = {
    # Nothing but the API calls may leave the client, and a failure must fail at once.
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "CLAUDE_CODE_MAX_RETRIES": "0",
    "DISABLE_AUTOUPDATER": "1",
}
_SLOTS = threading.BoundedSemaphore(2 * (os.cpu_count() or 1))
"""Clients running at once: each is mostly start-up CPU, so more than this only queues."""


@dataclass(frozen=True)
class Client:
    binary: Path

    def run(
        self,
        env: Mapping[str, str],
        cwd: Path | None = None,
        managed: Mapping[str, Any] | None = None,
    ) -> ClientRun:
        """`claude -p` with a fresh HOME and an environment built from nothing but PATH, started
        in the HOME unless `cwd` says where; with `managed`, those managed settings."""
        with _SLOTS, tempfile.TemporaryDirectory(prefix="ccdoctor-observe-") as home:
            full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home}
            managed_file = None
            if managed is not None:
                managed_file = Path(home).parent / f"{Path(home).name}-managed.json"
                managed_file.write_text(json.dumps(managed), encoding="utf-8")
            try:
                return run_client(
                    self.binary,
                    [],
                    {**full, **_ISOLATION, **env},
                    cwd or Path(home),
                    managed=managed_file,
                )
            finally:
                if managed_file is not None:
                    managed_file.unlink()


T = TypeVar("T")


def parallel(*tasks: Callable[[], T]) -> list[T]:
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return [future.result() for future in [pool.submit(task) for task in tasks]]


# --- each route's environment and what its fake saw --------------------------------------------


STAND = Stand(DEFAULT_API_KEY, PROJECT, "wrkspc_observe")
"""The key and project these fakes take: learning sets the same variables, with its own values."""


def anthropic_env(fake: FakeAnthropic) -> dict[str, str]:
    return ROUTE_ENVS["anthropic"](fake.url, STAND)


def bedrock_env(fake: FakeBedrock) -> dict[str, str]:
    return ROUTE_ENVS["bedrock"](fake.url, STAND)


def vertex_env(fake: FakeVertex) -> dict[str, str]:
    return ROUTE_ENVS["vertex"](fake.base_url, STAND)


def foundry_env(fake: FakeAnthropic) -> dict[str, str]:
    return ROUTE_ENVS["foundry"](fake.url, STAND)


MANTLE_KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}
"""AWS's documentation example key pair: the client signs with it, the open fake ignores it."""


def mantle_env(fake: FakeAnthropic) -> dict[str, str]:
    return ROUTE_ENVS["mantle"](fake.url, STAND)


def _messages(fake: FakeAnthropic) -> list[AnthropicRequest]:
    return [r for r in fake.requests_to("/v1/messages") if r.method == "POST"]


def anthropic_models(fake: FakeAnthropic) -> list[str]:
    return [str(r.body.get("model")) for r in _messages(fake) if isinstance(r.body, dict)]


_RUNTIME = ("InvokeModel", "InvokeModelWithResponseStream")


def bedrock_models(fake: FakeBedrock) -> list[str]:
    return [r.model for r in fake.requests if r.operation in _RUNTIME and r.model]


_PREDICT = re.compile(r"/models/(?P<model>[^/:]+):(?:rawPredict|streamRawPredict)$")


def vertex_models(fake: FakeVertex) -> list[str]:
    found = [_PREDICT.search(r.route) for r in fake.requests if r.method == "POST"]
    return [m["model"] for m in found if m and m["model"] != "count-tokens"]


def _betas(request: AnthropicRequest) -> list[str]:
    return betas_of(request.header("anthropic-beta"))


def tried(models: Sequence[str]) -> list[str]:
    """Models in the order tried: the same model sent again at once (the non-streaming retry
    of a failed stream) is not a fallback."""
    return [m for i, m in enumerate(models) if i == 0 or models[i - 1] != m]


_GEO = geo_prefix(AWS_REGION)


def with_placeholder(model: str) -> str:
    """A Bedrock ID as the facts file writes it, the region's profile prefix as `{prefix}`."""
    return "{prefix}" + model[len(_GEO) :] if _GEO and model.startswith(_GEO + ".") else model


def _base(model: str) -> str:
    head, _, rest = model.partition(".")
    return rest if head in (_GEO, "global") else model


# --- observations ------------------------------------------------------------------------------


@dataclass
class Observed:
    facts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, key: str, value: Any) -> None:
        *tables, name = key.split(".")
        with self._lock:  # observations finish in their own threads
            table = self.facts
            for part in tables:
                table = table.setdefault(part, {})
            table[name] = value


def observe_anthropic(client: Client, out: Observed) -> None:
    with FakeAnthropic() as fake:
        client.run(anthropic_env(fake))
        requests = fake.requests
    posts = [i for i, r in enumerate(requests) if r.method == "POST" and r.route == "/v1/messages"]
    first = posts[0] if posts else None
    if first is None or not isinstance(requests[first].body, dict):
        out.notes.append("anthropic: the client sent no POST /v1/messages")
        return
    # ccdoctor writes the 1M-context variant as `[1m]`; on the wire it is the model plus a beta.
    one_million = ONE_MILLION_BETA in _betas(requests[first])
    out.put(
        "defaults.anthropic.main", requests[first].body["model"] + ("[1m]" if one_million else "")
    )
    if first > 0:
        # The fake has no path prefix, so its path is already relative to the base URL.
        out.put("warmup.method", requests[0].method)
        out.put("warmup.path", requests[0].route)
    else:
        out.notes.append("warmup: no request before the first POST /v1/messages")
    betas = _betas(requests[first])
    if not betas:
        out.notes.append("retries: the client sent no anthropic-beta header to reject")
        return
    # The 1M beta belongs to the model (`[1m]` above), not to the route's list.
    out.put("request.anthropic.betas", [b for b in betas if b != ONE_MILLION_BETA])
    out.put("request.anthropic.betas_without_experimental", plain_betas(client))
    dropped = parallel(*(_rejecting(client, betas, beta, out) for beta in betas))
    kept = [b for b, gone in zip(betas, dropped, strict=True) if gone]
    if ONE_MILLION_BETA not in betas:
        # The default carries no 1M beta (2.1.293 on): a `[1m]` model shows whether a
        # rejected one is dropped.
        with_beta = [*betas, ONE_MILLION_BETA]
        asked = {"ANTHROPIC_MODEL": ONE_MILLION_MODEL}
        if dropped_when_rejected(client, with_beta, ONE_MILLION_BETA, out, asked):
            kept.append(ONE_MILLION_BETA)
    out.put("retries.drops_rejected_betas", kept)


def plain_betas(client: Client) -> list[str]:
    """The betas left with CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1 (the 1M one aside)."""
    with FakeAnthropic() as fake:
        client.run({**anthropic_env(fake), "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1"})
        posts = _messages(fake)
    return [b for b in _betas(posts[0]) if b != ONE_MILLION_BETA] if posts else []


def observe_oauth_betas(client: Client, out: Observed) -> None:
    """The betas sent with CLAUDE_CODE_OAUTH_TOKEN alone, with and without experimental betas;
    the fake takes the token only with the OAuth beta, so a run that left it out shows no
    request to read."""

    def betas(extra: Mapping[str, str]) -> list[str] | None:
        with FakeAnthropic() as fake:
            env = {"ANTHROPIC_BASE_URL": fake.url, "CLAUDE_CODE_OAUTH_TOKEN": DEFAULT_OAUTH_TOKEN}
            client.run({**env, **extra})
            posts = [p for p in _messages(fake) if OAUTH_BETA in _betas(p)]
        return [b for b in _betas(posts[0]) if b != ONE_MILLION_BETA] if posts else None

    found = parallel(
        lambda: betas({}), lambda: betas({"CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1"})
    )
    keys = ("request.anthropic.betas_oauth", "request.anthropic.betas_oauth_without_experimental")
    for key, value in zip(keys, found, strict=True):
        if value is None:
            out.notes.append(f"{key}: no request with {OAUTH_BETA} reached the fake")
        else:
            out.put(key, value)


def _rejecting(
    client: Client, sent: Sequence[str], rejected: str, out: Observed
) -> Callable[[], bool]:
    return lambda: dropped_when_rejected(client, sent, rejected, out)


def dropped_when_rejected(
    client: Client,
    sent: Sequence[str],
    rejected: str,
    out: Observed,
    extra: Mapping[str, str] | None = None,
) -> bool:
    """Whether the client, answered 400 for `rejected` alone (the fake accepts every other
    beta it sent, whatever the fake's own list says), sends the request again without it and
    succeeds. Versions differ per beta: some drop only some of them."""
    known = (KNOWN_BETAS | set(sent)) - {rejected}
    with FakeAnthropic(AnthropicBehaviour(known_betas=known)) as fake:
        run = client.run({**anthropic_env(fake), **(extra or {})})
        posts = _messages(fake)
    out.notes.append(f"retries: `{rejected}` rejected → {len(posts)} POST(s), exit {run.exit_code}")
    return run.ok and len(posts) > 1 and rejected not in _betas(posts[-1])


# --- the request's shape ------------------------------------------------------------------------


def observe_field_retries(client: Client, shape: Mapping[str, Any], out: Observed) -> None:
    """The shape fields the client sends again without after a strict gateway's 400 that names
    them, and then succeeds (a field the default request does not carry is not tried)."""
    tried_fields = fields_to_try(shape)

    def dropped(name: str) -> bool:
        with FakeAnthropic(AnthropicBehaviour(rejected_fields=frozenset({name}))) as fake:
            run = client.run(anthropic_env(fake))
            posts = len(_messages(fake))
        out.notes.append(
            f"retries: field `{name}` rejected → {posts} POST(s), exit {run.exit_code}"
        )
        return run.ok and posts > 1

    found = parallel(*(lambda n=n: dropped(n) for n in tried_fields))
    kept = [FIELD_TO_SHAPE[n] for n, gone in zip(tried_fields, found, strict=True) if gone]
    out.put("retries.drops_rejected_fields", list(dict.fromkeys(kept)))


def first_request(client: Client, env: Mapping[str, str]) -> AnthropicRequest | None:
    with FakeAnthropic() as fake:
        client.run({**anthropic_env(fake), **env})
        posts = [p for p in _messages(fake) if isinstance(p.body, dict)]
    return posts[0] if posts else None


def _assignment(text: str) -> dict[str, str]:
    name, _, value = text.partition("=")
    return {name: value}


def observe_shape(client: Client, out: Observed) -> None:
    """The shape of the client's first request, and what each of the user's switches removes
    from it (a key that vanishes or changes its value) or adds to it (a 1h cache ttl)."""
    switches = (*SHAPE_SWITCHES, *ONE_HOUR_CACHE)
    base, *switched = parallel(
        lambda: first_request(client, {}),
        *(lambda s=s: first_request(client, _assignment(s)) for s in switches),
    )
    if base is None:
        out.notes.append("shape: the client sent no POST /v1/messages")
        return
    shape = body_shape(base.path, base.body)
    out.put("request.anthropic.shape", shape)
    observe_field_retries(client, shape, out)
    removed: dict[str, list[str]] = {}
    removed_betas: dict[str, list[str]] = {}
    one_hour: list[str] = []
    one_hour_betas: list[str] = []
    betas = [b for b in _betas(base) if b != ONE_MILLION_BETA]
    for switch, request in zip(switches, switched, strict=True):
        if request is None:
            out.notes.append(f"shape: no request with {switch}")
            continue
        seen = body_shape(request.path, request.body)
        if switch in ONE_HOUR_CACHE:
            if seen.get("cache_ttl") == "1h":
                one_hour.append(switch)
                added = [b for b in _betas(request) if b not in betas and b != ONE_MILLION_BETA]
                one_hour_betas.extend(b for b in added if b not in one_hour_betas)
            continue
        # `body` follows from the keys themselves; the path is the same on every run.
        gone = [
            key
            for key in shape
            if key not in ("path", "body") and seen.get(key, _ABSENT) != shape[key]
        ]
        if gone:
            removed[switch] = gone
        left = [b for b in _betas(request) if b != ONE_MILLION_BETA]
        if switch != "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1" and left != betas:
            removed_betas[switch] = [b for b in betas if b not in left]
    if removed:
        out.put("request.anthropic.switches", removed)
    if removed_betas:
        out.put("request.anthropic.beta_switches", removed_betas)
    if one_hour:
        out.put("request.anthropic.one_hour_cache", {"set_by": one_hour, "betas": one_hour_betas})


@dataclass(frozen=True)
class CloudRoute:
    """A route whose fake shows the model it was asked for, and how a facts file writes it."""

    name: str
    fake: Callable[[], Any]
    env: Callable[[Any], dict[str, str]]
    models: Callable[[Any], list[str]]
    written: Callable[[str], str] = str


CLOUD_ROUTES = (
    CloudRoute("bedrock", FakeBedrock, bedrock_env, bedrock_models, with_placeholder),
    CloudRoute(
        "vertex", lambda: FakeVertex(VertexBehaviour(require_auth=False)), vertex_env, vertex_models
    ),
    CloudRoute("foundry", FakeAnthropic, foundry_env, anthropic_models),
    CloudRoute("mantle", lambda: _recorder(), mantle_env, anthropic_models),
)


def first_model(client: Client, route: CloudRoute, env: Mapping[str, str]) -> str | None:
    """The model of the route's first request, as a facts file writes it."""
    with route.fake() as fake:
        client.run({**route.env(fake), **env})
        models = route.models(fake)
    return route.written(models[0]) if models else None


def observe_cloud_defaults(client: Client, out: Observed) -> None:
    def run(route: CloudRoute) -> None:
        model = first_model(client, route, {})
        if model is not None:
            out.put(f"defaults.{route.name}.main", model)

    parallel(*(lambda route=route: run(route) for route in CLOUD_ROUTES))


def observe_aliases(client: Client, out: Observed) -> None:
    """What `ANTHROPIC_MODEL=<alias>` sends on each route (the small/fast model never shows in
    a one-shot run; the aliases do)."""

    def anthropic(alias: str) -> Callable[[], None]:
        def run() -> None:
            with FakeAnthropic() as fake:
                client.run({**anthropic_env(fake), "ANTHROPIC_MODEL": alias})
                sent = _messages(fake)
            if sent and isinstance(sent[0].body, dict):
                one_million = ONE_MILLION_BETA in _betas(sent[0])
                model = str(sent[0].body.get("model")) + ("[1m]" if one_million else "")
                out.put(f"aliases.anthropic.{alias}", model)

        return run

    def cloud(route: CloudRoute, alias: str) -> Callable[[], None]:
        def run() -> None:
            model = first_model(client, route, {"ANTHROPIC_MODEL": alias})
            if model is not None:
                out.put(f"aliases.{route.name}.{alias}", model)

        return run

    parallel(
        *(anthropic(alias) for alias in ALIASES),
        *(cloud(route, alias) for route in CLOUD_ROUTES for alias in ALIASES),
    )


def _recorder() -> FakeAnthropic:
    """A route ccdoctor has no fake of its own for: the Anthropic fake, open to all, records
    whether the route's POST arrived (which is all precedence needs)."""
    return FakeAnthropic(AnthropicBehaviour(require_auth=False))


_OTHER_ROUTES: dict[str, Callable[[FakeAnthropic], dict[str, str]]] = {
    ANTHROPIC_AWS: lambda fake: ROUTE_ENVS["anthropic_aws"](fake.url, STAND),
    GOOGLE_CLOUD: lambda fake: ROUTE_ENVS["anthropic_google_cloud"](fake.url, STAND),
    MANTLE: mantle_env,
}


def winner(client: Client, truthy: Sequence[str]) -> str | None:
    """Which route gets the POST when `truthy` flags are set and every route is configured. A
    run that reached no route, or more than one, says nothing about the order (a client that
    did not get going within its time; a stray request from a fake's previous run), so it is
    run again, up to three times, before it counts."""
    hit: list[str] = []
    for _ in range(3):
        hit = _routes_reached(client, truthy)
        if len(hit) == 1:
            break
    return hit[0] if len(hit) == 1 else None


def _routes_reached(client: Client, truthy: Sequence[str]) -> list[str]:
    with (
        FakeBedrock() as bedrock,
        FakeAnthropic() as foundry,
        FakeVertex(VertexBehaviour(require_auth=False)) as vertex,
        _recorder() as aws,
        _recorder() as google_cloud,
        _recorder() as mantle,
        FakeAnthropic() as first_party,
    ):
        others = {ANTHROPIC_AWS: aws, GOOGLE_CLOUD: google_cloud, MANTLE: mantle}
        # No flag that wins: the first-party route, kept on loopback too.
        env = {
            **anthropic_env(first_party),
            **bedrock_env(bedrock),
            **foundry_env(foundry),
            **vertex_env(vertex),
        }
        for flag, fake in others.items():
            env.update(_OTHER_ROUTES[flag](fake))
        for flag in set(FLAGS) - set(truthy):
            del env[flag]
        client.run(env)
        reached = {
            BEDROCK: bedrock_models(bedrock),
            FOUNDRY: anthropic_models(foundry),
            VERTEX: vertex_models(vertex),
            **{flag: anthropic_models(fake) for flag, fake in others.items()},
            "first-party": anthropic_models(first_party),
        }
    return [flag for flag, models in reached.items() if models]


def observe_precedence(client: Client, out: Observed) -> None:
    # A flag is a route of this version when, set alone, it reaches its own endpoint.
    alone = parallel(*(lambda flag=flag: winner(client, [flag]) for flag in FLAGS))
    routes = [flag for flag, won in zip(FLAGS, alone, strict=True) if won == flag]
    pairs = list(combinations(routes, 2))
    winners = parallel(*(lambda pair=pair: winner(client, pair) for pair in pairs))
    wins = {flag: winners.count(flag) for flag in routes}
    order = sorted(routes, key=lambda flag: -wins[flag])
    # A total order: every pair won by the flag ranked higher (no route unreached, no cycle).
    if all(w == min(pair, key=order.index) for pair, w in zip(pairs, winners, strict=True)):
        out.put("precedence.flags", order)
    else:
        out.notes.append(f"precedence: no total order, pairs {pairs} won by {winners}")
    ignored = [flag for flag in FLAGS if flag not in routes]
    if ignored:
        out.notes.append(f"precedence: not a route of this version: {', '.join(ignored)}")


# --- model-access fallback ----------------------------------------------------------------------


class Refusing(Protocol):
    name: str
    learns_models: bool
    """Whether a model must be known to the fake before it can refuse it with 403 (rather than
    answer that the ID does not exist)."""

    def run(
        self, client: Client, known: Sequence[str], only: str | None, env: Mapping[str, str]
    ) -> tuple[ClientRun, list[str]]:
        """One run refusing every model but `only`, with `known` models made to exist."""
        ...


class BedrockRefusing:
    name = "bedrock"
    learns_models = True

    def run(
        self, client: Client, known: Sequence[str], only: str | None, env: Mapping[str, str]
    ) -> tuple[ClientRun, list[str]]:
        served = DEFAULT_MODELS + tuple({_base(m) for m in known} - set(DEFAULT_MODELS))
        denied = FAULTS["model_not_enabled"]
        refused: Sequence[str | None] = [None] if only is None else [m for m in known if m != only]
        rules = tuple(FaultRule(denied, operation=op, model=m) for op in _RUNTIME for m in refused)
        with FakeBedrock(BedrockBehaviour(models=served, faults=rules)) as fake:
            run = client.run({**bedrock_env(fake), **env})
            return run, bedrock_models(fake)


class VertexRefusing:
    name = "vertex"
    learns_models = False

    def run(
        self, client: Client, known: Sequence[str], only: str | None, env: Mapping[str, str]
    ) -> tuple[ClientRun, list[str]]:
        # Not served in the region: Google's 404 "not found or your project does not have
        # access to it", its answer for a model the project may not use.
        served = {VERTEX_REGION: frozenset({only} if only else ())}
        with FakeVertex(VertexBehaviour(require_auth=False, served=served)) as fake:
            run = client.run({**vertex_env(fake), **env})
            return run, vertex_models(fake)


@dataclass(frozen=True)
class Fallback:
    chain: list[str]
    stops: dict[str, bool]


def observe_fallback(client: Client, route: Refusing, out: Observed) -> Fallback | None:
    known: list[str] = []
    for _ in range(3):
        _, models = route.run(client, known, None, {})
        chain = tried(models)
        if not route.learns_models or set(chain) <= set(known):
            break
        known = sorted(set(known) | set(chain))
    if len(chain) < 2:
        out.notes.append(f"fallback.{route.name}: {len(chain)} model(s) tried, no fallback")
        return None
    show = with_placeholder if route.name == "bedrock" else str
    out.put(f"fallback.{route.name}.chain", [show(m) for m in chain])

    def single(env: Mapping[str, str]) -> bool:
        return len(set(route.run(client, chain, None, env)[1])) == 1

    def third_served() -> str:
        run, models = route.run(client, chain, chain[2], {})
        return f"exit {run.exit_code} after {[show(m) for m in tried(models)]}"

    stop_tasks = [lambda v=v: single({v: "1"}) for v in STOP_VARIABLES]
    *stops, pinned = parallel(*stop_tasks, lambda: single({"ANTHROPIC_MODEL": chain[0]}))
    notes = [f"ANTHROPIC_MODEL={chain[0]} → single request: {pinned}"]
    if len(chain) >= 3 and not any(m in chain[2] for m in chain if m != chain[2]):
        notes.append(f"only {show(chain[2])} served → {third_served()}")
    out.notes.extend(f"fallback.{route.name}: {note}" for note in notes)
    return Fallback(chain, dict(zip(STOP_VARIABLES, stops, strict=True)))


def observe_fallbacks(client: Client, out: Observed) -> None:
    routes: list[Refusing] = [BedrockRefusing(), VertexRefusing()]
    *found, _ = parallel(
        *(lambda r=r: observe_fallback(client, r, out) for r in routes),
        lambda: observe_mantle_fallback(client, out),
    )
    fallbacks = [f for f in found if f is not None]
    if not fallbacks:
        return
    # A variable counts only if it stops the fallback on every route that has one (Mantle's
    # start-up probe ignores both: a separate note).
    stopped_by = [v for v in STOP_VARIABLES if all(f.stops[v] for f in fallbacks)]
    out.put("fallback.stopped_by", stopped_by)
    for fallback in fallbacks:
        out.notes.append(f"fallback: stops per variable {fallback.stops} ({fallback.chain[0]})")


def _mantle_models(client: Client, served: frozenset[str], env: Mapping[str, str]) -> list[str]:
    """The models a signed Mantle client asks for, with only `served` answered."""
    with FakeAnthropic(AnthropicBehaviour(require_auth=False, models=served)) as fake:
        # Signed rather than skip-auth: only then does the start-up probe walk the chain.
        signed = {**mantle_env(fake), **MANTLE_KEYS}
        del signed["CLAUDE_CODE_SKIP_MANTLE_AUTH"]
        client.run({**signed, **env})
        return anthropic_models(fake)


def observe_mantle_fallback(client: Client, out: Observed) -> None:
    """Mantle's start-up probe asks the chain's models at once, so the order they arrive in
    says nothing. The chain's order is the client's preference: with all of them served the
    session runs on the first; with that one taken away, on the next; and so on."""
    asked = set(_mantle_models(client, frozenset(), {}))
    if len(asked) < 2:
        out.notes.append(f"fallback.mantle: {len(asked)} model(s) tried, no fallback")
        return
    chain: list[str] = []
    left = set(asked)
    while len(left) > 1:
        landed = _mantle_models(client, frozenset(left), {})[-1]
        if landed not in left:
            out.notes.append(f"fallback.mantle: landed on {landed}, not one of {sorted(left)}")
            return
        chain.append(landed)
        left.discard(landed)
    out.put("fallback.mantle.chain", [*chain, *left])
    stops = parallel(
        *(
            lambda v=v: len(set(_mantle_models(client, frozenset(), {v: "1"})))
            for v in STOP_VARIABLES
        )
    )
    asked_with = dict(zip(STOP_VARIABLES, stops, strict=True))
    out.notes.append(f"fallback.mantle: models asked with each stop variable set {asked_with}")


def _started_below_git_root(client: Client, fake_at: str, dead_at: str) -> bool | None:
    """Whether the client reaches a working fake, started in pkg/ of a fresh git repository
    whose `fake_at` file (relative to the root) points ANTHROPIC_BASE_URL at the fake and whose
    `dead_at` file at a dead port, as does the shell, so that only a file can lead it to the
    fake. None when the run was inconclusive (an exit that does not match what the fake saw)."""
    dead = f"http://127.0.0.1:{closed_port()}"
    with (
        FakeAnthropic() as fake,
        tempfile.TemporaryDirectory(prefix="ccdoctor-observe-repo-") as repo,
    ):
        root = Path(repo)
        subprocess.run(["git", "init", "-q", repo], check=True, capture_output=True)
        (root / "pkg").mkdir()
        for relative, url in ((fake_at, fake.url), (dead_at, dead)):
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"env": {"ANTHROPIC_BASE_URL": url}}), encoding="utf-8")
        ran = client.run({**anthropic_env(fake), "ANTHROPIC_BASE_URL": dead}, root / "pkg")
        reached = bool(_messages(fake))
    return reached if ran.ok == reached else None


def observe_settings_discovery(client: Client, out: Observed) -> None:
    local, project = ".claude/settings.local.json", ".claude/settings.json"
    root_local, root_project = parallel(
        lambda: _started_below_git_root(client, local, f"pkg/{local}"),
        lambda: _started_below_git_root(client, project, f"pkg/{project}"),
    )
    if root_local is None:
        out.notes.append("settings: inconclusive run with the root's settings.local.json")
    else:
        out.put("settings.local_at_git_root", root_local)
    # Not a key: ccdoctor reads no version as taking the root's settings.json.
    out.notes.append(f"settings: the git root's settings.json beats the start's: {root_project}")


OVERRIDDEN = "claude-opus-4-8"
"""A canonical model ID every observed version knows, chosen by ANTHROPIC_MODEL and mapped by
modelOverrides."""


def observe_model_overrides(client: Client, out: Observed) -> None:
    """Whether modelOverrides maps a model the user chose (ANTHROPIC_MODEL), not only the
    built-in IDs an alias or the default resolves to: user settings (in CLAUDE_CONFIG_DIR) map
    OVERRIDDEN to another ID, and the fake sees which one is sent."""
    mapped = "claude-overridden-test-model"
    with (
        FakeAnthropic() as fake,
        tempfile.TemporaryDirectory(prefix="ccdoctor-observe-config-") as config,
    ):
        settings = {"modelOverrides": {OVERRIDDEN: mapped}}
        (Path(config) / "settings.json").write_text(json.dumps(settings))
        client.run(
            {**anthropic_env(fake), "ANTHROPIC_MODEL": OVERRIDDEN, "CLAUDE_CONFIG_DIR": config}
        )
        sent = anthropic_models(fake)
    if sent[:1] not in ([OVERRIDDEN], [mapped]):
        out.notes.append(f"settings: inconclusive modelOverrides run (sent {sent})")
        return
    out.put("settings.model_overrides_chosen", sent[0] == mapped)


PROXY_CANDIDATES = (
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
)


def _reaches_fake(client: Client, proxies: Mapping[str, str]) -> bool | None:
    """Whether the client's POST reaches a plain-http fake with `proxies` set; None when the
    run was inconclusive (an exit that does not match what the fake saw)."""
    with FakeAnthropic() as fake:
        ran = client.run({**anthropic_env(fake), **proxies})
        reached = bool(_messages(fake))
    return reached if ran.ok == reached else None


def _first_wins(client: Client, first: str, second: str, proxy: ForwardProxy, dead: str) -> bool:
    """Whether `first` (naming a working proxy) beats `second` (a dead one). The working proxy's
    log says whether it was asked for this run's fake, so a slow run on a busy machine that
    never got through still counts for the variable it used."""
    with FakeAnthropic() as fake:
        client.run({**anthropic_env(fake), first: proxy.url, second: dead})
        reached = bool(_messages(fake))
        asked = wait_until(
            lambda: any(f":{fake.port}" in a.target for a in proxy.accesses()),
            timeout=2.0,
            interval=0.05,
        )
    return reached or asked


def observe_proxy_variables(client: Client, out: Observed) -> None:
    """Which proxy variables the client reads (one set alone to a dead proxy stops it), and in
    what order (of two set, the one naming a working proxy wins if that proxy is asked)."""
    dead = f"http://127.0.0.1:{closed_port()}"
    alone = parallel(*(lambda v=v: _reaches_fake(client, {v: dead}) for v in PROXY_CANDIDATES))
    if None in alone:
        out.notes.append("network: inconclusive run with one proxy variable set")
        return
    read = [v for v, reached in zip(PROXY_CANDIDATES, alone, strict=True) if not reached]
    pairs = list(combinations(read, 2))
    with (
        tempfile.TemporaryDirectory(prefix="ccdoctor-observe-proxy-") as workdir,
        ForwardProxy(Path(workdir)) as proxy,
    ):
        tasks = [lambda a=a, b=b: _first_wins(client, a, b, proxy, dead) for a, b in pairs]
        first_wins = parallel(*tasks) if tasks else []
    winners = [a if won else b for (a, b), won in zip(pairs, first_wins, strict=True)]
    wins = {v: winners.count(v) for v in read}
    if sorted(wins.values()) != list(range(len(read))):
        out.notes.append(f"network: the proxy variables are not in one order: {wins}")
        return
    out.put("network.proxy_variables", sorted(read, key=lambda v: -wins[v]))


def observe_gateway(client: Client, out: Observed) -> None:
    """Whether the gateway sign-in flag, with a base URL and a bearer token, beats Bedrock's
    flag (its request reaching the base URL), which of the two it cannot do without, and the
    model it asks."""
    given = {"ANTHROPIC_BASE_URL": "", "ANTHROPIC_AUTH_TOKEN": DEFAULT_API_KEY}

    def reached(without: str | None) -> tuple[list[str], bool]:
        """The models the base URL was asked, and whether Bedrock was asked instead."""
        with FakeBedrock() as bedrock, _recorder() as gateway:
            env = {**bedrock_env(bedrock), GATEWAY_FLAG: "1", **given}
            env["ANTHROPIC_BASE_URL"] = gateway.url
            if without is not None:
                del env[without]
            client.run(env)
            return anthropic_models(gateway), bool(bedrock_models(bedrock))

    (asked, fell_back), *withouts = parallel(*(lambda v=v: reached(v) for v in (None, *given)))
    if not asked:
        if not fell_back:
            out.notes.append("gateway: the run reached neither the gateway nor Bedrock")
        return
    out.put("gateway.flag", GATEWAY_FLAG)
    # Without a variable it needs, the flag is ignored and Bedrock's flag wins.
    out.put("gateway.requires", [v for v, (_, fell) in zip(given, withouts, strict=True) if fell])
    out.put("gateway.main", asked[0])


_RESTRICTIONS = {
    "deniedModels": {"deniedModels": ["opus", "sonnet", "haiku", "fable"]},
    "allowedProviders": {"allowedProviders": ["bedrock"]},
}
"""Managed settings each of which refuses an Anthropic-route session where it is enforced."""


def observe_managed_restrictions(client: Client, out: Observed) -> None:
    """Which managed restrictions the client enforces: refused, it exits non-zero having asked
    nothing; ignored, it asks its model and succeeds."""
    if reason := managed_missing():
        out.notes.append(f"settings.managed_restrictions: not observed ({reason})")
        return

    def enforced(settings: Mapping[str, Any]) -> bool | None:
        with FakeAnthropic() as fake:
            run = client.run(anthropic_env(fake), managed=settings)
            asked = anthropic_models(fake)
        if run.exit_code == 0 and asked:
            return False
        return True if run.exit_code not in (0, None) and not asked else None

    found = parallel(*(lambda s=s: enforced(s) for s in _RESTRICTIONS.values()))
    if None in found:
        out.notes.append(
            f"managed_restrictions: inconclusive {dict(zip(_RESTRICTIONS, found, strict=True))}"
        )
        return
    if kept := sorted(k for k, held in zip(_RESTRICTIONS, found, strict=True) if held):
        out.put("settings.managed_restrictions", kept)


def observe(client: Client) -> Observed:
    out = Observed()
    steps = (
        observe_anthropic,
        observe_cloud_defaults,
        observe_precedence,
        observe_fallbacks,
        observe_aliases,
        observe_settings_discovery,
        observe_model_overrides,
        observe_oauth_betas,
        observe_proxy_variables,
        observe_shape,
        observe_gateway,
        observe_managed_restrictions,
    )
    parallel(*(lambda step=step: step(client, out) for step in steps))
    out.facts = _ordered(out.facts)
    return out


def _ordered(facts: dict[str, Any]) -> dict[str, Any]:
    """Tables in the order of KEYS, whichever observation finished first."""
    ordered: dict[str, Any] = {}
    for key in KEYS:
        value = flatten(facts).get(key, _ABSENT)
        if value is not _ABSENT:
            Observed(ordered).put(key, value)
    return ordered


# --- TOML and the comparison -------------------------------------------------------------------

_ABSENT = object()


def flatten(facts: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, Mapping) and prefix + key not in WHOLE:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def differences(observed: Mapping[str, Any], committed: Mapping[str, Any]) -> list[str]:
    """One readable entry per key of KEYS where the two disagree (absent counts)."""
    seen, kept = flatten(observed), flatten(committed)
    found = []
    for key in KEYS:
        mine, theirs = seen.get(key, _ABSENT), kept.get(key, _ABSENT)
        if mine != theirs:
            found.append(f"{key}\n  committed: {_shown(theirs)}\n  observed:  {_shown(mine)}")
    return found


def _shown(value: Any) -> str:
    return "(absent)" if value is _ABSENT else toml_value(value)


def committed_path(version: str) -> Path:
    return VERSIONS_DIR / f"{version}.toml"


def variables_path(facts_path: Path) -> Path:
    return facts_path.with_suffix(".variables")


_NAMED = re.compile(rb"""(?:["'`]|\benv\.)([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b["'`]?""")


def variables_read(binary: Path) -> list[str]:
    """The Claude Code variables the client's code names: each ANTHROPIC_…, CLAUDE_… or
    VERTEX_REGION_… string literal or `env.` member of its bundle (the native build carries its
    JavaScript as text). Not watched on the wire like the rest: a variable is read only on the
    path that needs it, so no set of runs would show them all."""
    found = {match.decode() for match in _NAMED.findall(binary.read_bytes())}
    return sorted(name for name in found if is_checked_family(name))


def variables_text(version: str, names: Sequence[str]) -> str:
    header = (
        f"# The variables Claude Code {version}'s code names, read from its bundle by\n"
        "# tests/facts/observe.py: none of them is ever reported as a misspelling.\n"
    )
    return header + "".join(f"{name}\n" for name in names)


def variable_differences(observed: Sequence[str], committed: Path) -> list[str]:
    if not committed.is_file():
        return [f"{committed.name} is missing"]
    kept = {
        line.strip()
        for line in committed.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    seen = set(observed)
    found = []
    if seen - kept:
        found.append(f"variables the client names, missing: {', '.join(sorted(seen - kept))}")
    if kept - seen:
        found.append(f"variables the client no longer names: {', '.join(sorted(kept - seen))}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.facts.observe", description=__doc__)
    parser.add_argument("--claude-version", required=True)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", type=Path, metavar="PATH")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    version: str = args.claude_version
    binary = claude_or_exit(version)
    observed = observe(Client(binary))
    variables = variables_read(binary)
    for note in observed.notes:
        print(f"note: {note}", file=sys.stderr)
    text = f"# Observed: Claude Code {version} against local fakes (tests/facts/observe.py)\n\n"
    text += to_toml(observed.facts)
    if args.write is not None:
        args.write.write_text(text)
        variables_path(args.write).write_text(variables_text(version, variables))
    elif not args.check:
        print(text, end="")
    if not args.check:
        return 0
    committed = committed_path(version)
    if not committed.is_file():
        print(f"observe: {committed} does not exist; observed:\n\n{text}", file=sys.stderr)
        return 1
    found = differences(observed.facts, tomllib.loads(committed.read_text()))
    found += variable_differences(variables, variables_path(committed))
    for entry in found:
        print(entry)
    verdict = f"{len(found)} difference(s)" if found else "matches"
    print(f"Claude Code {version}: observed facts vs {committed.relative_to(REPO)}: {verdict}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
