"""credentials.foundry — which credential Claude Code sends to Microsoft Foundry, and whether the
resource (or, for Entra ID, Azure's credential chain) accepts it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.redact import fingerprint
from ccdoctor.core.results import Category, Fix, Outcome, failed, passed, warned
from ccdoctor.knowledge import foundry
from ccdoctor.spec import Cost, check

if TYPE_CHECKING:
    from ccdoctor.providers.foundry.credentials import FoundryCredential


@check(
    id="credentials.foundry",
    title="Foundry credentials",
    category=Category.CREDENTIALS,
    description="Which credential Claude Code sends to Microsoft Foundry (Entra ID token, API "
    "key, or Azure's credential chain) and whether it is accepted (free call).",
    explain=f"""
With CLAUDE_CODE_USE_FOUNDRY, Claude Code 2.1.332 sends, in this order:
{foundry.AUTH_TOKEN_VARIABLE} as `Authorization: Bearer`; else {foundry.API_KEY_VARIABLE} as
`x-api-key`; else nothing under
{foundry.SKIP_AUTH_VARIABLE} (a gateway adds the credential); else an Entra ID token for
{foundry.TOKEN_SCOPE} from Azure's DefaultAzureCredential chain (environment service principal,
workload identity, managed identity, Azure CLI, Azure PowerShell, Azure Developer CLI). A stray
CLAUDE_CODE_USE_FOUNDRY=1 with none of them ends in "Could not load Azure credentials · …
{foundry.CHAIN_FAILED}".

A key or token is proven with a free call: the client's Messages request with an empty
conversation, which Azure authenticates before the model refuses the body (no token is
generated); a 401 means the key belongs to another resource or the token expired. For the chain,
this check first looks for any source it could use (the AZURE_* variables, a managed identity, `az`,
`azd` or `pwsh` on PATH): with none the client fails, and so does this check. When there is one,
it asks the same chain for a token with azure-identity, the optional extra
`{foundry.AZURE_EXTRA}`; without it the check warns that it could not. Secrets never appear in
the report.
""",
    providers=[Provider.FOUNDRY],
    cost=Cost.FREE_CALL,
)
def foundry_credentials_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.providers.foundry.credentials import Kind, foundry_credential

    credential = foundry_credential(ctx.config)
    details: dict[str, object] = {"kind": credential.kind.value, "source": credential.variable}
    if credential.kind is Kind.TOKEN and ctx.config.get(foundry.API_KEY_VARIABLE):
        details["unused"] = f"{foundry.API_KEY_VARIABLE} (the token wins)"
    if credential.kind is Kind.SKIPPED:
        return passed(credential.described, **details)
    if credential.kind is Kind.CHAIN:
        return _chain(ctx, details)
    assert credential.value is not None
    details["fingerprint"] = fingerprint(credential.value)
    return _proven(ctx, credential, details)


def _proven(
    ctx: CheckContext, credential: FoundryCredential, details: dict[str, object]
) -> Outcome:
    from ccdoctor.providers.foundry import advice, live

    if ctx.options.offline:
        return passed(f"{credential.described}; not proven offline", **details)
    found = live.target(ctx)
    if isinstance(found, str):
        return passed(f"{credential.described}; not proven: {found}", **details)
    reading = live.free_call(ctx, found, ctx.config.main_model.model_id)
    details["request"] = reading.url
    details["status"] = reading.status
    host = found.endpoint.base.split("://", 1)[-1].split("/", 1)[0]
    if reading.verdict is live.Verdict.AUTH_REJECTED:
        return failed(
            f"{host} rejects the {credential.described}: HTTP {reading.status} "
            f"{reading.server_says}".strip(),
            advice.rejected_fix(credential),
            **details,
        )
    if reading.verdict in (live.Verdict.WRONG_PATH, live.Verdict.REFUSED):
        return passed(
            f"{credential.described}; not proven: {host} answered "
            f"{reading.status or reading.server_says} before checking it (see models.foundry)",
            **details,
        )
    return passed(f"{credential.described}, accepted by {host} (free call)", **details)


def _chain(ctx: CheckContext, details: dict[str, object]) -> Outcome:
    from ccdoctor.providers.foundry import advice, entra, live

    sources = live.sources(ctx)
    details["chain_sources"] = sources.described()
    unset = f"neither {foundry.API_KEY_VARIABLE} nor {foundry.AUTH_TOKEN_VARIABLE} is set"
    if not sources.any:
        return failed(
            f"no Foundry credential: {unset}, and Azure's credential chain has no source here "
            "(no service principal, managed identity, or az/azd/pwsh sign-in): Claude Code "
            f'fails with "{foundry.CHAIN_FAILED}"',
            advice.no_credential_fix(),
            **details,
        )
    lead = f"{unset}: Entra ID through Azure's credential chain ({sources.described()})"
    if ctx.options.offline:
        return passed(f"{lead}; no token asked offline", **details)
    token = live.minted(ctx)
    if token is None:
        return warned(
            f"{lead}; could not check it: azure-identity is not installed",
            Fix(
                "Install the Azure extra so ccdoctor can ask the chain for a token as the "
                "client does.",
                (foundry.AZURE_EXTRA,),
            ),
            **details,
        )
    if isinstance(token, entra.NotMinted):
        details["chain_error"] = token.text
        if token.timed_out:
            return warned(f"{lead}; could not check it: {token.text}", None, **details)
        said = token.said_by(sources.credential_names())
        return failed(f"{lead}; it gives no token: {said}", advice.no_credential_fix(), **details)
    return passed(f"{lead}; a token for {foundry.TOKEN_SCOPE} was minted", **details)
