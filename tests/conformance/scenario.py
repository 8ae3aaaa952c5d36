"""Scenario files: one TOML file per set-up in fixtures/scenarios/.

A scenario says how the machine is set up (environment, files, the peer answering as the
provider, a corporate proxy), what the real client does there (`client = "ok"` or `"fail"`) and,
when it fails, the category of the check ccdoctor should fail first. Values may use placeholders
that the harness fills in once the peers are up: see PLACEHOLDERS.

    description = "the key has a stray pair of quotes"
    client = "fail"
    category = "credentials"
    args = []                        # extra arguments, given to the client and to ccdoctor
    git = true                       # the project is a git repository (`git init`)
    start_dir = "pkg"                # where both programs start, relative to the project
    nonessential_traffic = true      # leave CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC unset,
                                     # as users run the client (the harness sets it otherwise)
    warns = []                       # categories where ccdoctor must show a warning
    known_disagreement = "..."       # only while ccdoctor is wrong: the test xfails strictly

    [versions."2.1.197"]             # where older clients behave otherwise: this version and
    why = "..."                      # every older one down to the next older table; the top
    client = "ok"                    # level is the newest client's. why is required: what
                                     # those versions do differently; then any of client,
                                     # category, warns, known_disagreement

    [gateway]                        # the provider's endpoint
    kind = "fake"                    # fake | litellm | tls | vertex | bedrock | foundry | dead
    prefix = "/anthropic"            # fake, tls, vertex, bedrock: served under this path
    route = "unified"                # litellm: unified (/v1/messages) | passthrough (/anthropic)
    tls = "valid"                    # tls: a TLSLab case
    host = "localhost"               # tls: the name used in {{gateway}}
    [gateway.behaviour]              # fake, tls: tests.peers.fake_anthropic.Behaviour fields;
    forced_status = 529              # vertex: tests.peers.fake_vertex.VertexBehaviour fields;
                                     # foundry: tests.peers.fake_foundry.FoundryBehaviour fields;
                                     # bedrock: tests.peers.fake_bedrock.Behaviour fields, with
    [[gateway.behaviour.faults]]     # faults as tables: a FAULTS name and FaultRule fields
    fault = "model_not_enabled"
    operation = "InvokeModelWithResponseStream"

    [proxy]
    kind = "open"                    # open | auth | dead | tls (speaks TLS: an https:// URL)

    [env]
    ANTHROPIC_BASE_URL = "{{gateway}}"

    [[files]]
    path = "{{home}}/.claude/settings.json"
    json = { env = { ANTHROPIC_API_KEY = "{{key}}" } }   # or: text = "...", executable = true

{{gateway}} is the endpoint's base URL; for vertex it lacks the /v1 the client needs, so that a
scenario spells it out (or leaves it out on purpose). For bedrock it is what
ANTHROPIC_BEDROCK_BASE_URL takes (prefix included), and {{aws_endpoint}} is the same fake without
the prefix, where it answers STS (for AWS_ENDPOINT_URL_STS: ccdoctor asks STS who the SigV4 keys
belong to, and must not ask the real one). For foundry it is the resource's root, without the
/anthropic path Azure serves Claude under: a scenario spells it, or leaves it out on purpose.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdoctor.core.results import Category
from tests.fixtures_dir import FIXTURES
from tests.peers import fake_bedrock
from tests.peers.fake_anthropic import Behaviour
from tests.peers.fake_foundry import FoundryBehaviour
from tests.peers.fake_vertex import VertexBehaviour
from tests.peers.tls_servers import TLS_CASES

SCENARIO_DIR = FIXTURES / "scenarios"

PLACEHOLDERS: Mapping[str, str] = {
    "gateway": "base URL of the provider's endpoint (with the LiteLLM route's prefix)",
    "gateway_hostport": "the same endpoint as host:port, without scheme or path",
    "key": "the credential the endpoint accepts (fake: its API key; LiteLLM: the master key)",
    "oauth_token": "a claude.ai OAuth token the fake accepts (with the OAuth beta only)",
    "ca": "PEM file of the TLS lab's private CA",
    "self_signed_cert": 'with tls = "self_signed": the gateway\'s own certificate (no CA flag)',
    "proxy_hostport": "with a [proxy]: the corporate proxy as host:port, without scheme",
    "proxy": "URL of the corporate proxy, without credentials",
    "proxy_with_credentials": "URL of the corporate proxy, with the credentials it requires",
    "dead_proxy": "with a [proxy]: URL of a proxy that is not running (connection refused)",
    "home": "the fresh HOME",
    "managed": "the managed-settings file: ccdoctor reads it (--managed-settings), the client "
    "as its /etc/claude-code/managed-settings.json, in a mount namespace of its own",
    "project": "the project directory (the working directory of both programs, unless "
    "start_dir names one inside it)",
    "dead": "a base URL on a loopback port nobody listens on (connection refused)",
    "tmp": "a scratch directory outside HOME and the project",
    "gcp_project": "the Google Cloud project the fake Vertex knows",
    "aws_endpoint": "bedrock: the fake's root URL, where it also answers STS",
    "main_model": "the built-in main model of the client version on the scenario's route, "
    "without Bedrock's region prefix (also usable in [gateway.behaviour])",
}
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

GATEWAY_KINDS = ("fake", "litellm", "tls", "dead", "vertex", "bedrock", "foundry")
LITELLM_ROUTES = ("unified", "passthrough")
PROXY_KINDS = ("open", "auth", "dead", "tls")
OUTCOMES = {"ok": True, "fail": False}
_BEHAVIOURS: Mapping[
    str,
    type[Behaviour] | type[VertexBehaviour] | type[fake_bedrock.Behaviour] | type[FoundryBehaviour],
] = {
    "fake": Behaviour,
    "tls": Behaviour,
    "vertex": VertexBehaviour,
    "bedrock": fake_bedrock.Behaviour,
    "foundry": FoundryBehaviour,
}
"""Which peer's Behaviour the `[gateway.behaviour]` table configures, by gateway kind."""
_VERTEX_DEFAULTS: Mapping[str, Any] = {"require_auth": False}
"""The client runs with CLAUDE_CODE_SKIP_VERTEX_AUTH, so the fake Vertex is a gateway that
authenticates for it, unless the scenario says otherwise."""


