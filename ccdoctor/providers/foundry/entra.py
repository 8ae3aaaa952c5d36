"""An Entra ID token from azure-identity's DefaultAzureCredential, the chain the client's own
Azure library walks (environment, workload identity, managed identity, Azure CLI, PowerShell,
Azure Developer CLI), for the scope the client asks. azure-identity is the optional `[azure]`
extra: without it nothing is minted and the caller says so."""

from __future__ import annotations

import importlib
import logging
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from ccdoctor.host.commands import LibraryScope, library_processes
from ccdoctor.knowledge import foundry
from ccdoctor.net.client import background

_CLI_MODULES = ("azure_cli", "azd_cli")
"""azure-identity's credentials that start a CLI (`az`, `azd`) with subprocess.check_output:
run through host/commands, bounded and killed with their children. AzurePowerShellCredential
starts pwsh with Popen instead, which the stand-in does not cover: only the chain's own
abandonment at `timeout` bounds it."""


@dataclass(frozen=True)
class Minted:
    expires_on: int
    token: str = field(repr=False)
    """Sent to the resource as the client would; never reported."""


@dataclass(frozen=True)
class NotMinted:
    text: str
    """The chain's own explanation, one line per credential it tried."""
    timed_out: bool = False

    def said_by(self, credentials: tuple[str, ...]) -> str:
        """What the named credentials of the chain said (its lines "\tName: why"), else the
        explanation's first line."""
        lines = [line.strip() for line in self.text.splitlines()]
        said = [line for line in lines if line.split(":", 1)[0] in credentials]
        return "; ".join(said) or (lines[0] if lines else "")


def mint(timeout: float) -> Minted | NotMinted:
    """Ask the chain once; abandoned after `timeout` seconds whatever it is waiting on."""
    identity: Any = importlib.import_module("azure.identity")
    # The chain logs its failure as a warning; without a handler Python would print it on
    # stderr, in the middle of the report. The failure itself is what NotMinted carries.
    logging.getLogger("azure.identity").addHandler(logging.NullHandler())

    clis = _cli_modules()

    def ask() -> Minted | NotMinted:
        # A CLI must end before the step does, so that the chain's answer, not a bare time-out,
        # is what gets told.
        with library_processes(clis, timeout * 0.8) as bounded:
            try:
                credential = identity.DefaultAzureCredential(process_timeout=max(1, int(timeout)))
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
    commands = ", ".join(f"`{c.split()[0].rsplit('/', 1)[-1]}`" for c in bounded.killed)
    return f"{commands} did not finish within {bounded.seconds:.1f} s and was killed"


def _cli_modules() -> list[Any]:
    """The modules of _CLI_MODULES this azure-identity has. A release that moved them would
    leave its CLIs bounded only by the chain's abandonment; test_hostile_processes notices."""
    found = []
    for name in _CLI_MODULES:
        try:
            found.append(importlib.import_module(f"azure.identity._credentials.{name}"))
        except ImportError:
            continue
    return found
