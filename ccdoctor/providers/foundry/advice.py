"""The fixes for what Foundry refuses, in the user's terms: which variable, which command."""

from __future__ import annotations

from ccdoctor.core.results import Fix
from ccdoctor.knowledge import foundry
from ccdoctor.providers.foundry.credentials import FoundryCredential, Kind

TOKEN_COMMAND = (
    "az account get-access-token --resource https://cognitiveservices.azure.com "
    "--query accessToken -o tsv"
)
ROLE_COMMAND = (
    f'az role assignment create --assignee "$(az ad signed-in-user show --query id -o tsv)" '
    f'--role "{foundry.ROLE}" --scope <resource id>'
)


def no_credential_fix() -> Fix:
    return Fix(
        f"Give Claude Code a Foundry credential: the resource's key ({foundry.KEYS_PAGE}) in "
        f"{foundry.API_KEY_VARIABLE}, or an Entra ID sign-in (`az login`; your account needs "
        f'the "{foundry.ROLE}" role on the resource).',
        (f"export {foundry.API_KEY_VARIABLE}=<key>", "az login"),
    )


def rejected_fix(credential: FoundryCredential) -> Fix:
    if credential.kind is Kind.API_KEY:
        return Fix(
            f"Copy KEY 1 or KEY 2 from {foundry.KEYS_PAGE} of the resource this base URL names "
            f"into {foundry.API_KEY_VARIABLE} (a key of another resource is refused the same way).",
            (f"export {foundry.API_KEY_VARIABLE}=<key>",),
        )
    if credential.kind is Kind.TOKEN:
        return Fix(
            f"{foundry.AUTH_TOKEN_VARIABLE} is expired or not for Azure AI services: mint a fresh "
            f"one (Entra ID tokens last about an hour), or unset it to let the client use "
            f"{foundry.API_KEY_VARIABLE} or your Azure sign-in.",
            (f"export {foundry.AUTH_TOKEN_VARIABLE}=$({TOKEN_COMMAND})",),
        )
    return Fix(
        f'The signed-in principal has no access to the resource: give it the "{foundry.ROLE}" '
        f"role there (or set {foundry.API_KEY_VARIABLE}).",
        (ROLE_COMMAND,),
    )