class ScenarioError(ValueError):
    """A scenario file that does not say what it means; raised at collection time."""


@dataclass(frozen=True)
class Gateway:
    kind: str = "fake"
    prefix: str = ""
    route: str = "unified"
    tls: str = "valid"
    host: str = "127.0.0.1"
    behaviour: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def filled(self, values: Mapping[str, str]) -> Gateway:
        """The same gateway with placeholders in its behaviour filled (e.g. {{main_model}})."""
        return dataclasses.replace(self, behaviour=_fill_data(self.behaviour, values))

    def make_behaviour(self) -> Behaviour:
        return Behaviour(**_frozen(self.behaviour))

    def make_foundry_behaviour(self) -> FoundryBehaviour:
        return FoundryBehaviour(**_frozen(self.behaviour))

    def make_vertex_behaviour(self) -> VertexBehaviour:
        return VertexBehaviour(**{**_VERTEX_DEFAULTS, **_frozen(self.behaviour)})

    def make_bedrock_behaviour(self) -> fake_bedrock.Behaviour:
        """Arrays as the tuples or frozensets the fields hold (`models` keeps its order: the
        profile listing follows it), and each fault table as a FaultRule."""
        fields = {f.name: str(f.type) for f in dataclasses.fields(fake_bedrock.Behaviour)}
        values: dict[str, Any] = {}
        for name, value in self.behaviour.items():
            if name == "faults":
                values[name] = tuple(_fault_rule(rule) for rule in value)
            elif isinstance(value, list) and fields[name].startswith("tuple"):
                values[name] = tuple(value)
            else:
                values[name] = _frozen({name: value})[name]
        return fake_bedrock.Behaviour(**values)


def _fault_rule(table: Mapping[str, Any]) -> fake_bedrock.FaultRule:
    _only(table, {"fault", *(f.name for f in dataclasses.fields(fake_bedrock.FaultRule))}, "fault")
    name = table["fault"]
    if name not in fake_bedrock.FAULTS:
        raise ScenarioError(f"fault {name!r} is not one of tests.peers.fake_bedrock.FAULTS")
    rest = {key: value for key, value in table.items() if key != "fault"}
    return fake_bedrock.FaultRule(fake_bedrock.FAULTS[name], **rest)


def _frozen(table: Mapping[str, Any]) -> dict[str, Any]:
    """TOML arrays as the frozensets the Behaviour fields hold (an array of arrays as a set of
    tuples), at any depth of tables."""

    def freeze(value: Any) -> Any:
        if isinstance(value, list):
            return frozenset(tuple(item) if isinstance(item, list) else item for item in value)
        if isinstance(value, dict):
            return {key: freeze(item) for key, item in value.items()}
        return value

    return {name: freeze(value) for name, value in table.items()}


