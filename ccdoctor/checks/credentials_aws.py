"""credentials.aws — which source of the AWS credential chain will sign Claude Code's Bedrock
requests and whether it can work: judged from files and variables alone, then (unless --offline)
by making the chain produce credentials and asking STS whose they are."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, Status
from ccdoctor.spec import Cost, check


@check(
    id="credentials.aws",
    title="AWS credentials",
    category=Category.CREDENTIALS,
    description="Which AWS credential source will sign Claude Code's Bedrock requests (API key, "
    "environment keys, profile, SSO, role, process, container or instance), whether it can "
    "work, and (unless --offline) whether AWS accepts it and whose identity it is.",
    explain="""
With CLAUDE_CODE_USE_BEDROCK, Claude Code sends a Bedrock API key from AWS_BEARER_TOKEN_BEDROCK
when one is set (it wins over every other credential); else it uses the credentials printed by the
awsCredentialExport command when that setting exists; else it signs with the AWS SDK's default
chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then the profile named by AWS_PROFILE (or
"default") in ~/.aws/credentials and ~/.aws/config — assumed role, web identity, IAM Identity
Center (SSO), static keys, `aws login`, credential_process — then container credentials and the
EC2 instance role. When nothing supplies credentials the client sends nothing, retries for about
three minutes and prints "Could not load credentials from any providers"; ccdoctor says so at once.

Offline, this check names the source that wins and reads what it can: half-set environment keys, a
temporary ASIA key without AWS_SESSION_TOKEN, environment keys silently beating AWS_PROFILE, a
profile that does not exist, an SSO login whose cached token has expired or is about to
(~/.aws/sso/cache), a missing web-identity token file or credential_process program, and a Bedrock
API key that has expired or was created for another region (short-term keys work only in their
own region).

Online (the default), it then makes the chain really produce credentials — SSO and assumed roles
resolve lazily, so an expired SSO session shows only here; container and instance credentials are
fetched; an awsCredentialExport command is run as the client runs it — and asks STS whose they
are (sts:GetCallerIdentity needs no permission and cannot be denied): the account and principal go
into the details, an unknown key, a wrong secret or expired session credentials fail, and the
clock is compared with AWS's (SigV4 fails beyond 5 minutes of skew). STS does not take Bedrock
API keys: a key is proven by Bedrock's own ListInferenceProfiles instead. STS is a call the client
never makes, so when it cannot be reached (a network without a route to STS) that is only a
warning.

Typical fixes: `aws sso login --profile P`; unset the environment keys or AWS_PROFILE; fix the
profile name; re-export keys that belong together; sync the clock; export AWS_REGION to the key's
region or create a key in the region you use.
""",
    providers=[Provider.BEDROCK],
    cost=Cost.FREE_CALL,
)
def aws_credentials_check(ctx: CheckContext) -> Outcome:
    # Imported here, not at the top: only a Bedrock run pays for loading the provider's code.
    from ccdoctor.providers.bedrock.credentials import find_aws_credentials

    # The offline verdict alone under --offline, and when it already fails: the client would
    # not get further, and live calls would only hang where it hangs.
    found = find_aws_credentials(ctx.config)
    if ctx.options.offline or any(p.status is Status.FAIL for p in found.problems):
        summary = found.summary + found.unchecked
        return Outcome.from_problems(found.offline_problems(), summary, found.details)
    from ccdoctor.providers.bedrock.live import live_identity

    identity = live_identity(ctx)
    return Outcome.from_problems(
        (*found.problems, *identity.problems),
        found.summary + identity.summary,
        {**found.details, **identity.details},
    )
