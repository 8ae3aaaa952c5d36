"""What learning adds beyond the Anthropic route's request, against a stand-in client whose
behaviour each test knows: what a strict gateway's 400 makes it drop (one refused run per
beta and per field), its betas with a claude.ai OAuth token, and the main model and aliases
of the routes that speak the Messages API at their own base URL (Foundry, Mantle, Claude
Platform). The real clients' values are proven in tests/integration/test_learned_facts.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ccdoctor.clients.facts import newest_shipped, over_newest
from ccdoctor.core.provider import Provider
from ccdoctor.learn.learner import GROUPS, LearnError, learn
from ccdoctor.learn.recorder import Recorded, Refusing
from ccdoctor.learn.strict import carried_at, fields_to_try

NEW_BETA = "new-beta-2027-01-01"
"""A beta no shipped file names: learning must find that it is sent, then refuse it too."""

_CLIENT = """#!{python}
import json, os, sys, urllib.error, urllib.request
env = os.environ
model = env.get("ANTHROPIC_MODEL")
routes = {{
    "CLAUDE_CODE_USE_FOUNDRY": ("ANTHROPIC_FOUNDRY_BASE_URL", "claude-f"),
    "CLAUDE_CODE_USE_MANTLE": ("ANTHROPIC_BEDROCK_MANTLE_BASE_URL", "anthropic.claude-m"),
    "CLAUDE_CODE_USE_ANTHROPIC_AWS": ("ANTHROPIC_AWS_BASE_URL", "claude-a"),
    "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD": ("ANTHROPIC_GOOGLE_CLOUD_BASE_URL", "claude-g"),
}}
flag = next((f for f in routes if env.get(f) == "1"), None)
if flag is None:
    base, prefix = env["ANTHROPIC_BASE_URL"], "claude"
elif flag == "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD" and {no_google!r}:
    print("Not logged in", file=sys.stderr)
    sys.exit(1)
else:
    base, prefix = env[routes[flag][0]], routes[flag][1]
experimental = env.get("CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS") != "1"
betas = ["claude-code-20250219"]
if "CLAUDE_CODE_OAUTH_TOKEN" in env:
    betas.append("oauth-2025-04-20")
if env.get("DISABLE_INTERLEAVED_THINKING") != "1":
    betas.append("interleaved-thinking-2025-05-14")
if experimental:
    betas += ["context-management-2025-06-27", {new_beta!r}]
if model and model.endswith("[1m]"):
    model = model.removesuffix("[1m]")
    betas.append("context-1m-2025-08-07")
one_hour = env.get("ENABLE_PROMPT_CACHING_1H") == "1"
if one_hour:
    betas.append("extended-cache-ttl-2025-04-11")
body = {{"model": f"{{prefix}}-{{model or 'main'}}", "max_tokens": 32000, "stream": False,
    "messages": [{{"role": "user", "content": "say hi"}}],
    "thinking": {{"type": "adaptive", "display": "omitted"}},
    "tools": [{{"name": "t", "description": "d", "input_schema": {{}}, "defer_loading": True}}]}}
if experimental:
    body["context_management"] = {{"edits": [{{"type": "clear_thinking_20251015"}}]}}
if env.get("CLAUDE_CODE_DISABLE_THINKING") == "1":
    del body["thinking"]
if one_hour:
    body["system"] = [{{"type": "text", "text": "s",
        "cache_control": {{"type": "ephemeral", "ttl": "1h"}}}}]
# Like the real client: after a 400 naming a beta it drops, or a field it drops, it sends the
# request once more without it. This one drops the context-management beta, the new beta and
# the context_management field, not the others (and the 1M beta if told to).
DROPS = ["context-management-2025-06-27", {new_beta!r}]
if {drops_1m!r}:
    DROPS.append("context-1m-2025-08-07")
for attempt in range(2):
    request = urllib.request.Request(base + "/v1/messages?beta=true", json.dumps(body).encode(),
        {{"anthropic-beta": ",".join(betas), "content-type": "application/json"}})
    try:
        with urllib.request.urlopen(request) as answer:
            answer.read()
        print("hi")
        sys.exit(0)
    except urllib.error.HTTPError as error:
        said = json.loads(error.read())["error"]["message"]
    dropped = [b for b in DROPS if f"`{{b}}`" in said]
    if dropped:
        betas.remove(dropped[0])
    elif said.startswith("context_management:"):
        del body["context_management"]
    else:
        break
