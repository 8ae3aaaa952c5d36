"""Microsoft Foundry as Claude Code 2.1.332 reaches it (observed against tests/peers/fake_foundry.py
and read in its bundle; tests/facts/foundry.md): the variables, the endpoint it builds, the
credential it sends, and the texts with which the client and Azure refuse."""

from __future__ import annotations

import re

RESOURCE_VARIABLE = "ANTHROPIC_FOUNDRY_RESOURCE"
BASE_URL_VARIABLE = "ANTHROPIC_FOUNDRY_BASE_URL"
API_KEY_VARIABLE = "ANTHROPIC_FOUNDRY_API_KEY"
AUTH_TOKEN_VARIABLE = "ANTHROPIC_FOUNDRY_AUTH_TOKEN"
SKIP_AUTH_VARIABLE = "CLAUDE_CODE_SKIP_FOUNDRY_AUTH"

API_PATH = "/anthropic"
"""Azure serves Claude only under this path; the client appends /v1/messages to
ANTHROPIC_FOUNDRY_BASE_URL as given, and to https://{resource}.services.ai.azure.com/anthropic."""
MESSAGES_PATH = "/v1/messages?beta=true"

RESOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}[A-Za-z0-9]")
"""What the client accepts in ANTHROPIC_FOUNDRY_RESOURCE (its own words: "2-64 letters, digits
and hyphens, not starting or ending with a hyphen"; a capital letter passes, observed)."""
RESOURCE_REFUSED = (
    "ANTHROPIC_FOUNDRY_RESOURCE must be a Foundry resource name (2-64 letters, digits and "
    "hyphens, not starting or ending with a hyphen, such as my-resource), not a URL or host name."
)
"""The client's own refusal, before any request."""
BOTH_SET_REFUSED = "baseURL and resource are mutually exclusive"
"""The client's refusal when ANTHROPIC_FOUNDRY_RESOURCE and ANTHROPIC_FOUNDRY_BASE_URL are both
set (observed, 2.1.332)."""
OWN_HOST = re.compile(
    r"[a-z0-9-]{2,64}\.(?:services\.ai|cognitiveservices|openai)\.azure\.(?:com|us|cn)",
    re.IGNORECASE,
)
"""Azure's own hosts for a resource, as the client's bundle lists them; a base URL elsewhere is a
gateway in front of Foundry, whose path is its own business."""


def resource_url(resource: str) -> str:
    return f"https://{resource}.services.ai.azure.com{API_PATH}"


TOKEN_SCOPE = "https://cognitiveservices.azure.com/.default"
"""The audience of the Entra ID token the client asks DefaultAzureCredential for."""
AZURE_EXTRA = "pip install 'claude-code-doctor[azure]'"
SERVICE_PRINCIPAL_VARIABLES = ("AZURE_CLIENT_ID", "AZURE_TENANT_ID")
"""With a secret, a certificate or a user name beside them, EnvironmentCredential has a source."""
SERVICE_PRINCIPAL_SECRETS = (
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_USERNAME",
    "AZURE_FEDERATED_TOKEN_FILE",
)
MANAGED_IDENTITY_VARIABLES = ("IDENTITY_ENDPOINT", "MSI_ENDPOINT")
"""App Service, Functions, Container Apps, Arc: the managed identity the chain asks first."""
IMDS_HOST_VARIABLE = "AZURE_POD_IDENTITY_AUTHORITY_HOST"
"""Where the chain looks for the instance metadata service instead of 169.254.169.254."""
IMDS_HOST = "http://169.254.169.254"
IMDS_TOKEN_PATH = (
    "/metadata/identity/oauth2/token?api-version=2018-02-01"
    "&resource=https://cognitiveservices.azure.com"
)
AZURE_VM_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77"
"""/sys/class/dmi/id/chassis_asset_tag on every Azure virtual machine: where IMDS can answer."""
CHAIN_MEMBERS = {
    "az": "AzureCliCredential",
    "azd": "AzureDeveloperCliCredential",
    "pwsh": "AzurePowerShellCredential",
}
"""The sign-ins DefaultAzureCredential falls back to, by the command each runs."""
DEVELOPER_COMMANDS = tuple(CHAIN_MEMBERS)
CHAIN_FAILED = "ChainedTokenCredential authentication failed"
"""How the client's error begins when no source of the chain gives a token."""

DEPLOYMENT_NOT_FOUND = "DeploymentNotFound"
"""Azure's error.code for a model name the resource has no deployment of; the client treats it
as a refusal and walks its model fallback (2.1.332)."""
KEYS_PAGE = "Azure portal → your Foundry resource → Keys and Endpoint"
ROLE = "Cognitive Services User"
"""The role an Entra ID principal needs on the resource to call its deployments."""