@dataclass(frozen=True)
class File:
    path: str
    json: Any = None
    """Written as JSON (placeholders filled in its strings, so the result is always valid)."""
    text: str | None = None
    """Written as it is (placeholders filled), e.g. a script or a deliberately broken file."""
    executable: bool = False

    def render(self, values: Mapping[str, str]) -> str:
        if self.text is not None:
            return fill(self.text, values)
        return json.dumps(_fill_data(self.json, values), indent=2)


@dataclass(frozen=True)
class Expectation:
    """What one client version does on the scenario's set-up, and what ccdoctor must say."""

    client_ok: bool
    category: Category | None
    warns: tuple[Category, ...] = ()
    known_disagreement: str | None = None
    why: str | None = None
    """For a version-specific expectation: what that version does differently."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    client_ok: bool
    category: Category | None
    """The category of ccdoctor's first failing check; None when the client succeeds."""
    gateway: Gateway
    proxy: str | None = None
    env: Mapping[str, str] = dataclasses.field(default_factory=dict)
    files: tuple[File, ...] = ()
    args: tuple[str, ...] = ()
    warns: tuple[Category, ...] = ()
    known_disagreement: str | None = None
    per_version: Mapping[str, Expectation] = dataclasses.field(default_factory=dict)
    git: bool = False
    start_dir: str | None = None
    """Relative to the project: the clients differ on which `.claude/` files count when they
    start below a repository's root."""
    nonessential_traffic: bool = False
    """The client's non-essential traffic left on (the harness's NO_TRAFFIC not applied): the
    connections it then makes besides the endpoint are part of the set-up."""

    def expect(self, version: str) -> Expectation:
        """A version's table holds for it and for the older versions down to the next older
        table, so that a newly observed client inherits the newest behaviour (the top level)."""
        covering = [key for key in self.per_version if _release(key) >= _release(version)]
        if covering:
            return self.per_version[min(covering, key=_release)]
        return Expectation(self.client_ok, self.category, self.warns, self.known_disagreement)

    @property
    def needs_litellm(self) -> bool:
        return self.gateway.kind == "litellm"

    @property
    def provider(self) -> str:
        """The provider the client is meant to use, for grouping the matrix."""
        routes = ("vertex", "bedrock", "foundry")
        return self.gateway.kind if self.gateway.kind in routes else "anthropic"


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def load_all(directory: Path = SCENARIO_DIR) -> list[Scenario]:
    return [load(path) for path in sorted(directory.glob("*.toml"))]


def load(path: Path) -> Scenario:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _scenario(path.stem, data)
    except KeyError as error:
        raise ScenarioError(f"{path.name}: missing key {error}") from None
    except (ValueError, TypeError) as error:  # TOML syntax, an unknown category, ScenarioError
        raise ScenarioError(f"{path.name}: {error}") from None


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace every {{placeholder}}; an unknown one is a mistake in the scenario."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ScenarioError(f"placeholder {{{{{name}}}}} has no value in this scenario")
        return values[name]

    return _PLACEHOLDER.sub(value, text)


def _fill_data(data: Any, values: Mapping[str, str]) -> Any:
    if isinstance(data, str):
        return fill(data, values)
    if isinstance(data, Mapping):
        return {fill(k, values): _fill_data(v, values) for k, v in data.items()}
    if isinstance(data, list):
        return [_fill_data(item, values) for item in data]
    return data


def _scenario(name: str, data: dict[str, Any]) -> Scenario:
    _only(
        data,
        {
            "description",
            "client",
            "category",
            "gateway",
            "proxy",
            "env",
            "files",
            "args",
            "warns",
            "known_disagreement",
            "versions",
            "git",
            "start_dir",
            "nonessential_traffic",
        },
        "scenario",
    )
    git = data.get("git", False)
    if not isinstance(git, bool):
        raise ScenarioError("git must be true or false")
    start_dir = data.get("start_dir")
    if start_dir is not None and (
        not isinstance(start_dir, str)
        or not start_dir
        or Path(start_dir).is_absolute()
        or ".." in Path(start_dir).parts
    ):
        raise ScenarioError('start_dir must be a path inside the project, e.g. "pkg"')
    nonessential = data.get("nonessential_traffic", False)
    if not isinstance(nonessential, bool):
        raise ScenarioError("nonessential_traffic must be true or false")
    expected = _expectation(data)
    per_version = {
        version: _version_expectation(version, table, data)
        for version, table in data.get("versions", {}).items()
    }
    env = data.get("env", {})
    if not all(isinstance(v, str) for v in env.values()):
        raise ScenarioError("env values must be strings, as in a shell")
    for text in _strings(data):
        for placeholder in _PLACEHOLDER.findall(text):
            if placeholder not in PLACEHOLDERS:
                raise ScenarioError(f"unknown placeholder {{{{{placeholder}}}}}")
    return Scenario(
        name=name,
        description=_string(data, "description"),
        client_ok=expected.client_ok,
        category=expected.category,
        gateway=_gateway(data.get("gateway", {})),
        proxy=_proxy(data.get("proxy")),
        env=dict(env),
        files=tuple(_file(entry) for entry in data.get("files", [])),
        args=tuple(str(arg) for arg in data.get("args", [])),
        warns=expected.warns,
        known_disagreement=expected.known_disagreement,
        per_version=per_version,
        git=git,
        start_dir=start_dir,
        nonessential_traffic=nonessential,
    )