print(f"API Error: 400 {{said}}", file=sys.stderr)
sys.exit(1)
"""


def _client(tmp_path: Path, no_google: bool = False, drops_1m: bool = False) -> Path:
    path = tmp_path / "claude"
    path.write_text(
        _CLIENT.format(
            python=sys.executable, new_beta=NEW_BETA, no_google=no_google, drops_1m=drops_1m
        )
    )
    path.chmod(0o755)
    return path


@pytest.mark.timeout(120)
def test_the_retries_are_what_the_client_sent_again_without_after_a_400_naming_it(
    tmp_path: Path,
) -> None:
    learned = learn(_client(tmp_path), "2.1.999", 90, ("retries",))["retries"]
    assert learned.facts["retries"] == {
        # In the order sent; the new beta was refused too, though no shipped file names it.
        "drops_rejected_betas": ["context-management-2025-06-27", NEW_BETA],
        # defer_loading (tool_flags), adaptive thinking and its display were refused and kept.
        "drops_rejected_fields": ["context_management"],
    }
    facts = over_newest(learned.facts)
    assert facts.drops_rejected_betas == frozenset({"context-management-2025-06-27", NEW_BETA})
    assert facts.drops_rejected_fields == frozenset({"context_management"})
    # Not learned here: the newest file's.
    assert facts.anthropic_betas == newest_shipped().anthropic_betas


@pytest.mark.timeout(120)
def test_a_1m_beta_the_client_drops_after_a_400_is_learned_from_a_1m_model(
    tmp_path: Path,
) -> None:
    """The default request carries no 1M beta (2.1.293 on): a `[1m]` model's run shows it."""
    learned = learn(_client(tmp_path, drops_1m=True), "2.1.999", 90, ("retries",))["retries"]
    assert learned.facts["retries"]["drops_rejected_betas"] == [
        "context-management-2025-06-27",
        NEW_BETA,
        "context-1m-2025-08-07",
    ]


def test_a_refused_run_that_does_not_finish_learns_no_retries(tmp_path: Path) -> None:
    hangs = tmp_path / "claude"
    hangs.write_text("#!/bin/sh\nsleep 30\n")
    hangs.chmod(0o755)
    with pytest.raises(LearnError, match=r"retries route\) sent no model request within 1\.0 s"):
        learn(hangs, "2.1.999", 1, ("retries",))


@pytest.mark.timeout(60)
def test_the_oauth_betas_are_those_sent_with_a_claude_ai_token(tmp_path: Path) -> None:
    learned = learn(_client(tmp_path), "2.1.999", 30, ("oauth",))["oauth"]
    assert learned.facts["request"] == {
        "anthropic": {
            "betas_oauth": [
                "claude-code-20250219",
                "oauth-2025-04-20",
                "interleaved-thinking-2025-05-14",
                "context-management-2025-06-27",
                NEW_BETA,
            ],
            "betas_oauth_without_experimental": [
                "claude-code-20250219",
                "oauth-2025-04-20",
                "interleaved-thinking-2025-05-14",
            ],
        }
    }
    assert over_newest(learned.facts).anthropic_betas_for(oauth=True, experimental=False) == (
        "claude-code-20250219",
        "oauth-2025-04-20",
        "interleaved-thinking-2025-05-14",
    )


@pytest.mark.timeout(60)
def test_the_switches_are_what_each_removes_or_changes_in_the_request(tmp_path: Path) -> None:
    learned = learn(_client(tmp_path), "2.1.999", 30, ("switches",))["switches"]
    assert learned.facts["request"] == {
        "anthropic": {
            "switches": {
                "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1": ["context_management"],
                "CLAUDE_CODE_DISABLE_THINKING=1": ["thinking", "thinking_display"],
            },
            "beta_switches": {
                "DISABLE_INTERLEAVED_THINKING=1": ["interleaved-thinking-2025-05-14"]
            },
            "one_hour_cache": {
                "set_by": ["ENABLE_PROMPT_CACHING_1H=1"],
                "betas": ["extended-cache-ttl-2025-04-11"],
            },
        }
    }
    # Learned tables replace the newest file's whole: a switch it lists that this client's
    # runs showed removing nothing does not survive.
    switches = over_newest(learned.facts).shape_switches
    assert switches.removing("cache_control") == ()
    assert switches.removing("thinking") == ("CLAUDE_CODE_DISABLE_THINKING=1",)


def test_a_client_that_sends_no_oauth_beta_learns_no_oauth_betas(tmp_path: Path) -> None:
    # The stand-in without the token's branch: its request carries no OAuth beta, which the
    # API would refuse, so it is not what the client sends with a claude.ai token.
    script = _client(tmp_path).read_text().replace('"CLAUDE_CODE_OAUTH_TOKEN" in env', "False")
    (tmp_path / "claude").write_text(script)
    with pytest.raises(LearnError):
        learn(tmp_path / "claude", "2.1.999", 30, ("oauth",))


