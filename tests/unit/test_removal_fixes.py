"""Every fix that takes a variable away, followed for real, wherever the variable is set.

For each set-up that makes a check tell the user to remove a variable:
- exported by the shell: the fix's commands run in `bash -c` in a shell that holds the set-up,
  then ccdoctor runs again from that same shell, and the problem is gone;
- set in a settings file's env block: no `unset` is offered (it would do nothing); the fix names
  the file, the edit it describes is made, the problem is gone and nothing else in the file is;
- set in both: the command and the edit together clear it.
Where the settings-file fix is a snippet (an empty string cancels the variable) it is pasted into
the file instead; where it is a sentence naming the file, the fix is proven in the shell only.
A case whose problem only a live step finds runs against loopback peers (tests/peers).
A literal `unset` built anywhere but ccdoctor/config/removal.py fails the scan at the end, and a
call of a removal helper that no case reaches fails SITES' scan (naming file and function), so a
new fix of this kind is origin-aware and comes here to be proven."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ccdoctor.context import RunOptions
from ccdoctor.core.results import CheckResult, Fix
from tests.golden import Setup, load_setups
from tests.machine import REPO, Machine
from tests.peers.blackhole import closed_port
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic
from tests.peers.fake_anthropic import Behaviour as AnthropicBehaviour
from tests.peers.fake_bedrock import FAULTS, FakeBedrock, FaultRule
from tests.peers.fake_bedrock import Behaviour as BedrockBehaviour
from tests.peers.fake_foundry import DEFAULT_KEY as DEFAULT_FOUNDRY_KEY
from tests.peers.fake_foundry import FakeFoundry, FoundryBehaviour
from tests.peers.fake_vertex import PROJECT as VERTEX_PROJECT
from tests.peers.fake_vertex import FakeVertex, ServiceAccountKey, VertexBehaviour
from tests.peers.moto_sts import missing_reason as moto_missing
from tests.peers.moto_sts import running_moto

_AKIA = "AKIA" + "ABCDEFGHIJKLMNOP"
_SECRET = "s" * 40
_BEDROCK = {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}
_API_KEY = "sk-ant-api03-" + "k" * 40
_GATEWAY_TOKEN = "gw-token-" + "t" * 30
_VERTEX = {
    "CLAUDE_CODE_USE_VERTEX": "1",
    "ANTHROPIC_VERTEX_PROJECT_ID": "p1",
    "CLOUD_ML_REGION": "us-east5",
}


Peer = Callable[[ExitStack, Machine], dict[str, str]]


@dataclass(frozen=True)
class Case:
    check: str
    env: dict[str, str]
    phrase: str
    """Part of the problem's message; gone once the fix was followed."""
    version: str = "2.1.332"
    managed: dict[str, object] = field(default_factory=dict)
    online: bool = False
    """The problem is found by a live step (against 127.0.0.1 only)."""
    peer: Peer | None = None
    """Starts what the live step talks to; its environment (pointing the client at it) is
    the shell's in every set-up, `env` alone goes where the test puts it."""

    @property
    def options(self) -> RunOptions:
        return RunOptions(offline=not self.online, timeout=2.0, deadline=10.0)


_UNSERVED = "claude-nonexistent-1"


def _anthropic_gateway(**behaviour: Any) -> Peer:
    def start(peers: ExitStack, machine: Machine) -> dict[str, str]:
        fake = peers.enter_context(FakeAnthropic(AnthropicBehaviour(**behaviour)))
        return {"ANTHROPIC_BASE_URL": fake.url, "ANTHROPIC_API_KEY": DEFAULT_API_KEY}

    return start


def _foundry_resource(**behaviour: Any) -> Peer:
    def start(peers: ExitStack, machine: Machine) -> dict[str, str]:
        fake = peers.enter_context(FakeFoundry(FoundryBehaviour(**behaviour)))
        return {
            "CLAUDE_CODE_USE_FOUNDRY": "1",
            "ANTHROPIC_FOUNDRY_BASE_URL": fake.url,
            "ANTHROPIC_FOUNDRY_API_KEY": DEFAULT_FOUNDRY_KEY,
        }

    return start


def _vertex_project(
    token_host: str = "127.0.0.1", base_host: str = "127.0.0.1", **behaviour: Any
) -> Peer:
    """Vertex through the fake Google with a service-account key it knows; a `token_host`
    other than 127.0.0.1 (which NO_PROXY exempts) puts only the token refresh behind a proxy."""

    def start(peers: ExitStack, machine: Machine) -> dict[str, str]:
        fake = peers.enter_context(FakeVertex(VertexBehaviour(**behaviour)))
        key = ServiceAccountKey.generate(f"claude-code@{VERTEX_PROJECT}.iam.gserviceaccount.com")
        fake.add_service_account(key)
        token_url = fake.token_url.replace("127.0.0.1", token_host)
        path = machine.write(machine.root / "keys" / "sa.json", key.file_content(token_url))
        return {
            "NO_PROXY": "127.0.0.1",
            "CLAUDE_CODE_USE_VERTEX": "1",
            "GOOGLE_APPLICATION_CREDENTIALS": str(path),
            "ANTHROPIC_VERTEX_PROJECT_ID": VERTEX_PROJECT,
            "CLOUD_ML_REGION": "us-east5",
            "ANTHROPIC_VERTEX_BASE_URL": fake.base_url.replace("127.0.0.1", base_host),
        }

    return start


