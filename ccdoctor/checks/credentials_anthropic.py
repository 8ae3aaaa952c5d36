"""credentials.anthropic — which credential Claude Code will send to the Anthropic API (or the
gateway at ANTHROPIC_BASE_URL), in which header, and whether it can work."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.spec import check


@check(
    id="credentials.anthropic",
    title="Anthropic credentials",
    category=Category.CREDENTIALS,
    description="Which credential Claude Code sends to the Anthropic API or gateway, in which "
    "header, and whether its text and apiKeyHelper output can work.",
    explain="""
Claude Code sends ANTHROPIC_AUTH_TOKEN as `Authorization: Bearer` and ANTHROPIC_API_KEY as
`x-api-key` (both when both are set); without either it runs the apiKeyHelper command from the
settings and sends its output in both headers; then CLAUDE_CODE_OAUTH_TOKEN; then the claude.ai
login saved by /login (~/.claude/.credentials.json, or the macOS Keychain); then the
primaryApiKey an earlier /login left in ~/.claude.json. With none of them it stops with "Not
logged in".

This check finds the credential that wins and names the ones it shadows (the client warns "Auth
conflict" for those). It fails on a key wrapped in literal quotes or with whitespace inside (sent
as-is, answered with 401), and, when talking to api.anthropic.com directly, on a credential in the
wrong variable (an OAuth token in ANTHROPIC_API_KEY) or not shaped like an Anthropic one. Gateway
keys may have any shape. It runs apiKeyHelper as the client does (/bin/sh -c, bounded by
--timeout) and requires exit status 0 and exactly one printable-ASCII token of at most 16,384
characters (Claude Code 2.1.227 and later reject anything else, such as banner lines).

Typical fixes: export the key without quotes; move an OAuth token to CLAUDE_CODE_OAUTH_TOKEN; make
the helper print only the key to stdout and its messages to stderr; `claude /login`.
""",
    providers=[Provider.ANTHROPIC],
)
def anthropic_credentials_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.providers.anthropic.credentials import anthropic_credentials

    found = anthropic_credentials(ctx)
    winner = found.sent[0] if found.sent else None
    if winner is None:
        ok = "no credential"
    else:
        headers = " and ".join(h for c in found.sent for h in c.headers)
        sources = " and ".join(c.source for c in found.sent)
        ok = f"{sources} from {winner.origin}, sent as {headers}"
    return Outcome.from_problems(found.problems, ok, found.details)
