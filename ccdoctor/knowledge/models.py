"""Model knowledge: aliases, ID shapes, Vertex region overrides.

The default models of each client version are data: ccdoctor/clients/versions/*.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ALIASES = ("default", "opus", "sonnet", "haiku", "opusplan", "best", "fable")
ALIAS_OVERRIDE_VARIABLE = {
    "opus": "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "sonnet": "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "haiku": "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "fable": "ANTHROPIC_DEFAULT_FABLE_MODEL",
}
ONE_MILLION_SUFFIX = "[1m]"

DEFAULT_MODEL_VARIABLE_SINCE = (2, 1, 236)
"""`ANTHROPIC_DEFAULT_MODEL` exists from this version on."""

OPUS_PIN_WITH_1M_BETA = ("anthropic",)
"""Routes (Provider values) where the client sends a pinned default opus with the 1M-context beta
(observed on the Anthropic route only). Wherever a version's built-in main model is its opus
alias, ANTHROPIC_DEFAULT_OPUS_MODEL pins the first request of a session that chooses no model
(observed on 2.1.332 for the Anthropic API, Bedrock and Vertex, on 2.1.197 for the Anthropic API;
not where the default is a sonnet: Foundry, 2.1.197 on Bedrock and Vertex)."""


@dataclass(frozen=True)
class SessionRole:
    """A model the client sends only mid-session, pinned by one variable."""

    role: str
    label: str
    variable: str
    used_by: str
    """When the client sends it, as the report says."""


SESSION_ROLES = (
    SessionRole(
        "subagent",
        "subagent model",
        "CLAUDE_CODE_SUBAGENT_MODEL",
        "subagents (the Agent tool)",
    ),
    SessionRole(
        "workflow",
        "workflow subagent model",
        "CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL",
        "the agents of a workflow (the Workflow tool)",
    ),
    SessionRole(
        "opus",
        "opus-alias model",
        "ANTHROPIC_DEFAULT_OPUS_MODEL",
        "/model opus and agents with model: opus",
    ),
    SessionRole(
        "sonnet",
        "sonnet-alias model",
        "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "/model sonnet and agents with model: sonnet",
    ),
)
"""Observed (tests/facts/session_models.md): none is sent by a one-shot `claude -p`; refused, a
subagent fails and the session goes on. The haiku pin is the small/fast model's own role. A
version judges only the roles whose variable its code names: the workflow pin is read from
2.1.307 on (observed; 2.1.293's workflow agent ignores it)."""


def session_role(role: str) -> SessionRole:
    return next(r for r in SESSION_ROLES if r.role == role)


AVAILABLE_MODELS = "availableModels"
AVAILABLE_FAMILIES = ("opus", "sonnet", "haiku", "fable")


def available_allows(entries: list[object], model_id: str) -> bool:
    """Whether an `availableModels` list lets the client send `model_id` (the resolved ID, alias
    and pins followed): an entry naming a family allows every ID of it, any other entry the IDs
    it begins, case aside (observed on 2.1.197 and 2.1.332: "claude-sonnet-4-5" allows
    claude-sonnet-4-5-20250929 but not the sonnet alias; an empty list allows nothing). A model
    it does not allow is replaced by the default (tests/facts/session_models.md)."""
    wanted = model_id.strip().lower()
    words = set(re.split(r"[-.@:]", wanted))
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            continue
        name = entry.strip().lower()
        if (name in AVAILABLE_FAMILIES and name in words) or wanted.startswith(name):
            return True
    return False


WITHOUT_THINKING = ("claude-3-",)
"""Anthropic IDs (by prefix) the client sends no `thinking`, no `context_management` and no
`output_config`, whatever MAX_THINKING_TOKENS or alwaysThinkingEnabled say: every Claude 3 model,
3.7 Sonnet included (observed with claude-3-haiku, 3-opus, 3-5-sonnet, 3-5-haiku, 3-7-sonnet and
anthropic.claude-3-5-haiku-…-v1:0 on 2.1.197 and 2.1.332). An ID the client does not know (a
gateway's alias) gets thinking, and a 400 "does not support thinking" stops the client at
start-up."""
WITHOUT_THINKING_DROPS = ("thinking", "thinking_display", "context_management", "effort")
"""The request-shape fields the client leaves out for such a model."""
THINKING_OFF_SETTING = "alwaysThinkingEnabled"
THINKING_OFF_SAME_AS = ("MAX_THINKING_TOKENS", "0")
"""`alwaysThinkingEnabled: false` in settings changes the request exactly as this switch does, on
both observed versions and for every model tried: no thinking for an ID the client does not
know, `thinking: disabled` for 2.1.197's default, nothing for 2.1.332's default (which thinks
anyway)."""


def has_thinking(model_id: str) -> bool:
    """False for a model the client itself sends no thinking."""
    name = anthropic_id(model_id).lower()
    return not name.startswith(WITHOUT_THINKING)


ANTHROPIC_ID = re.compile(r"^claude-[a-z0-9]+(?:-[a-z0-9]+)*$")
BEDROCK_BASE_ID = re.compile(
    r"^anthropic\.claude-[a-z0-9]+(?:-[a-z0-9]+)*?(?:-\d{8})?(?:-v\d+(?::\d+)?)?(?::\d+k)?$"
)
BEDROCK_PROFILE_ID = re.compile(
    r"^(us|eu|apac|jp|au|global|us-gov)\.(anthropic\.claude-[a-z0-9-]+(?:-v\d+)?(?::\d+)?)$"
)
BEDROCK_ARN = re.compile(
    r"^arn:aws(?:-[a-z-]+)?:bedrock:([a-z0-9-]*):(\d{12})?:"
    r"(foundation-model|inference-profile|application-inference-profile|provisioned-model"
    r"|custom-model|imported-model)/(.+)$"
)
VERTEX_ID = re.compile(r"^claude-[a-z0-9]+(?:-[a-z0-9]+)*(?:@\d{8})?$")
DASHED_DATE = re.compile(r"-\d{8}$")

# Per-model Vertex region variables, most specific model-ID prefix first (the client matches by
# prefix, so `claude-opus-4-1` must be tried before `claude-opus-4`).
VERTEX_REGION_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("claude-haiku-4-5", "VERTEX_REGION_CLAUDE_HAIKU_4_5"),
    ("claude-3-5-haiku", "VERTEX_REGION_CLAUDE_3_5_HAIKU"),
    ("claude-3-5-sonnet", "VERTEX_REGION_CLAUDE_3_5_SONNET"),
    ("claude-3-7-sonnet", "VERTEX_REGION_CLAUDE_3_7_SONNET"),
    ("claude-opus-4-1", "VERTEX_REGION_CLAUDE_4_1_OPUS"),
    ("claude-opus-4-5", "VERTEX_REGION_CLAUDE_4_5_OPUS"),
    ("claude-opus-4-6", "VERTEX_REGION_CLAUDE_4_6_OPUS"),
    ("claude-opus-4-7", "VERTEX_REGION_CLAUDE_4_7_OPUS"),
    ("claude-opus-4-8", "VERTEX_REGION_CLAUDE_4_8_OPUS"),
    ("claude-opus-4", "VERTEX_REGION_CLAUDE_4_0_OPUS"),
    ("claude-opus-5-5", "VERTEX_REGION_CLAUDE_5_5_OPUS"),
    ("claude-opus-5", "VERTEX_REGION_CLAUDE_5_OPUS"),
    ("claude-sonnet-4-5", "VERTEX_REGION_CLAUDE_4_5_SONNET"),
    ("claude-sonnet-4-6", "VERTEX_REGION_CLAUDE_4_6_SONNET"),
    ("claude-sonnet-4", "VERTEX_REGION_CLAUDE_4_0_SONNET"),
    ("claude-sonnet-5-5", "VERTEX_REGION_CLAUDE_5_5_SONNET"),
    ("claude-sonnet-5", "VERTEX_REGION_CLAUDE_5_SONNET"),
    ("claude-haiku-5-5", "VERTEX_REGION_CLAUDE_HAIKU_5_5"),
    ("claude-fable-5-1", "VERTEX_REGION_CLAUDE_FABLE_5_1"),
    ("claude-fable-5-2", "VERTEX_REGION_CLAUDE_FABLE_5_2"),
    ("claude-fable-5", "VERTEX_REGION_CLAUDE_FABLE_5"),
)