def _bedrock_gateway(**behaviour: Any) -> Peer:
    """Bedrock through the fake with long-term keys, STS at moto, nothing read from this box."""

    def start(peers: ExitStack, machine: Machine) -> dict[str, str]:
        if reason := moto_missing():
            pytest.skip(reason)
        fake = peers.enter_context(FakeBedrock(BedrockBehaviour(**behaviour)))
        sts = peers.enter_context(running_moto(machine.root / "moto"))
        return {
            **_BEDROCK,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(machine.home / ".aws" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(machine.home / ".aws" / "credentials"),
            "ANTHROPIC_BEDROCK_BASE_URL": fake.url,
            "AWS_ENDPOINT_URL_STS": sts.url,
            "AWS_ACCESS_KEY_ID": _AKIA,
            "AWS_SECRET_ACCESS_KEY": _SECRET,
        }

    return start


CASES: dict[str, Case] = {
    "gcp-credential-file-missing": Case(
        "credentials.gcp",
        {**_VERTEX, "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"},
        "points to /nonexistent/key.json",
    ),
    "gcp-project-disagrees": Case(
        "credentials.gcp",
        {**_VERTEX, "GOOGLE_CLOUD_PROJECT": "p2"},
        "Claude Code uses project p2",
    ),
    "vertex-skip-auth-without-gateway": Case(
        "credentials.gcp",
        {**_VERTEX, "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1"},
        "CLAUDE_CODE_SKIP_VERTEX_AUTH is set but",
    ),
    "bedrock-skip-auth-without-gateway": Case(
        "credentials.aws",
        {**_BEDROCK, "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1"},
        "CLAUDE_CODE_SKIP_BEDROCK_AUTH is set but",
    ),
    "aws-half-a-key-pair": Case(
        "credentials.aws", {**_BEDROCK, "AWS_ACCESS_KEY_ID": _AKIA}, "is set but"
    ),
    "aws-left-over-session-token": Case(
        "credentials.aws",
        {
            **_BEDROCK,
            "AWS_ACCESS_KEY_ID": _AKIA,
            "AWS_SECRET_ACCESS_KEY": _SECRET,
            "AWS_SESSION_TOKEN": "t" * 40,
        },
        "next to a long-term key",
    ),
    "aws-keys-shadow-the-profile": Case(
        "credentials.aws",
        {
            **_BEDROCK,
            "AWS_ACCESS_KEY_ID": _AKIA,
            "AWS_SECRET_ACCESS_KEY": _SECRET,
            "AWS_PROFILE": "dev",
        },
        "is ignored: environment keys come first",
    ),
    "bedrock-prefix-in-govcloud": Case(
        "region.bedrock",
        {**_BEDROCK, "AWS_REGION": "us-gov-west-1", "ANTHROPIC_BEDROCK_REGION_PREFIX": "us"},
        "is ignored in GovCloud",
    ),
    "skip-auth-on-the-providers-own-host": Case(
        "proxy.config",
        {
            **_BEDROCK,
            "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1",
            "ANTHROPIC_BEDROCK_BASE_URL": "https://bedrock-runtime.us-east-1.amazonaws.com",
        },
        "they leave unsigned",
    ),
    "base-url-of-another-provider": Case(
        "proxy.config", {"ANTHROPIC_VERTEX_BASE_URL": "https://gw.example/v1"}, "is ignored"
    ),
    "tls-verification-off": Case(
        "network.env", {"NODE_TLS_REJECT_UNAUTHORIZED": "0"}, "turns TLS certificate"
    ),
    "extra-ca-file-missing": Case(
        "network.env", {"NODE_EXTRA_CA_CERTS": "/nonexistent/ca.pem"}, "does not exist"
    ),
    "oauth-token-in-the-api-key": Case(
        "credentials.anthropic",
        {"ANTHROPIC_API_KEY": "sk-ant-oat01-" + "a" * 60},
        "holds a Claude OAuth access token",
    ),
    "platform-path-segment": Case(
        "region.platform_gcp",
        {
            "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD": "1",
            "ANTHROPIC_GOOGLE_CLOUD_PROJECT": "p1",
            "ANTHROPIC_GOOGLE_CLOUD_LOCATION": "us/east",
            "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID": "wrkspc_1",
        },
        "has characters other than",
    ),
    "one-hour-cache-on-an-old-client": Case(
        "caching.prompt",
        {**_BEDROCK, "ENABLE_PROMPT_CACHING_1H": "1"},
        "get 400 errors",
        version="2.1.100",
    ),
    "regression-empty-bedrock-key": Case(
        "config.client",
        {
            **_BEDROCK,
            "AWS_BEARER_TOKEN_BEDROCK": "",
            "AWS_ACCESS_KEY_ID": _AKIA,
            "AWS_SECRET_ACCESS_KEY": _SECRET,
        },
        "sends an empty bearer token",
        version="2.1.95",
    ),
    "proxy-refuses-connections": Case(
        "proxy.reachable",
        {
            "HTTPS_PROXY": f"http://127.0.0.1:{closed_port()}",
            "ANTHROPIC_BASE_URL": f"https://127.0.0.1:{closed_port()}",
            "ANTHROPIC_API_KEY": "sk-ant-api03-" + "p" * 40,
        },
        "(HTTPS_PROXY) refuses connections",
        online=True,
    ),
    "removed-connect-timeout": Case(
        "config.env", {"CLAUDE_CODE_CONNECT_TIMEOUT_MS": "5000"}, "has no effect: removed in"
    ),
    "vertex-global-host-that-does-not-exist": Case(
        "region.vertex",
        {
            **_VERTEX,
            "ANTHROPIC_VERTEX_BASE_URL": "https://global-aiplatform.googleapis.com/v1",
        },
        "which does not exist",
    ),
    "subagent-model-the-gateway-does-not-serve": Case(
        "models.anthropic",
        {"CLAUDE_CODE_SUBAGENT_MODEL": _UNSERVED},
        f"does not serve {_UNSERVED}",
        online=True,
        peer=_anthropic_gateway(models=frozenset({"claude-opus-5-5", "claude-haiku-4-5-20251001"})),
    ),
    "one-hour-ttl-the-gateway-refuses": Case(
        "proxy.conformance",
        {"ENABLE_PROMPT_CACHING_1H": "1"},
        "rejects cache_control.ttl",
        online=True,
        peer=_anthropic_gateway(rejected_fields=frozenset({"cache_ttl"})),
    ),
    "foundry-subagent-model-not-deployed": Case(
        "models.foundry",
        {"CLAUDE_CODE_SUBAGENT_MODEL": _UNSERVED},
        _UNSERVED,
        online=True,
        peer=_foundry_resource(deployments=frozenset({"claude-sonnet-5-5", "claude-haiku-4-5"})),
    ),
    "vertex-subagent-model-not-served": Case(
        "models.vertex",
        {"CLAUDE_CODE_SUBAGENT_MODEL": "claude-haiku-4-5@20251001"},
        "will fail mid-session",
        version="2.1.197",
        online=True,
        peer=_vertex_project(served={"us-east5": frozenset({"claude-sonnet-4-5@20250929"})}),
    ),
    "vertex-token-refresh-through-a-proxy-that-refuses": Case(
        "credentials.gcp",
        {"HTTP_PROXY": f"http://127.0.0.1:{closed_port()}"},
        "refuses connections",
        version="2.1.197",
        online=True,
        peer=_vertex_project(token_host="localhost"),
    ),
    "vertex-project-that-does-not-exist": Case(
        "models.vertex",
        {"GOOGLE_CLOUD_PROJECT": "Claude Vertex Prod"},
        "project Claude Vertex Prod does not exist",
        version="2.1.197",
        online=True,
        peer=_vertex_project(),
    ),
    "vertex-skip-auth-at-a-gateway-that-wants-credentials": Case(
        "models.vertex",
        {"CLAUDE_CODE_SKIP_VERTEX_AUTH": "1"},
        "HTTP 401 UNAUTHENTICATED",
        version="2.1.197",
        online=True,
        peer=_vertex_project(),
    ),
    "bedrock-skip-auth-at-a-gateway-that-wants-a-signature": Case(
        "models.bedrock",
        {"CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1"},
        "without credentials",
        online=True,
        peer=_bedrock_gateway(auth="sigv4"),
    ),
    "bedrock-subagent-model-not-enabled": Case(
        "models.bedrock",
        {"CLAUDE_CODE_SUBAGENT_MODEL": "us.anthropic.claude-opus-4-6-v1"},
        "will fail mid-session",
        online=True,
        peer=_bedrock_gateway(
            faults=(FaultRule(FAULTS["model_not_enabled"], model="anthropic.claude-opus-4-6-v1"),)
        ),
    ),
    "bedrock-gateway-re-encodes-the-stream-without-the-fallback": Case(
        "proxy.conformance",
        {"CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK": "1"},
        'fails with "API Error: Truncated event message received."',
        version="2.1.197",
        online=True,
        peer=_bedrock_gateway(stream_encoding="sse"),
    ),
    "five-minutes-forced-beside-one-hour": Case(
        "caching.prompt",
        {"ENABLE_PROMPT_CACHING_1H": "1", "FORCE_PROMPT_CACHING_5M": "1"},
        "wins, so the cache lives 5 minutes",
    ),
    "policy-refuses-a-custom-endpoint": Case(
        "config.policy",
        {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"},
        "Claude Code refuses to start",
        managed={"allowedProviders": ["anthropic"]},
    ),
}

SNIPPET_CASES: dict[str, Case] = {
    "two-provider-flags": Case("config.provider", {**_BEDROCK, **_VERTEX}, "are all true"),
    "base-url-beside-a-provider-flag": Case(
        "config.provider",
        {**_BEDROCK, "ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"},
        "is ignored because CLAUDE_CODE_USE_BEDROCK",
    ),
    "gateway-sign-in-beats-a-provider-flag": Case(
        "config.provider",
        {
            **_BEDROCK,
            "CLAUDE_CODE_USE_GATEWAY": "1",
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:4000",
            "ANTHROPIC_AUTH_TOKEN": _GATEWAY_TOKEN,
        },
        "which beats CLAUDE_CODE_USE_BEDROCK",
    ),
    "presence-only-variable-set-to-0": Case(
        "config.env", {"DISABLE_TELEMETRY": "0"}, "still turns it ON"
    ),
    "api-key-and-auth-token": Case(
        "config.env",
        {"ANTHROPIC_API_KEY": _API_KEY, "ANTHROPIC_AUTH_TOKEN": _GATEWAY_TOKEN},
        "are both set",
    ),
}
"""Set-ups whose fix, in a settings file, is a snippet that cancels the variable with an empty
string (it also cancels a shell export, so the client sees it unset)."""

SHELL_CASES: dict[str, Case] = {
    "caching-flag-neither-true-nor-false": Case(
        "caching.prompt", {"DISABLE_PROMPT_CACHING": "maybe"}, "is neither true nor false"
    ),
    "api-key-and-auth-token-both-sent": Case(
        "credentials.anthropic",
        {"ANTHROPIC_API_KEY": _API_KEY, "ANTHROPIC_AUTH_TOKEN": _GATEWAY_TOKEN},
        "Both go out on every request",
    ),
    "oauth-token-beside-an-api-key": Case(
        "credentials.anthropic",
        {"ANTHROPIC_API_KEY": _API_KEY, "CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-" + "o" * 60},
        "CLAUDE_CODE_OAUTH_TOKEN from shell environment is ignored",
    ),
}
"""Set-ups whose fix, for a settings file, names the file in a sentence rather than a Delete step
this suite can follow: proven in the shell that exports the variable."""

UNSET_CASES = {**CASES, **SNIPPET_CASES, **SHELL_CASES}

_NOT_RUNNABLE = re.compile(r"…|<|>|your-|/path/to/|^(?:claude|gcloud|aws) ")
"""Placeholders for the user to fill in, log-ins and upgrades: theirs to choose, not run here."""
_PROSE_COMMAND = re.compile(r"\brun `([^`]+)`")
_DELETE = re.compile(r"Delete (.+?) from the env block of (\S+?)\.(?:\s|$)")
_OTHER_SETTINGS = {"permissions": {"allow": ["Bash(ls:*)"]}, "cleanupPeriodDays": 30}
"""What else a user's settings file holds: following the fix must leave it as it was."""


@pytest.fixture
def peers() -> Iterator[ExitStack]:
    """The loopback peers a test's cases start, stopped when it ends."""
    with ExitStack() as stack:
        yield stack


def _prepare(machine: Machine, case: Case, peers: ExitStack) -> None:
    machine.claude_version = case.version
    if case.peer is not None:
        machine.env.update(case.peer(peers, machine))
    if case.managed:
        machine.managed_settings(case.managed)


def _messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])] or [result.message]


