"""An Entra ID token from azure-identity's DefaultAzureCredential, the chain the client's own
Azure library walks (environment, workload identity, managed identity, Azure CLI, PowerShell,
Azure Developer CLI), for the scope the client asks. azure-identity is the optional `[azure]`
extra: without it nothing is minted and the caller says so."""

from __future__ import annotations

import importlib
import logging
import shlex
from collections.abc import Mapping
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from ccdoctor.host.commands import LibraryScope, library_processes
from ccdoctor.knowledge import foundry
from ccdoctor.net.client import background

_LIBRARY_MODULES = (
    "azure.identity._credentials.environment",
    "azure.identity._credentials.workload_identity",
    "azure.identity._credentials.managed_identity",
    "azure.identity._credentials.imds",
    "azure.identity._credentials.app_service",
    "azure.identity._credentials.service_fabric",
    "azure.identity._credentials.cloud_shell",
    "azure.identity._credentials.azure_ml",
    "azure.identity._credentials.azure_arc",
    "azure.identity._credentials.default",
    "azure.identity._credentials.azure_cli",
    "azure.identity._credentials.azd_cli",
    "azure.identity._credentials.azure_powershell",
    "azure.identity._internal.utils",
    "azure.identity._internal.msal_credentials",
    "msal.application",
    "msal.region",
    "msal.cloudshell",
    "msal.managed_identity",
)
"""azure-identity's modules (and those of MSAL, which it builds on) that read
os.environ (the AZURE_* variables, IDENTITY_ENDPOINT, AZURE_POD_IDENTITY_AUTHORITY_HOST,
AZURE_TOKEN_CREDENTIALS, ...) or start a process (`az` and `azd` with check_output, `pwsh` with
Popen). Through host/commands they read the effective environment, settings-file env blocks
included, as the client's library reads the client's process environment, and their processes
run bounded and are killed with their children."""

_NOT_IN_THE_CLIENTS_CHAIN = (
    "exclude_shared_token_cache_credential",
    "exclude_visual_studio_code_credential",
    "exclude_broker_credential",
    "exclude_interactive_browser_credential",
)
"""Python's DefaultAzureCredential has members the client's (JavaScript) chain has not: its
failure lists Environment, Managed Identity, Azure CLI, PowerShell and Azure Developer CLI
only (tests/facts/foundry.md). A token from one of these would be one the client never gets."""


@dataclass(frozen=True)
class Minted:
    """An Entra ID token from Azure's credential chain and when it expires."""

    expires_on: int
    token: str = field(repr=False)
    """Sent to the resource as the client would; never reported."""


@dataclass(frozen=True)
class NotMinted:
    """Why Azure's credential chain gave no token, and whether it ran out of time."""

    text: str
    """The chain's own explanation, one line per credential it tried."""
    timed_out: bool = False

    def said_by(self, credentials: tuple[str, ...]) -> str:
        """What the named credentials of the chain said (its lines "\tName: why"), else the
        explanation's first line."""
        lines = [line.strip() for line in self.text.splitlines()]
        said = [line for line in lines if line.split(":", 1)[0] in credentials]
        return "; ".join(said) or (lines[0] if lines else "")


def mint(timeout: float, environ: Mapping[str, str], managed_identity: bool) -> Minted | NotMinted:
    """Ask the chain once, reading `environ` (the effective environment); abandoned after
    `timeout` seconds whatever it is waiting on. `managed_identity` is the offline verdict
    (credentials.foundry's): without one the client's probe of IMDS finds nothing, so
    ManagedIdentityCredential is left out rather than let it ask 169.254.169.254 from here."""
    identity: Any = importlib.import_module("azure.identity")
    # The chain logs its failure as a warning; without a handler Python would print it on
    # stderr, in the middle of the report. The failure itself is what NotMinted carries.
    logging.getLogger("azure.identity").addHandler(logging.NullHandler())

    modules = _library_modules()
    options = dict.fromkeys(_NOT_IN_THE_CLIENTS_CHAIN, True)
    if not managed_identity:
        options["exclude_managed_identity_credential"] = True

    def ask() -> Minted | NotMinted:
        # A CLI must end before the step does, so that the chain's answer, not a bare time-out,
        # is what gets told.
        with library_processes(modules, timeout * 0.8, environ=environ) as bounded:
            try:
                credential = identity.DefaultAzureCredential(
                    process_timeout=max(1, int(timeout)), **options
                )
                token = credential.get_token(foundry.TOKEN_SCOPE)
            except Exception as error:  # the library raises its own and its transports' errors
                if bounded.killed:
                    return NotMinted(_overstayed(bounded), timed_out=True)
                return NotMinted(str(error).strip() or type(error).__name__)
        return Minted(int(token.expires_on), str(token.token))

    try:
        return background(ask).result(timeout=timeout)
    except FutureTimeout:
        return NotMinted(f"no token within {timeout:.0f} s", timed_out=True)


def _overstayed(bounded: LibraryScope) -> str:
    commands = ", ".join(f"`{_program(c)}`" for c in bounded.killed)
    return f"{commands} did not finish within {bounded.seconds:.1f} s and was killed"


def _program(command: str) -> str:
    """The program a command runs: `pwsh` for PowerShell's `/bin/sh -c "pwsh ..."`."""
    try:
        words = shlex.split(command)
        if len(words) > 2 and words[1] == "-c":
            words = shlex.split(words[2])
    except ValueError:
        words = command.split()
    return words[0].rsplit("/", 1)[-1] if words else command


def _library_modules() -> list[Any]:
    """The modules of _LIBRARY_MODULES this azure-identity has. A release that moved one would
    leave what it reads or starts unscoped; test_hostile_processes and test_foundry notice."""
    found = []
    for name in _LIBRARY_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            continue
    return found
