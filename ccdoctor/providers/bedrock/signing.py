"""SigV4 with the AWS credential chain's credentials, for the routes besides Bedrock that sign as
the client signs: Mantle (`bedrock-mantle`) and Claude Platform on AWS (`aws-external-anthropic`).
Claude Platform reaches this through its check, which hands the signer to that route's code."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.providers.bedrock.aws import AwsError, SigningKeys, sigv4_headers
from ccdoctor.providers.bedrock.live import Budget, link
from ccdoctor.wire.compatible import Signer


def chain_signer(ctx: CheckContext, service: str, region: str, subject: str) -> Signer | str:
    """A signer for `service` in `region`, or why there is none (`subject` names the check that
    judges the chain, for the reader)."""
    budget = Budget(ctx)
    credentials = ctx.once("aws:chain-credentials", lambda: link(ctx).credentials(budget.left()))
    if isinstance(credentials, AwsError):
        return f"the AWS credential chain failed ({credentials.code}; see {subject})"
    ctx.redactor.add(credentials.secret_key, "aws_secret_access_key")
    ctx.redactor.add(credentials.token, "aws_session_token")
    keys = SigningKeys(credentials.access_key, credentials.secret_key, credentials.token)
    return lambda url, body, headers: sigv4_headers(
        keys, service, region, "POST", url, body, headers
    )