def _expectation(data: Mapping[str, Any], why: str | None = None) -> Expectation:
    outcome = data["client"]
    if outcome not in OUTCOMES:
        raise ScenarioError(f"client must be one of {sorted(OUTCOMES)}, not {outcome!r}")
    client_ok = OUTCOMES[outcome]
    category = data.get("category")
    if client_ok and category is not None:
        raise ScenarioError("category is only for scenarios where the client fails")
    if not client_ok and category is None:
        raise ScenarioError("a failing scenario must name the category ccdoctor fails first")
    return Expectation(
        client_ok,
        Category(category) if category is not None else None,
        tuple(Category(c) for c in data.get("warns", [])),
        data.get("known_disagreement"),
        why,
    )


def _version_expectation(
    version: str, table: Mapping[str, Any], data: Mapping[str, Any]
) -> Expectation:
    """A version's table replaces the scenario's outcome keys it names; client, category and
    warns are otherwise kept (a category only while the client still fails), a known
    disagreement is not: it belongs to the versions it was seen on."""
    where = f"versions.{version}"
    _only(table, {"why", "client", "category", "warns", "known_disagreement"}, where)
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise ScenarioError(f"{where}: a version is x.y.z")
    merged = {key: data[key] for key in ("client", "category", "warns") if key in data}
    if table.get("client") == "ok":
        merged.pop("category", None)
    merged.update({key: value for key, value in table.items() if key != "why"})
    return _expectation(merged, _string(table, "why"))


def _gateway(data: dict[str, Any]) -> Gateway:
    _only(data, {"kind", "prefix", "route", "tls", "host", "behaviour"}, "gateway")
    kind = data.get("kind", "fake")
    if kind not in GATEWAY_KINDS:
        raise ScenarioError(f"gateway.kind must be one of {GATEWAY_KINDS}, not {kind!r}")
    if data.get("route", "unified") not in LITELLM_ROUTES:
        raise ScenarioError(f"gateway.route must be one of {LITELLM_ROUTES}")
    if data.get("tls", "valid") not in TLS_CASES:
        raise ScenarioError(f"gateway.tls must be one of {sorted(TLS_CASES)}")
    behaviour = data.get("behaviour", {})
    peer = _BEHAVIOURS.get(kind)
    if behaviour and peer is None:
        raise ScenarioError(f"gateway.behaviour applies to the {', '.join(_BEHAVIOURS)} kinds")
    fields = {f.name for f in dataclasses.fields(peer)} if peer is not None else set()
    for field_name in behaviour:
        if field_name not in fields:
            assert peer is not None
            raise ScenarioError(f"gateway.behaviour.{field_name} is not a {peer.__name__} field")
    gateway = Gateway(**data)
    if kind == "bedrock":
        gateway.make_bedrock_behaviour()  # a bad fault table fails at collection, not mid-run
    return gateway


def _proxy(data: dict[str, Any] | None) -> str | None:
    if data is None:
        return None
    _only(data, {"kind"}, "proxy")
    kind = data["kind"]
    if kind not in PROXY_KINDS:
        raise ScenarioError(f"proxy.kind must be one of {PROXY_KINDS}, not {kind!r}")
    return str(kind)


def _file(data: dict[str, Any]) -> File:
    _only(data, {"path", "json", "text", "executable"}, "files entry")
    if ("json" in data) == ("text" in data):
        raise ScenarioError(f"file {data.get('path')!r} needs exactly one of json, text")
    if "text" in data and not isinstance(data["text"], str):
        raise ScenarioError(f"file {data.get('path')!r}: text must be a string")
    return File(
        _string(data, "path"),
        json=data.get("json"),
        text=data.get("text"),
        executable=bool(data.get("executable", False)),
    )


def _only(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ScenarioError(f"unknown key(s) in {where}: {', '.join(sorted(unknown))}")


def _string(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{key} must be a non-empty string")
    return value


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, Mapping):
        return [s for key, value in data.items() for s in (*_strings(key), *_strings(value))]
    if isinstance(data, list):
        return [s for item in data for s in _strings(item)]
    return []
