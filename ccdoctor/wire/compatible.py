"""One Messages request to an Anthropic-compatible cloud endpoint (Claude Platform on AWS and on
Google Cloud, Bedrock Mantle), shaped as the client sends it, and what its answer means."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ccdoctor.context import CheckContext
from ccdoctor.net.client import HttpFailure
from ccdoctor.wire.messages import messages_body

ANTHROPIC_VERSION = "2023-06-01"

Signer = Callable[[str, bytes, Mapping[str, str]], Mapping[str, str]]
"""Given the URL, the body and the headers, the headers to send (SigV4 signs all three)."""


class Verdict(enum.StrEnum):
    OK = "ok"
    AUTH_REJECTED = "auth_rejected"
    NOT_SERVED = "not_served"
    BUSY = "busy"
    REFUSED = "refused"


@dataclass(frozen=True)
class Reading:
    """What the answer to a Messages request means: the URL, the verdict, the status and the
    server's words."""

    url: str
    verdict: Verdict
    status: int | None
    server_says: str


def post_messages(
    ctx: CheckContext,
    url: str,
    headers: Mapping[str, str],
    model: str,
    sign: Signer | None = None,
) -> Reading:
    """Made once per run for each URL and model, whichever checks ask."""
    return ctx.once(
        f"compatible.invoke.{url}.{model}", lambda: _post(ctx, url, headers, model, sign)
    )


def _post(
    ctx: CheckContext, url: str, headers: Mapping[str, str], model: str, sign: Signer | None
) -> Reading:
    body = json.dumps(messages_body(model)).encode()
    sent = {"content-type": "application/json", **headers}
    if sign is not None:
        sent = dict(sign(url, body, sent))
    answer = ctx.network.request("POST", url, ctx.step_timeout(), sent, content=body)
    if isinstance(answer, HttpFailure):
        return Reading(url, Verdict.REFUSED, None, ctx.redactor.scrub(answer.detail))
    status = answer.status
    data = answer.json()
    error = data.get("error") if isinstance(data, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    said = " ".join(str(message or "").split())[:300] if status != 200 else ""
    if status == 200:
        verdict = Verdict.OK
    elif status in (401, 403):
        verdict = Verdict.AUTH_REJECTED
    elif status == 404:
        verdict = Verdict.NOT_SERVED
    elif status in (429, 529):
        verdict = Verdict.BUSY
    else:
        verdict = Verdict.REFUSED
    return Reading(url, verdict, status, ctx.redactor.scrub(said))
