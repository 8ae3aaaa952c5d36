"""Requests shaped like the client's on the Anthropic route, and what their answers mean."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.knowledge.env_vars import custom_header_lines
from ccdoctor.wire import replay
from ccdoctor.wire import requests as shape

if TYPE_CHECKING:
    from ccdoctor.net.client import HttpAnswer


@dataclass(frozen=True)
class Credential:
    """A credential as the client sends it: which headers carry which value."""

    source: str
    headers: tuple[str, ...]
    value: str


def request_headers(
    config: ResolvedConfig, credentials: Iterable[Credential], one_million: bool = False
) -> dict[str, str]:
    betas = list(
        config.facts.anthropic_betas_for(
            oauth=sends_oauth_token(config),
            experimental=not config.truthy("CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"),
        )
    )
    if one_million:
        # Where the client puts it: right after claude-code-20250219.
        betas.insert(1, shape.ONE_MILLION_BETA)
    removed, added = replay.extra_betas(config)
    betas = [b for b in betas if b not in removed] + list(added)
    extra = config.get("ANTHROPIC_BETAS")
    if extra:
        betas.extend(b.strip() for b in extra.split(",") if b.strip())
    version = ".".join(map(str, config.claude_version)) if config.claude_version else None
    headers = {
        **shape.CLIENT_HEADERS,
        "anthropic-version": shape.ANTHROPIC_VERSION,
        "anthropic-beta": ",".join(dict.fromkeys(betas)),
        "user-agent": shape.user_agent(version),
        "content-type": "application/json",
    }
    for credential in credentials:
        for label in credential.headers:
            name, value = wire_header(label, credential.value.strip())
            headers[name] = value
    headers.update(custom_headers(config.get("ANTHROPIC_CUSTOM_HEADERS")))
    return headers


def sends_oauth_token(config: ResolvedConfig) -> bool:
    """Whether the client's credential is CLAUDE_CODE_OAUTH_TOKEN: it is, unless an auth token,
    an API key or an apiKeyHelper comes first. Decided from the configuration, not from the
    credentials a request carries, because a request sent without them (a probe, the retry
    without rejected betas) must still carry the client's betas, the OAuth one included."""
    if not config.get("CLAUDE_CODE_OAUTH_TOKEN"):
        return False
    taken_first = ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY")
    return not any(config.get(name) for name in taken_first) and (
        config.setting("apiKeyHelper") is None
    )


def wire_header(label: str, value: str) -> tuple[str, str]:
    """A credential's header as it goes on the wire, from its label: `x-api-key` carries the
    value as it is, `Authorization: Bearer` carries it after the scheme."""
    name, _, scheme = label.partition(":")
    scheme = scheme.strip()
    return name.strip().lower(), f"{scheme} {value}" if scheme else value


def custom_headers(raw: str | None) -> dict[str, str]:
    """ANTHROPIC_CUSTOM_HEADERS: `Name: Value` per line; JSON files often carry a literal `\\n`."""
    if not raw:
        return {}
    found = {}
    for line in custom_header_lines(raw):
        name, sep, value = line.partition(":")
        if sep and name.strip():
            found[name.strip().lower()] = value.strip()
    return found


def messages_body(model: str, stream: bool = True) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": 1,
        "messages": [{"role": "user", "content": "ping"}],
        "stream": stream,
    }


