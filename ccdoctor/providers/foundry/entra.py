"""An Entra ID token from azure-identity's DefaultAzureCredential, the chain the client's own
Azure library walks (environment, workload identity, managed identity, Azure CLI, PowerShell,
Azure Developer CLI), for the scope the client asks. azure-identity is the optional `[azure]`
extra: without it nothing is minted and the caller says so."""

from __future__ import annotations

import importlib
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from ccdoctor.knowledge import foundry
from ccdoctor.net.client import background


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

    def ask() -> Minted | NotMinted:
        try:
            credential = identity.DefaultAzureCredential(process_timeout=max(1, int(timeout)))
            token = credential.get_token(foundry.TOKEN_SCOPE)
        except Exception as error:  # the library raises its own and its transports' errors
            return NotMinted(str(error).strip() or type(error).__name__)
        return Minted(int(token.expires_on), str(token.token))

    try:
        return background(ask).result(timeout=timeout)
    except FutureTimeout:
        return NotMinted(f"no token within {timeout:.0f} s", timed_out=True)
