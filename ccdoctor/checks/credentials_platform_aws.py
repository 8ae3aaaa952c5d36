"""credentials.platform_aws — which credential Claude Code sends to Claude Platform on AWS:
its API key, or a SigV4 signature from the AWS credential chain."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.redact import fingerprint
from ccdoctor.core.results import Category, Fix, Outcome, failed, passed
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.knowledge.credential_text import credential_text_problem
from ccdoctor.spec import check


@check(
    id="credentials.platform_aws",
    title="Claude Platform on AWS credentials",
    category=Category.CREDENTIALS,
    description="Which credential Claude Code sends to Claude Platform on AWS (its API key, or "
    "AWS credentials it signs with) and whether one can be found.",
    explain=f"""
With CLAUDE_CODE_USE_ANTHROPIC_AWS, Claude Code sends {known.AWS_API_KEY_VARIABLE} as
`x-api-key` when it is set; otherwise it signs every request with SigV4 (service
{known.AWS_SIGV4_SERVICE}) from the AWS credential chain — environment keys, profile, SSO, role,
process, container or instance credentials — as boto3 finds them; under
{known.AWS_SKIP_AUTH_VARIABLE} it sends neither (a gateway adds them). Observed on 2.1.332: with
no key and no AWS credentials it stops with "Could not load AWS credentials · Could not load
credentials from any providers". This check looks for the credential without sending it; the
first request (models and reachability checks) proves it. Secrets never appear in the report.
""",
    # The client refuses a bad endpoint or a missing workspace before it looks for credentials
    # (observed), so a failure there is the one to name.
    needs=("region.platform_aws",),
    providers=[Provider.ANTHROPIC_AWS],
)
def anthropic_aws_credentials_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    if config.truthy(known.AWS_SKIP_AUTH_VARIABLE):
        return passed(
            f"none sent: {known.AWS_SKIP_AUTH_VARIABLE} leaves the credential to a gateway",
            kind="skipped",
        )
    key = config.get(known.AWS_API_KEY_VARIABLE)
    if key is not None:
        fault = credential_text_problem(key)
        if fault is not None:
            return failed(
                f"{known.AWS_API_KEY_VARIABLE} {fault}",
                Fix(
                    f"Set {known.AWS_API_KEY_VARIABLE} to the key exactly as the console showed "
                    "it, without quotes or line breaks.",
                    (f"export {known.AWS_API_KEY_VARIABLE}='<your key>'",),
                ),
                kind="api-key",
            )
        return passed(
            f"{known.AWS_API_KEY_VARIABLE} ({fingerprint(key.strip())}) sent as x-api-key",
            kind="api-key",
            source=known.AWS_API_KEY_VARIABLE,
        )
    # Imported here: only a run on this route pays for loading the AWS chain's code.
    from ccdoctor.providers.bedrock.credentials import find_aws_credentials

    found = find_aws_credentials(config, bedrock=False)
    details = {**found.details, "kind": "sigv4"}
    if found.method is None:
        # The chain's own verdict names Bedrock's key; this route has a key of its own.
        return failed(
            f"neither {known.AWS_API_KEY_VARIABLE} nor any AWS credentials are set: Claude Code "
            f'stops with "{known.AWS_NO_CREDENTIALS}"',
            Fix(
                f"Export the Claude Platform on AWS API key as {known.AWS_API_KEY_VARIABLE}, or "
                "sign in to AWS so the SDK finds credentials.",
                (f"export {known.AWS_API_KEY_VARIABLE}='<your key>'", "aws sso login"),
            ),
            **details,
        )
    summary = f"SigV4 ({known.AWS_SIGV4_SERVICE}) with {found.summary}{found.unchecked}"
    return Outcome.from_problems(found.offline_problems(), summary, details)
