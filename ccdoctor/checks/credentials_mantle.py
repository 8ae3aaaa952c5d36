"""credentials.mantle — which AWS credential Claude Code signs its Mantle requests with, judged
from files and variables (tests/facts/mantle_gateway.md)."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status
from ccdoctor.knowledge.mantle import API_KEY_VARIABLE as API_KEY
from ccdoctor.knowledge.mantle import SKIP_AUTH_VARIABLE as SKIP_AUTH
from ccdoctor.spec import check

NO_CREDENTIALS = (
    "API Error: Could not load AWS credentials · Could not load credentials from any providers. "
    "Check or refresh your AWS credentials and try again."
)
"""What 2.1.332 prints when the chain finds nothing (2.1.197: the part after the `·`)."""


@check(
    id="credentials.mantle",
    title="Mantle credentials",
    category=Category.CREDENTIALS,
    providers=[Provider.MANTLE],
    description="Which AWS credential Claude Code signs its Bedrock Mantle requests with "
    "(Bedrock API key or the AWS SDK chain), judged from files and variables.",
    explain="""
With CLAUDE_CODE_USE_MANTLE, Claude Code sends AWS_BEARER_TOKEN_BEDROCK as a bearer when it is
set; otherwise it signs each request with SigV4 for the service bedrock-mantle, with the
credentials of the AWS SDK's default chain (environment keys, the AWS_PROFILE profile, SSO,
roles, credential_process, container and instance credentials), as for Bedrock.
CLAUDE_CODE_SKIP_MANTLE_AUTH sends no credentials (a gateway adds them). With nothing in the
chain the client stops with "Could not load AWS credentials · Could not load credentials from
any providers".

This check names the source from files and variables only; models.mantle then signs the
client's own request with it, which proves whether Mantle accepts it.

Typical fixes: `aws sso login --profile P`; export AWS_PROFILE or the access keys; set
AWS_BEARER_TOKEN_BEDROCK to a Bedrock API key.
""",
)
def mantle_credentials_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    if config.truthy(SKIP_AUTH):
        return Outcome(
            Status.PASS, f"skipped: {SKIP_AUTH} is set, the endpoint supplies credentials"
        )
    if config.get(API_KEY):
        return Outcome(Status.PASS, f"Bedrock API key from {API_KEY}, sent as a bearer")
    # Imported here: only a Mantle run pays for loading the AWS chain's code.
    from ccdoctor.providers.bedrock.credentials import find_aws_credentials

    found = find_aws_credentials(config, bedrock=False)
    if found.method is None:
        problem = Problem(
            Status.FAIL,
            f"no AWS credentials for Mantle: Claude Code stops with '{NO_CREDENTIALS}'",
            Fix(
                "Give the AWS SDK a credential: sign in (`aws sso login`), export AWS_PROFILE or "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or set AWS_BEARER_TOKEN_BEDROCK.",
                ("aws sso login",),
            ),
        )
        return Outcome.from_problems((problem,), "", found.details)
    return Outcome.from_problems(
        found.offline_problems(), f"{found.summary} (SigV4 for bedrock-mantle)", found.details
    )