ROUTES = {
    "foundry": "claude-f",
    "mantle": "anthropic.claude-m",
    "anthropic_aws": "claude-a",
    "anthropic_google_cloud": "claude-g",
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("route", ROUTES)
def test_a_messages_route_learns_its_main_model_and_aliases(tmp_path: Path, route: str) -> None:
    learned = learn(_client(tmp_path), "2.1.999", 60, (route,))[route]
    prefix = ROUTES[route]
    assert learned.facts["defaults"] == {route: {"main": f"{prefix}-main"}}
    assert learned.facts["aliases"] == {
        route: {alias: f"{prefix}-{alias}" for alias in ("opus", "sonnet", "haiku")}
    }
    facts = over_newest(learned.facts)
    provider = Provider(route)
    assert facts.defaults[provider].main == f"{prefix}-main"
    # The small/fast model no one-shot run shows: the newest file's, or Mantle's cloud rule
    # (its sonnet alias, now the learned one).
    newest = newest_shipped().defaults[provider].small_fast
    expected = f"{prefix}-sonnet" if route == "mantle" else newest
    assert facts.defaults[provider].small_fast == expected


def test_a_route_the_client_does_not_have_is_a_learn_error(tmp_path: Path) -> None:
    with pytest.raises(LearnError, match="exited 1 without a model request: Not logged in"):
        learn(_client(tmp_path, no_google=True), "2.1.999", 30, ("anthropic_google_cloud",))


def test_every_group_is_one_the_run_can_choose() -> None:
    from ccdoctor.learn.choose import ALL_GROUPS

    assert set(ALL_GROUPS) == set(GROUPS)


# --- the strict gateway the recorder plays ------------------------------------------------------

_BODY = {
    "model": "m",
    "context_management": {"edits": []},
    "thinking": {"type": "adaptive", "display": "omitted"},
    "system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}],
    "tools": [{"name": "a"}, {"name": "b", "defer_loading": True}],
}


def _request(betas: str, body: object) -> Recorded:
    return Recorded("POST", "/v1/messages?beta=true", {"anthropic-beta": betas}, body)


def test_the_recorder_refuses_only_what_it_was_told_while_the_request_carries_it() -> None:
    beta = Refusing(beta="b-2")
    assert "Unexpected value(s) `b-2`" in (beta.refusal(_request("b-1, b-2", _BODY)) or "")
    assert beta.refusal(_request("b-1", _BODY)) is None
    field = Refusing(field="defer_loading")
    said = field.refusal(_request("", _BODY))
    assert said == "tools.1.custom.defer_loading: Extra inputs are not permitted"
    assert field.refusal(_request("", {**_BODY, "tools": [{"name": "a"}]})) is None
    assert Refusing(field="output_config").refusal(_request("", _BODY)) is None
    assert Refusing(field="cache_scope").refusal(_request("", "not json")) is None


def test_only_the_fields_the_request_carries_are_refused_in_turn() -> None:
    shape = {
        "context_management": ["clear_thinking_20251015"],
        "thinking": "adaptive",
        "thinking_display": "omitted",
        "tool_flags": ["defer_loading"],
    }
    assert fields_to_try(shape) == [
        "context_management",
        "defer_loading",
        "adaptive_thinking",
        "thinking_display",
    ]
    assert fields_to_try({**shape, "thinking": "enabled"}) == [
        "context_management",
        "defer_loading",
        "thinking_display",
    ]
    assert carried_at(_BODY, "cache_scope") is None
    assert carried_at(_BODY, "adaptive_thinking") == 0


# --- which groups a normal run learns ----------------------------------------------------------


class _Resolved:
    def __init__(self, provider: Provider, **env: str) -> None:
        self.env = env
        self.provider = type("Route", (), {"provider": provider})()

    def get(self, name: str) -> str | None:
        return self.env.get(name)


@pytest.mark.parametrize(
    ("provider", "env", "groups"),
    [
        (Provider.ANTHROPIC, {}, ()),
        (Provider.ANTHROPIC, {"ANTHROPIC_BASE_URL": "https://gw"}, ("retries", "switches")),
        (Provider.ANTHROPIC, {"CLAUDE_CODE_OAUTH_TOKEN": "t"}, ("oauth",)),
        (Provider.FOUNDRY, {"ANTHROPIC_BASE_URL": "https://gw"}, ("foundry",)),
        (Provider.ANTHROPIC_GOOGLE_CLOUD, {}, ("anthropic_google_cloud",)),
        (Provider.BEDROCK, {"CLAUDE_CODE_USE_GATEWAY": "1"}, ("gateway",)),
    ],
)
def test_a_run_learns_the_groups_its_set_up_uses(
    provider: Provider, env: dict[str, str], groups: tuple[str, ...]
) -> None:
    from ccdoctor.cli import _route_groups

    assert _route_groups(_Resolved(provider, **env)) == groups  # type: ignore[arg-type]
