"""One row per provider route the client offers: its flag, base-URL and skip-auth variables.

Every module that needs "which variable points Bedrock elsewhere" or "what do we call Vertex in a
sentence" reads it here, so adding a route is adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccdoctor.core.provider import Provider


@dataclass(frozen=True)
class Route:
    """One provider route of the client: its flag, base-URL and skip-auth variables, and its own
    host."""

    provider: Provider
    name: str
    """How a sentence names the route: "Bedrock", "the Anthropic API"."""
    flag: str | None
    """The variable that selects the route; None for the first-party API, the fallback."""
    base_url_variable: str
    skip_auth_variable: str | None
    """Set truthy, the client sends no credentials of its own (a gateway adds them)."""
    own_host_suffix: str | None
    """A base URL on these hosts is the provider itself, which rejects unsigned requests."""

    @property
    def skip_auth(self) -> str:
        """The skip-auth variable of a route that has one; asking another route is a bug."""
        if self.skip_auth_variable is None:
            raise LookupError(f"{self.name} has no skip-auth variable")
        return self.skip_auth_variable


ANTHROPIC_API = Route(
    Provider.ANTHROPIC, "the Anthropic API", None, "ANTHROPIC_BASE_URL", None, None
)
BEDROCK = Route(
    Provider.BEDROCK,
    "Bedrock",
    "CLAUDE_CODE_USE_BEDROCK",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
    ".amazonaws.com",
)
VERTEX = Route(
    Provider.VERTEX,
    "Vertex AI",
    "CLAUDE_CODE_USE_VERTEX",
    "ANTHROPIC_VERTEX_BASE_URL",
    "CLAUDE_CODE_SKIP_VERTEX_AUTH",
    ".googleapis.com",
)
FOUNDRY = Route(
    Provider.FOUNDRY,
    "Foundry",
    "CLAUDE_CODE_USE_FOUNDRY",
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "CLAUDE_CODE_SKIP_FOUNDRY_AUTH",
    None,
)

ANTHROPIC_AWS = Route(
    Provider.ANTHROPIC_AWS,
    "Claude Platform on AWS",
    "CLAUDE_CODE_USE_ANTHROPIC_AWS",
    "ANTHROPIC_AWS_BASE_URL",
    "CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH",
    ".api.aws",
)
ANTHROPIC_GOOGLE_CLOUD = Route(
    Provider.ANTHROPIC_GOOGLE_CLOUD,
    "Claude Platform on Google Cloud",
    "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD",
    "ANTHROPIC_GOOGLE_CLOUD_BASE_URL",
    "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH",
    "claude.googleapis.com",
)
MANTLE = Route(
    Provider.MANTLE,
    "Bedrock Mantle",
    "CLAUDE_CODE_USE_MANTLE",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
    "CLAUDE_CODE_SKIP_MANTLE_AUTH",
    ".api.aws",
)

ROUTES: tuple[Route, ...] = (
    ANTHROPIC_API,
    BEDROCK,
    FOUNDRY,
    VERTEX,
    ANTHROPIC_AWS,
    ANTHROPIC_GOOGLE_CLOUD,
    MANTLE,
)
"""The first-party API (the route when no flag is true), then the flagged routes. The order in
which the client tests their flags is a fact of each client version (`[precedence]` in
ccdoctor/clients/versions/*.toml)."""

_BY_PROVIDER = {row.provider: row for row in ROUTES}
_BY_FLAG = {row.flag: row.provider for row in ROUTES if row.flag is not None}


def route(provider: Provider) -> Route:
    return _BY_PROVIDER[provider]


def provider_of_flag(flag: str) -> Provider:
    """The route a flag selects; a flag no route has is a bug in a facts file."""
    return _BY_FLAG[flag]


PROVIDER_FLAGS: tuple[tuple[Provider, str], ...] = tuple(
    (row.provider, row.flag) for row in ROUTES if row.flag is not None
)
"""Every route's flag, for code that needs the set of them, not their order."""


GATEWAY_ROUTE_ID = "gateway"
"""The report's `provider` for the Cloud gateway sign-in (CLAUDE_CODE_USE_GATEWAY): the client
then sends to the gateway at ANTHROPIC_BASE_URL whatever other route flag is set, so it is
diagnosed as that gateway on the Anthropic route."""
GATEWAY_NAME = "the Cloud gateway sign-in"
GATEWAY_FLAG = "CLAUDE_CODE_USE_GATEWAY"
"""Its flag, as the shipped facts' [gateway] name it; ccdoctor/learn reads it before any facts
(to learn the sign-in of a version whose older facts know none)."""
