"""Model knowledge: aliases, ID shapes, Vertex region overrides.

The default models of each client version are data: ccdoctor/clients/versions/*.toml.
"""

from __future__ import annotations

import re

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


_PROVIDER_DECORATION = re.compile(r"^(?:\{prefix\}|us|eu|apac|jp|au|global|us-gov)\.|^anthropic\.")


def anthropic_id(model_id: str) -> str:
    """The Anthropic API ID behind a Bedrock or Vertex ID: the key `modelOverrides` uses."""
    name = _PROVIDER_DECORATION.sub("", _PROVIDER_DECORATION.sub("", model_id))
    name = re.sub(r"-v\d+(?::\d+)?$", "", name)
    return name.replace("@", "-")