def _flagged(result: CheckResult, phrase: str) -> bool:
    return any(phrase in m for m in _messages(result))


def _runnable(result: CheckResult) -> list[str]:
    """The fix's commands, and those its text tells the user to run, placeholders left out."""
    assert result.fix is not None, result.message
    given = [*result.fix.commands, *_PROSE_COMMAND.findall(result.fix.text)]
    return [c for c in given if not _NOT_RUNNABLE.search(c)]


def _report_after(machine: Machine, commands: list[str], case: Case) -> dict[str, object]:
    """The commands run in a shell that holds the set-up, then ccdoctor from that same shell."""
    offline = "" if case.online else "--offline "
    script = " && ".join(
        [
            *commands,
            f"exec {sys.executable} -m ccdoctor {offline}--only {case.check} --format json "
            f"--managed-settings {machine.managed_file} --claude-version {machine.claude_version}",
        ]
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=machine.project,
        env={**machine.env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def _still_flagged(report: dict[str, object], check: str, phrase: str) -> list[str]:
    checks = report["checks"]
    assert isinstance(checks, list)
    (after,) = [c for c in checks if c["id"] == check]
    remaining = [p["message"] for p in after["details"].get("problems", [])] or [after["message"]]
    return [m for m in remaining if phrase in m]


def _follow_the_edits(text: str) -> list[Path]:
    """Make each settings-file edit the fix describes, as a user would in an editor."""
    edited: list[Path] = []
    for names, where in _DELETE.findall(text):
        path = Path(where)
        data = json.loads(path.read_text(encoding="utf-8"))
        for name in names.split(" and "):
            del data["env"][name]
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        edited.append(path)
    return edited


@pytest.mark.parametrize("name", list(UNSET_CASES))
def test_followed_in_the_shell_that_exports_it(
    machine: Machine, peers: ExitStack, name: str
) -> None:
    case = UNSET_CASES[name]
    _prepare(machine, case, peers)
    machine.env.update(case.env)
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    commands = _runnable(before)
    assert any(c.startswith("unset ") for c in commands), before.fix
    assert before.fix is not None and "env block" not in before.fix.text
    report = _report_after(machine, commands, case)
    assert not _still_flagged(report, case.check, case.phrase)


@pytest.mark.parametrize("name", list(CASES))
def test_followed_in_the_settings_file_that_sets_it(
    machine: Machine, peers: ExitStack, name: str
) -> None:
    """`unset` cannot reach a settings file's env block: the fix names the file instead, and the
    edit it describes clears the problem without touching anything else in the file."""
    case = CASES[name]
    _prepare(machine, case, peers)
    path = machine.user_settings({**_OTHER_SETTINGS, "env": case.env})
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    assert before.fix is not None
    assert not [c for c in before.fix.commands if c.startswith("unset ")], before.fix.commands
    assert _follow_the_edits(before.fix.text) == [path], before.fix.text
    after = machine.check(case.check, options=case.options)
    assert not _flagged(after, case.phrase), _messages(after)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {k: v for k, v in data.items() if k != "env"} == _OTHER_SETTINGS
    assert set(data["env"]) < set(case.env)
    assert all(data["env"][k] == case.env[k] for k in data["env"])


@pytest.mark.parametrize("name", list(SNIPPET_CASES))
def test_followed_with_the_snippet_in_the_settings_file_that_sets_it(
    machine: Machine, peers: ExitStack, name: str
) -> None:
    """The snippet merged into the env block, as a user would paste it, clears the problem and
    leaves the rest of the file as it was."""
    case = SNIPPET_CASES[name]
    _prepare(machine, case, peers)
    path = machine.user_settings({**_OTHER_SETTINGS, "env": case.env})
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    assert before.fix is not None and before.fix.snippet is not None, before.fix
    assert not [c for c in before.fix.commands if c.startswith("unset ")], before.fix.commands
    pasted = json.loads(before.fix.snippet)
    assert set(pasted) == {"env"}, pasted
    data = json.loads(path.read_text(encoding="utf-8"))
    data["env"].update(pasted["env"])
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    after = machine.check(case.check, options=case.options)
    assert not _flagged(after, case.phrase), _messages(after)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {k: v for k, v in data.items() if k != "env"} == _OTHER_SETTINGS
    assert {k: v for k, v in data["env"].items() if k not in pasted["env"]} == {
        k: v for k, v in case.env.items() if k not in pasted["env"]
    }


@pytest.mark.parametrize(
    "name",
    [
        "aws-left-over-session-token",
        "tls-verification-off",
        "gcp-project-disagrees",
        "proxy-refuses-connections",
    ],
)
def test_followed_where_the_shell_and_a_settings_file_both_set_it(
    machine: Machine, peers: ExitStack, name: str
) -> None:
    """The settings file wins over the shell; removing only one lets the other in. The fix
    takes both away, and both steps together clear the problem."""
    case = CASES[name]
    _prepare(machine, case, peers)
    machine.env.update(case.env)
    path = machine.user_settings({**_OTHER_SETTINGS, "env": case.env})
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    commands = _runnable(before)
    assert any(c.startswith("unset ") for c in commands), before.fix
    assert before.fix is not None
    assert _follow_the_edits(before.fix.text) == [path], before.fix.text
    report = _report_after(machine, commands, case)
    assert not _still_flagged(report, case.check, case.phrase)


def test_a_variable_the_managed_settings_set_is_left_to_the_administrator(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    machine.managed_settings({"env": {"NODE_TLS_REJECT_UNAUTHORIZED": "0"}})
    result = machine.check("network.env", options=CASES["tls-verification-off"].options)
    assert _flagged(result, "turns TLS certificate"), _messages(result)
    assert result.fix is not None
    assert not [c for c in result.fix.commands if c.startswith("unset ")]
    assert f"managed settings ({machine.managed_file})" in result.fix.text
    assert "administrator" in result.fix.text
    assert not _DELETE.search(result.fix.text)


# ---- fixes that set a variable again ------------------------------------------------------------

SET_CASES: dict[str, Case] = {
    "misspelt-name": Case(
        "config.env", {"ANTHROPIC_MODLE": "claude-sonnet-4-5"}, "did you mean ANTHROPIC_MODEL"
    ),
    "value-in-literal-quotes": Case(
        "config.env", {"ANTHROPIC_MODEL": "'claude-sonnet-4-5'"}, "wrapped in literal quotes"
    ),
    "carriage-return-in-value": Case(
        "config.env", {"ANTHROPIC_MODEL": "claude-sonnet-4-5\r"}, "carriage return"
    ),
    "debug-for-request-logs": Case("config.env", {"DEBUG": "1"}, "stopped logging API requests"),
    "deprecated-name-renamed": Case(
        "config.env",
        {"ANTHROPIC_SMALL_FAST_MODEL": "claude-haiku-4-5"},
        "ANTHROPIC_SMALL_FAST_MODEL (shell environment) is deprecated",
    ),
    "one-hour-cache-under-its-deprecated-name": Case(
        "caching.prompt",
        {"ENABLE_PROMPT_CACHING_1H_BEDROCK": "1"},
        "ENABLE_PROMPT_CACHING_1H_BEDROCK is deprecated",
    ),
    "unknown-bedrock-prefix": Case(
        "region.bedrock",
        {**_BEDROCK, "ANTHROPIC_BEDROCK_REGION_PREFIX": "xx"},
        "Claude Code ignores it",
    ),
}
"""Set-ups whose fix exports a corrected or replacing variable."""


@pytest.mark.parametrize("name", list(SET_CASES))
def test_a_set_fix_run_in_the_shell_clears_the_problem(
    machine: Machine, peers: ExitStack, name: str
) -> None:
    case = SET_CASES[name]
    _prepare(machine, case, peers)
    machine.env.update(case.env)
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    commands = _runnable(before)
    assert any(c.startswith("export ") for c in commands), before.fix
    report = _report_after(machine, commands, case)
    assert not _still_flagged(report, case.check, case.phrase)


_EXPORT = re.compile(r"^export ([A-Za-z_][A-Za-z0-9_]*)=")


@pytest.mark.parametrize("name", [*UNSET_CASES, *SET_CASES])
def test_no_export_is_offered_for_a_variable_a_settings_file_sets(
    machine: Machine, peers: ExitStack, name: str
) -> None:
    """A settings file's env block beats the shell: an `export` of a variable it sets does
    nothing, so the fix must name the file instead."""
    case = {**UNSET_CASES, **SET_CASES}[name]
    _prepare(machine, case, peers)
    machine.user_settings({"env": case.env})
    before = machine.check(case.check, options=case.options)
    assert before.fix is not None, before.message
    futile = [
        c for c in before.fix.commands if (found := _EXPORT.match(c)) and found.group(1) in case.env
    ]
    assert not futile, before.fix


# ---- every fix of every golden report -----------------------------------------------------------


def _settings_variables(setup: Setup) -> set[str]:
    """What the set-up's settings files (any layer) put in an env block."""
    found: set[str] = set()
    for entry in setup.files:
        data = entry.get("json")
        if Path(str(entry["path"])).name.startswith("settings") and isinstance(data, dict):
            found |= set(data.get("env", {}))
    return found


@pytest.mark.parametrize("setup", load_setups(), ids=lambda s: s.name)
def test_every_golden_fix_unsets_only_what_the_shell_exports(setup: Setup) -> None:
    """Across the fixture set-ups, as the real command reported them: an `unset` names only
    variables the shell exports, an `export` none that a settings file sets."""
    report = json.loads(setup.golden("json").read_text(encoding="utf-8"))
    in_files = _settings_variables(setup)
    futile: list[str] = []
    for result in report["checks"]:
        for command in (result.get("fix") or {}).get("commands", []):
            words = command.split()
            if words[:1] == ["unset"]:
                futile += [f"{command} ({n} not exported)" for n in words[1:] if n not in setup.env]
            elif (found := _EXPORT.match(command)) and found.group(1) in in_files:
                futile.append(f"{command} ({found.group(1)} is set in a settings file)")
    assert not futile, futile


# ---- no literal `unset` anywhere else -----------------------------------------------------------

_HOME = REPO / "ccdoctor" / "config" / "removal.py"
_UNSET = re.compile(r"^\s*unset\s")


def _string_starts(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal, and the first literal part of each f-string."""
    found: list[tuple[int, str]] = []
    parts: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts.update(id(v) for v in node.values)
            first = node.values[0] if node.values else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    found += [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts
    ]
    return found


def test_no_unset_command_is_built_outside_the_removal_helper() -> None:
    package = REPO / "ccdoctor"
    offenders = [
        f"{path.relative_to(REPO)}:{line}: {text[:60]!r}"
        for path in sorted(package.rglob("*.py"))
        if path != _HOME
        for line, text in _string_starts(ast.parse(path.read_text(encoding="utf-8")))
        if _UNSET.match(text)
    ]
    offenders += [
        f"{path.relative_to(REPO)}:{number}: {line.strip()[:60]!r}"
        for path in sorted(package.rglob("*.toml"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"[\"']\s*unset\s", line)
    ]
    assert not offenders, (
        "build `unset` with ccdoctor/config/removal.py (removal_fix / unset_in_shell), which "
        "gives a settings file's variable the edit instead:\n" + "\n".join(offenders)
    )


# ---- every call of the removal helpers has a case -----------------------------------------------

_HELPERS = frozenset(
    {
        "removal_fix",
        "or_removal",
        "unset_in_shell",
        "export_in_shell",
        "unset_command",
        "where_to_set",
    }
)
_ANONYMOUS = re.compile(r"^<.*>$")
"""Lambdas and comprehensions: their frame is not the function the call site is named by."""

_FIRST_NAME = {"removal_fix": 2, "or_removal": 3, "unset_command": 0}
"""Where the variable names start in each helper's arguments (after the config and texts)."""

Site = tuple[str, str]
"""(module, enclosing function) of a call of one of the helpers."""


def _helper_named(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in _HELPERS
    return isinstance(func, ast.Attribute) and func.attr in _HELPERS


def _call_sites() -> dict[Site, list[int]]:
    """Every call of a helper in ccdoctor/ outside removal.py, by the innermost named function
    around it, with its lines."""
    found: dict[Site, list[int]] = {}
    for path in sorted((REPO / "ccdoctor").rglob("*.py")):
        if path == _HOME:
            continue
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)

        def visit(node: ast.AST, function: str, module: str = module) -> None:
            for child in ast.iter_child_nodes(node):
                inner = function
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    inner = child.name
                elif isinstance(child, ast.Call) and _helper_named(child.func):
                    found.setdefault((module, function), []).append(child.lineno)
                visit(child, inner)

        visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


@dataclass(frozen=True)
class Built:
    """What one helper call returned, and where it was called from."""

    site: Site
    value: object
    line: int
    removes: bool
    """A removal fix built for at least one variable: one for none is only its text."""


def _record(monkeypatch: pytest.MonkeyPatch, modules: set[str]) -> list[Built]:
    """Wrap each helper where `modules` imported it, so every call notes its caller's module
    and function (past lambdas and comprehensions) and what it built."""
    built: list[Built] = []
    from ccdoctor.config import removal

    def wrapped(helper: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            value = helper(*args, **kwargs)
            frame = sys._getframe(1)
            line = frame.f_lineno
            while _ANONYMOUS.match(frame.f_code.co_name) and frame.f_back is not None:
                frame = frame.f_back
            names = args[_FIRST_NAME.get(helper.__name__, 1) :]
            site = (frame.f_globals["__name__"], frame.f_code.co_name)
            built.append(Built(site, value, line, bool(names)))
            return value

        return call

    originals = {helper: getattr(removal, helper) for helper in _HELPERS}
    for name in modules:
        module = importlib.import_module(name)
        for helper, original in originals.items():
            if getattr(module, helper, None) is original:
                monkeypatch.setattr(module, helper, wrapped(original))
        if getattr(module, "removal", None) is removal:
            for helper, original in originals.items():
                monkeypatch.setattr(removal, helper, wrapped(original))
    return built


def _problem_fix(result: CheckResult, phrase: str) -> Fix | None:
    """The fix of the problem the case is about."""
    for problem in result.details.get("problems", []):
        if phrase in problem["message"]:
            found = problem.get("fix")
            if found is None:
                return None
            return Fix(found["text"], tuple(found["commands"]), found.get("snippet"))
    return result.fix if phrase in result.message else None


def _shows(built: Built, fix: Fix) -> bool:
    """Whether what a helper built is in `fix`: its text and commands, not an empty one."""
    value = built.value
    if not built.removes:
        return False
    if isinstance(value, Fix):
        return value.text in fix.text and set(value.commands) <= set(fix.commands)
    if isinstance(value, str):
        return bool(value) and (value in fix.text or any(value in c for c in fix.commands))
    if isinstance(value, tuple):
        return bool(value) and set(value) <= set(fix.commands)
    return False


SITES: dict[Site, tuple[str, ...]] = {
    ("ccdoctor.checks.caching_prompt", "_ttl_problems"): (
        "one-hour-cache-under-its-deprecated-name",
        "five-minutes-forced-beside-one-hour",
        "one-hour-cache-on-an-old-client",
    ),
    ("ccdoctor.checks.caching_prompt", "_unset_fix"): ("caching-flag-neither-true-nor-false",),
    ("ccdoctor.checks.config_client", "_regression_problem"): ("regression-empty-bedrock-key",),
    ("ccdoctor.checks.config_policy", "_custom_refusal"): ("policy-refuses-a-custom-endpoint",),
    ("ccdoctor.checks.config_provider", "provider_check"): (
        "two-provider-flags",
        "base-url-beside-a-provider-flag",
    ),
    ("ccdoctor.checks.config_provider", "_beaten_by_gateway"): (
        "gateway-sign-in-beats-a-provider-flag",
    ),
    ("ccdoctor.checks.proxy_reachable", "describe_failure"): ("proxy-refuses-connections",),
    ("ccdoctor.diagnose.base_urls", "ignored_base_url"): ("base-url-of-another-provider",),
    ("ccdoctor.diagnose.base_urls", "skip_auth_problems"): ("skip-auth-on-the-providers-own-host",),
    ("ccdoctor.diagnose.environment", "_rename_fix"): ("misspelt-name",),
    ("ccdoctor.diagnose.environment", "deprecated_problems"): ("deprecated-name-renamed",),
    ("ccdoctor.diagnose.environment", "_drop_fix"): ("removed-connect-timeout",),
    ("ccdoctor.diagnose.environment", "presence_only_problems"): (
        "presence-only-variable-set-to-0",
    ),
    ("ccdoctor.diagnose.environment", "auth_conflict_problems"): ("api-key-and-auth-token",),
    ("ccdoctor.diagnose.network_files", "_unusable_fix"): ("extra-ca-file-missing",),
    ("ccdoctor.diagnose.network_files", "verification_off"): ("tls-verification-off",),
    ("ccdoctor.providers.anthropic.credentials", "_ignored"): ("oauth-token-beside-an-api-key",),
    ("ccdoctor.providers.anthropic.credentials", "_unset_fix"): (
        "api-key-and-auth-token-both-sent",
    ),
    ("ccdoctor.providers.anthropic.credentials", "_shape_problems"): (
        "oauth-token-in-the-api-key",
    ),
    ("ccdoctor.providers.bedrock.credentials", "_skip_auth_problems"): (
        "bedrock-skip-auth-without-gateway",
    ),
    ("ccdoctor.providers.bedrock.credentials", "_read_env_keys"): (
        "aws-half-a-key-pair",
        "aws-left-over-session-token",
    ),
    ("ccdoctor.providers.bedrock.credentials", "_env_shadows_profile"): (
        "aws-keys-shadow-the-profile",
    ),
    ("ccdoctor.providers.bedrock.regions", "_prefix_setting"): (
        "bedrock-prefix-in-govcloud",
        "unknown-bedrock-prefix",
    ),
    ("ccdoctor.providers.claude_platform.endpoint", "_bad_segment"): ("platform-path-segment",),
    ("ccdoctor.providers.vertex.credentials", "_file_problem"): ("gcp-credential-file-missing",),
    ("ccdoctor.providers.vertex.credentials", "_project_problems"): ("gcp-project-disagrees",),
    ("ccdoctor.providers.vertex.credentials", "_skip_without_gateway"): (
        "vertex-skip-auth-without-gateway",
    ),
    ("ccdoctor.config.mid_session", "mid_session_problem"): (
        "bedrock-subagent-model-not-enabled",
        "vertex-subagent-model-not-served",
    ),
    ("ccdoctor.providers.bedrock.gateway", "_unguarded_problem"): (
        "bedrock-gateway-re-encodes-the-stream-without-the-fallback",
    ),
    ("ccdoctor.providers.bedrock.live", "error_fix"): (
        "bedrock-skip-auth-at-a-gateway-that-wants-a-signature",
    ),
    ("ccdoctor.checks.models_foundry", "_deploy_fix"): ("foundry-subagent-model-not-deployed",),
    ("ccdoctor.providers.anthropic.fields", "field_fix"): ("one-hour-ttl-the-gateway-refuses",),
    ("ccdoctor.providers.anthropic.live", "model_fix"): (
        "subagent-model-the-gateway-does-not-serve",
    ),
    ("ccdoctor.providers.vertex.live", "_nonexistent_global_host"): (
        "vertex-global-host-that-does-not-exist",
    ),
    ("ccdoctor.providers.vertex.models", "_fix"): (
        "vertex-skip-auth-at-a-gateway-that-wants-credentials",
    ),
    ("ccdoctor.providers.vertex.credentials", "refresh_problem"): (
        "vertex-token-refresh-through-a-proxy-that-refuses",
    ),
    ("ccdoctor.providers.vertex.models", "_project_fix"): ("vertex-project-that-does-not-exist",),
}
"""Each call site of the removal helpers, and the cases whose fix it builds (proven below)."""

_ALL_CASES = {**UNSET_CASES, **SET_CASES}

_PROXY_REFUSES = {"HTTPS_PROXY": f"http://127.0.0.1:{closed_port()}", "NO_PROXY": ""}
_NEEDS_THE_PROXY: dict[Site, Case] = {
    ("ccdoctor.providers.anthropic.live", "network_failure"): Case(
        "models.anthropic", _PROXY_REFUSES, "", online=True, peer=_anthropic_gateway()
    ),
    ("ccdoctor.providers.vertex.models", "_network_problem"): Case(
        "models.vertex",
        _PROXY_REFUSES,
        "",
        version="2.1.197",
        online=True,
        peer=_vertex_project(base_host="localhost"),
    ),
}
"""Call sites whose fix takes a variable away only for a proxy that refuses connections (the
one cause whose fix does): their checks need proxy.reachable, which fails first on that proxy,
so one run never shows their removal; the set-up proves it (a proxy that dies between two
checks would, and is left out). Any other failure there builds no removal."""


def test_every_call_site_of_the_removal_helpers_has_a_case() -> None:
    found = _call_sites()
    missing = [
        f"{module.replace('.', '/')}.py: {function} (lines {', '.join(map(str, lines))})"
        for (module, function), lines in found.items()
        if (module, function) not in SITES and (module, function) not in _NEEDS_THE_PROXY
    ]
    assert not missing, (
        "a removal helper is called where no case of this file follows its fix: add a case and "
        "its row in SITES\n" + "\n".join(missing)
    )
    assert not set(SITES) - set(found), (
        f"SITES names call sites that are gone: {set(SITES) - set(found)}"
    )
    assert not {n for names in SITES.values() for n in names} - set(_ALL_CASES)


@pytest.mark.parametrize("site", list(SITES), ids=lambda site: f"{site[0]}:{site[1]}")
def test_the_call_site_builds_the_fix_its_cases_follow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, peers: ExitStack, site: Site
) -> None:
    """Run each case with the helpers wrapped: the fix of the case's problem holds what this
    call site built, in the shell set-up or the settings-file one; together the cases reach
    every call of a helper the function makes."""
    built = _record(monkeypatch, {module for module, _ in _call_sites()})
    reached: set[int] = set()
    for name in SITES[site]:
        case = _ALL_CASES[name]
        lines: set[int] = set()
        for where in ("shell", "file"):
            machine = Machine(tmp_path / name / where)
            _prepare(machine, case, peers)
            if where == "shell":
                machine.env.update(case.env)
            else:
                machine.user_settings({"env": case.env})
            built.clear()
            fix = _problem_fix(machine.check(case.check, options=case.options), case.phrase)
            if fix is not None:
                lines |= {b.line for b in built if b.site == site and _shows(b, fix)}
        assert lines, f"case {name!r} does not get its fix from {site[0]}.{site[1]}"
        reached |= lines
    missed = sorted(set(_call_sites()[site]) - reached)
    assert not missed, f"no case of {site[0]}.{site[1]} gets its fix from line(s) {missed}"


@pytest.mark.parametrize("site", list(_NEEDS_THE_PROXY), ids=lambda site: f"{site[0]}:{site[1]}")
def test_a_refusing_proxy_stops_the_run_before_the_call_site(
    machine: Machine, peers: ExitStack, site: Site
) -> None:
    case = _NEEDS_THE_PROXY[site]
    _prepare(machine, case, peers)
    machine.env.update(case.env)
    results = machine.run(case.check, options=case.options)
    assert "refuses connections" in results["proxy.reachable"].message
    assert results[case.check].message == "needs proxy.reachable (fail)"
