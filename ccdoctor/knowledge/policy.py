"""What managed settings' `allowedProviders` and `deniedModels` mean to the client (2.1.332,
observed: tests/facts/mantle_gateway.md; host patterns from the client's bundle).

`allowedProviders` names routes; a base URL that is not the route's own service over https is an
endpoint of its own, admitted only when the list has `customEndpoint` and the managed file pins
the variable in its `env`; such a sanctioned endpoint is admitted whichever routes the list names
(2.1.337, observed). `deniedModels` names model IDs or families: the client steps down to
another model rather than refuse, unless no family is left to step down to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ALLOWED_PROVIDERS = "allowedProviders"
DENIED_MODELS = "deniedModels"
CUSTOM_ENDPOINT = "customEndpoint"

_AWS_HOST = (
    r"(?:vpce-[a-z0-9-]+\.)?{service}(?:-fips)?\.[a-z0-9-]+\.(?:vpce\.)?(?:amazonaws\.com|api\.aws)"
)


@dataclass(frozen=True)
class PolicyRoute:
    """How managed policy (`allowedProviders`, `customEndpoint`) sees one route: its names and the
    endpoint variables that move it."""

    route_id: str
    """The report's `provider` value for the route."""
    entry: str
    """Its name in `allowedProviders`."""
    label: str
    """How the client names it in a refusal."""
    endpoint_variables: tuple[str, ...] = ()
    """Variables that point the route elsewhere, in the client's order."""
    own_host: re.Pattern[str] | None = None
    """Host names of the route's own service; None: every endpoint variable is custom."""


POLICY_ROUTES: tuple[PolicyRoute, ...] = (
    PolicyRoute("anthropic", "anthropic", "Anthropic API", ("ANTHROPIC_BASE_URL",)),
    PolicyRoute(
        "bedrock",
        "bedrock",
        "Amazon Bedrock",
        (
            "ANTHROPIC_BEDROCK_BASE_URL",
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            "AWS_ENDPOINT_URL_BEDROCK",
            "AWS_ENDPOINT_URL",
        ),
        re.compile(_AWS_HOST.format(service="bedrock(?:-runtime)?")),
    ),
    PolicyRoute(
        "mantle",
        "mantle",
        "Amazon Bedrock (Mantle)",
        ("ANTHROPIC_BEDROCK_MANTLE_BASE_URL",),
        re.compile(_AWS_HOST.format(service="bedrock-mantle")),
    ),
    PolicyRoute(
        "anthropic_aws",
        "anthropicAws",
        "Claude Platform on AWS",
        ("ANTHROPIC_AWS_BASE_URL",),
        re.compile(_AWS_HOST.format(service="aws-external-anthropic")),
    ),
    PolicyRoute(
        "vertex",
        "vertex",
        "Google Vertex AI",
        ("ANTHROPIC_VERTEX_BASE_URL",),
        re.compile(
            r"(?:aiplatform|[a-z0-9-]+-aiplatform|aiplatform\.[a-z0-9-]+\.rep|[a-z0-9-]+\.p)\.googleapis\.com"
        ),
    ),
    PolicyRoute(
        "anthropic_google_cloud",
        "anthropicGoogleCloud",
        "Claude Platform on Google Cloud",
        ("ANTHROPIC_GOOGLE_CLOUD_BASE_URL",),
        re.compile(r"(?:claude|claude\.[a-z]+(?:-[a-z]+\d+)?\.rep|[a-z0-9-]+\.p)\.googleapis\.com"),
    ),
    PolicyRoute(
        "foundry",
        "foundry",
        "Microsoft Foundry",
        ("ANTHROPIC_FOUNDRY_BASE_URL",),
        re.compile(
            r"[a-z0-9-]{2,64}\.(?:services\.ai|cognitiveservices|openai)\.azure\.(?:com|us|cn)"
        ),
    ),
    PolicyRoute("gateway", "gateway", "a Cloud gateway sign-in"),
)
"""The gateway sign-in has no endpoint of its own to police: its ANTHROPIC_BASE_URL is the
gateway the sign-in names."""

KNOWN_ENTRIES: tuple[str, ...] = (
    "anthropic",
    CUSTOM_ENDPOINT,
    "bedrock",
    "vertex",
    "foundry",
    "anthropicAws",
    "mantle",
    "gateway",
)
"""The names the client's refusal lists as known, in its own order. It also accepts, without a
word, any name of the form anthropicXxx (TOLERATED): Claude Platform on Google Cloud's
`anthropicGoogleCloud` is one (2.1.337, observed)."""

TOLERATED = re.compile(r"anthropic[A-Z][A-Za-z0-9]*")
"""Names the client keeps in the list though its known names leave them out (its bundle)."""

_BY_ROUTE = {row.route_id: row for row in POLICY_ROUTES}


def policy_route(route_id: str) -> PolicyRoute | None:
    return _BY_ROUTE.get(route_id)


MODEL_FAMILIES: tuple[str, ...] = ("opus", "sonnet", "haiku", "fable")
"""A `deniedModels` entry naming one of these blocks every model of the family; with all of
them denied the client has no default left and refuses to start."""

CANNOT_START = (
    "Claude Code can't start: your organization's managed settings block the default model "
    '({model}) in "deniedModels", and none of the models they allow can be used as the default '
    'instead. Ask your administrator to update "deniedModels" or "availableModels".'
)
RESTRICTED = 'Model "{model}" is restricted by your organization\'s settings.'
"""The client's stderr line when a chosen model is denied; it goes on with another model."""