def count_tokens_body(model: str, cache_control: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": "ping"}
    if cache_control:
        block["cache_control"] = {"type": "ephemeral"}
    return {"model": model, "messages": [{"role": "user", "content": [block]}]}


class Verdict(enum.StrEnum):
    OK = "ok"
    AUTH_REJECTED = "auth_rejected"
    UNKNOWN_MODEL = "unknown_model"
    BETA_REJECTED = "beta_rejected"
    EXTRA_INPUTS = "extra_inputs"
    WRONG_PATH = "wrong_path"
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    UPSTREAM_DOWN = "upstream_down"
    MALFORMED = "malformed"
    REDIRECT = "redirect"
    BAD_REQUEST = "bad_request"
    SERVER_ERROR = "server_error"


@dataclass(frozen=True)
class Classified:
    """What an Anthropic Messages answer means: the verdict, the status, the server's text, and
    whether LiteLLM sent it."""

    verdict: Verdict
    status: int
    server_says: str
    """The server's own error text (to be scrubbed before display)."""
    litellm: bool


_UPSTREAM_DOWN_SIGNS = (
    "cannot connect to host",
    "connection refused",
    "connecterror",
    "name or service not known",
    "upstream connect error",
    "no healthy upstream",
    "apiconnectionerror",
)


_SERVER_TEXT_CAP = 400
"""Characters of a server's error text kept for a message: enough for any real API error, short
enough that a hostile or verbose server cannot flood the report."""


def error_text(answer: HttpAnswer) -> str:
    """The server's own error message, on one line and capped."""
    return _one_line(_error_message(answer))


def _error_message(answer: HttpAnswer) -> str:
    data = answer.json()
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if isinstance(data.get("detail"), str):
            return str(data["detail"])
        if isinstance(data.get("message"), str):
            return str(data["message"])
    return answer.body


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SERVER_TEXT_CAP else flat[: _SERVER_TEXT_CAP - 1] + "…"


_UPSTREAM_HOST = re.compile(r"connect to host ([\w.\-\[\]:]+)", re.I)


def upstream_host(server_says: str) -> str | None:
    """The host:port a gateway says it could not reach (LiteLLM/aiohttp: "Cannot connect to host
    H:P ssl:…")."""
    found = _UPSTREAM_HOST.search(server_says)
    return found.group(1).rstrip(":.") if found else None


def error_type(answer: HttpAnswer) -> str:
    data = answer.json()
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        kind = data["error"].get("type")
        return kind if isinstance(kind, str) else ""
    return ""


def is_litellm(answer: HttpAnswer) -> bool:
    return any(name.startswith("x-litellm-") for name in answer.headers) or (
        error_type(answer) in ("auth_error", "no_db_connection")
    )


def classify(answer: HttpAnswer) -> Classified:
    status = answer.status
    text = error_text(answer)
    lowered = text.lower()
    kind = error_type(answer)
    litellm = is_litellm(answer)

    def result(verdict: Verdict) -> Classified:
        return Classified(verdict, status, text, litellm)

    if 300 <= status < 400:
        return Classified(Verdict.REDIRECT, status, answer.headers.get("location", ""), litellm)
    if 200 <= status < 300:
        return result(Verdict.OK if _looks_like_api(answer) else Verdict.MALFORMED)
    if status in (401, 403) or kind in ("authentication_error", "permission_error", "auth_error"):
        return result(Verdict.AUTH_REJECTED)
    if kind == "no_db_connection" or "no connected db" in lowered:
        # LiteLLM without a database answers any key but the master key this way.
        return result(Verdict.AUTH_REJECTED)
    if _mentions_rejected_beta(lowered):
        return result(Verdict.BETA_REJECTED)
    if "extra inputs are not permitted" in lowered:
        return result(Verdict.EXTRA_INPUTS)
    if _mentions_unknown_model(lowered, kind, status):
        return result(Verdict.UNKNOWN_MODEL)
    if status == 404 or status == 405:
        return result(Verdict.WRONG_PATH)
    if status == 429 or kind == "rate_limit_error":
        return result(Verdict.RATE_LIMITED)
    if status == 529 or kind == "overloaded_error":
        return result(Verdict.OVERLOADED)
    if status >= 500 and any(sign in lowered for sign in _UPSTREAM_DOWN_SIGNS):
        return result(Verdict.UPSTREAM_DOWN)
    if status >= 500:
        return result(Verdict.SERVER_ERROR)
    return result(Verdict.BAD_REQUEST)


def _mentions_rejected_beta(lowered: str) -> bool:
    """The API's "Unexpected value(s) `x` for the `anthropic-beta` header", Bedrock's "invalid
    beta flag". Both words are required: a server echoing the request's headers mentions
    anthropic-beta in any error."""
    return ("unexpected value" in lowered and "anthropic-beta" in lowered) or (
        "invalid beta flag" in lowered
    )


def _mentions_unknown_model(lowered: str, kind: str, status: int) -> bool:
    if kind == "not_found_error" and "model" in lowered:
        return True
    return "invalid model name" in lowered or (
        "model" in lowered
        and any(s in lowered for s in ("not found", "does not exist", "not_found", "unknown"))
    )


def _looks_like_api(answer: HttpAnswer) -> bool:
    content_type = answer.headers.get("content-type", "")
    if "text/event-stream" in content_type:
        # A stream of pings (or anything else) without a message is not an answer.
        return "message_start" in answer.body
    data = answer.json()
    return isinstance(data, dict) and (
        data.get("type") == "message" or "input_tokens" in data or "data" in data
    )


@dataclass(frozen=True)
class StreamShape:
    """The event names of a server-sent-event body and what is wrong with its framing."""

    events: tuple[str, ...]
    problems: tuple[str, ...]


def sse_shape(body: str) -> StreamShape:
    """The event names of a server-sent-event body, and what is wrong with its framing."""
    events: list[str] = []
    problems: list[str] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), "")
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        if not data:
            problems.append(f"event {name or '?'} has no data line")
            continue
        try:
            payload = json.loads(data)
        except ValueError:
            problems.append(f"event {name or '?'} carries data that is not JSON")
            continue
        kind = payload.get("type") if isinstance(payload, Mapping) else None
        events.append(name or str(kind))
    if events and events[0] != "message_start":
        problems.append(f"the stream starts with {events[0]}, not message_start")
    if not events:
        problems.append("no events in the stream")
    return StreamShape(tuple(events), tuple(problems))