def vertex_region_variable(model_id: str) -> str | None:
    for prefix, variable in VERTEX_REGION_OVERRIDES:
        if model_id.startswith(prefix):
            return variable
    return None


DATED_MODELS = (
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "claude-opus-4-5",
    "claude-opus-4-1",
    "claude-sonnet-4",
    "claude-opus-4",
)
"""Models whose ID in the client carries a date (claude-sonnet-4-5-20250929): under their short
name a chosen model is not one of the client's own IDs, so `modelOverrides` never maps it, under
that key or the dated one (observed for claude-sonnet-4-5 and claude-haiku-4-5 on 2.1.207 to
2.1.337; the others' Vertex IDs carry the date too)."""


def overridable_choice(model_id: str) -> bool:
    """Whether `modelOverrides` can map this model when the user chose it: one of the client's
    own Anthropic IDs (a key is matched case aside), never a provider ID such as
    us.anthropic.claude-opus-4-6-v1 or a short name of a dated model (observed, 2.1.207 on)."""
    name = model_id.lower()
    return bool(ANTHROPIC_ID.match(name)) and name not in DATED_MODELS


_PROVIDER_DECORATION = re.compile(r"^(?:\{prefix\}|us|eu|apac|jp|au|global|us-gov)\.|^anthropic\.")


def anthropic_id(model_id: str) -> str:
    """The Anthropic API ID behind a Bedrock or Vertex ID: the key `modelOverrides` uses."""
    name = _PROVIDER_DECORATION.sub("", _PROVIDER_DECORATION.sub("", model_id))
    name = re.sub(r"-v\d+(?::\d+)?$", "", name)
    return name.replace("@", "-")
