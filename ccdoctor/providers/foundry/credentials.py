"""Which credential Claude Code sends to Microsoft Foundry, in its own order (2.1.332 bundle,
observed): ANTHROPIC_FOUNDRY_AUTH_TOKEN as `Authorization: Bearer`, else ANTHROPIC_FOUNDRY_API_KEY
as `x-api-key`, else nothing under CLAUDE_CODE_SKIP_FOUNDRY_AUTH, else an Entra ID token from
Azure's DefaultAzureCredential chain."""

from __future__ import annotations

import enum
import importlib.util
import shutil
from dataclasses import dataclass

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.host import cloud
from ccdoctor.knowledge import foundry


class Kind(enum.StrEnum):
    TOKEN = "entra_token"
    API_KEY = "api_key"
    SKIPPED = "skip_auth"
    CHAIN = "azure_credential_chain"


@dataclass(frozen=True)
class FoundryCredential:
    """The credential the client sends to Microsoft Foundry: its kind, the variable it comes from,
    and its value."""

    kind: Kind
    variable: str | None
    """Where a token or key comes from; None for the chain."""
    value: str | None

    def headers(self) -> dict[str, str]:
        """What the client sends; the chain's token is added by whoever minted it."""
        if self.kind is Kind.TOKEN and self.value:
            return {"authorization": f"Bearer {self.value}"}
        if self.kind is Kind.API_KEY and self.value:
            return {"x-api-key": self.value}
        return {}

    @property
    def described(self) -> str:
        return {
            Kind.TOKEN: f"Entra ID token from {self.variable} (Authorization: Bearer)",
            Kind.API_KEY: f"API key from {self.variable} (x-api-key)",
            Kind.SKIPPED: f"no credential ({foundry.SKIP_AUTH_VARIABLE}: a gateway adds it)",
            Kind.CHAIN: "an Entra ID token from Azure's DefaultAzureCredential chain",
        }[self.kind]


def foundry_credential(config: ResolvedConfig) -> FoundryCredential:
    token = (config.get(foundry.AUTH_TOKEN_VARIABLE) or "").strip()
    if token:
        return FoundryCredential(Kind.TOKEN, foundry.AUTH_TOKEN_VARIABLE, token)
    key = (config.get(foundry.API_KEY_VARIABLE) or "").strip()
    if key:
        return FoundryCredential(Kind.API_KEY, foundry.API_KEY_VARIABLE, key)
    if config.truthy(foundry.SKIP_AUTH_VARIABLE):
        return FoundryCredential(Kind.SKIPPED, foundry.SKIP_AUTH_VARIABLE, None)
    return FoundryCredential(Kind.CHAIN, None, None)


@dataclass(frozen=True)
class ChainSources:
    """What DefaultAzureCredential could find here, seen without asking any of it."""

    service_principal: bool
    managed_identity: str | None
    """Why a managed identity may answer (a variable, an Azure VM); None when none can."""
    imds_host: str | None
    """The metadata service to ask when only it could answer; None when not worth asking."""
    commands: tuple[str, ...]
    """Developer sign-ins on PATH (az, azd, pwsh)."""

    @property
    def any(self) -> bool:
        return self.service_principal or self.managed_identity is not None or bool(self.commands)

    def credential_names(self) -> tuple[str, ...]:
        """The members of DefaultAzureCredential these sources feed."""
        names = ["EnvironmentCredential"] if self.service_principal else []
        if self.managed_identity is not None:
            names.append("ManagedIdentityCredential")
        names.extend(foundry.CHAIN_MEMBERS[c] for c in self.commands)
        return tuple(names)

    def described(self) -> str:
        found = []
        if self.service_principal:
            found.append("service principal in AZURE_CLIENT_ID/AZURE_TENANT_ID")
        if self.managed_identity is not None:
            found.append(f"managed identity ({self.managed_identity})")
        found.extend(f"`{c}` sign-in" for c in self.commands)
        return ", ".join(found) or "none"


def chain_sources(config: ResolvedConfig) -> ChainSources:
    get = config.get
    principal = all(get(v) for v in foundry.SERVICE_PRINCIPAL_VARIABLES) and any(
        get(v) for v in foundry.SERVICE_PRINCIPAL_SECRETS
    )
    managed = next((v for v in foundry.MANAGED_IDENTITY_VARIABLES if get(v)), None)
    imds = get(foundry.IMDS_HOST_VARIABLE)
    imds_host = None
    if managed is None and imds:
        imds_host = imds.strip().rstrip("/")
    elif managed is None and _on_azure_vm():
        managed = "this machine is an Azure VM"
    path = get("PATH")
    commands = tuple(c for c in foundry.DEVELOPER_COMMANDS if shutil.which(c, path=path))
    return ChainSources(principal, managed, imds_host, commands)


def _on_azure_vm() -> bool:
    try:
        tag = (cloud.DMI_DIRECTORY / "chassis_asset_tag").read_text(
            encoding="utf-8", errors="replace"
        )
    except OSError:
        return False
    return tag.strip() == foundry.AZURE_VM_ASSET_TAG


def azure_identity_installed() -> bool:
    return importlib.util.find_spec("azure.identity") is not None
