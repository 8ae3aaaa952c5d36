"""A fake Anthropic Messages API that the real Claude Code client accepts.

Serves `POST /v1/messages` (JSON, or SSE when `"stream": true`), `POST /v1/messages/count_tokens`,
`GET /v1/models[/{id}]`, optionally under a path prefix such as `/anthropic` (a gateway). The
query string is ignored, as the client sends `?beta=true`. Error bodies, status codes and headers
follow the real API, so a test can make it fail the way production does: wrong credential, model
not served, an `anthropic-beta` value it does not know (rejected by default, as the API does),
rate limit, overload, slow answers, a claude.ai OAuth token without the OAuth beta, a missing
anthropic-version or max_tokens, or (hostile) a server that echoes the request's headers —
secrets included — back in its error messages. It can also act as a gateway that is not quite the
API: no token counting, a stream answered as plain JSON, cache_control rejected, a redirect.
The bodies, error texts and stream events it sends are in fixtures/responses/anthropic/.
"""

from __future__ import annotations

import json
import secrets
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from ccdoctor.learn.recorder import Recorded, parse_json, send_sse
from ccdoctor.learn.strict import carried_at
from tests.peers import responses
from tests.peers.fake_bedrock import sigv4_signature
from tests.peers.ports import LOOPBACK
from tests.peers.server import PeerHandler, RecordingPeer, ThreadedServer

DEFAULT_API_KEY = "sk-ant-api03-fake-test-key-0000000000000000"
DEFAULT_AUTH_TOKEN = "fake-oauth-bearer-token-0000000000000000"
"""A gateway's bearer token (ANTHROPIC_AUTH_TOKEN): taken without the OAuth beta."""
DEFAULT_OAUTH_TOKEN = "sk-ant-oat01-fake-test-token-00000000000000000000"
"""A claude.ai OAuth token (CLAUDE_CODE_OAUTH_TOKEN): taken only with OAUTH_BETA, as the API
takes one."""
OAUTH_BETA = "oauth-2025-04-20"
LISTED_MODELS = (
    "claude-opus-5-5",
    "claude-opus-4-8",
    "claude-sonnet-4-5-20250929",
    "claude-sonnet-4-5",
    "claude-haiku-4-5-20251001",
)
"""What `GET /v1/models` lists when `Behaviour.models` is None (every model served)."""

KNOWN_BETAS = frozenset(
    {
        # Claude Code 2.1.197's own (observed), and what LiteLLM adds for token counting.
        "claude-code-20250219",
        "context-1m-2025-08-07",
        "interleaved-thinking-2025-05-14",
        "thinking-token-count-2026-05-13",
        "context-management-2025-06-27",
        "prompt-caching-scope-2026-01-05",
        "mid-conversation-system-2026-04-07",
        "effort-2025-11-24",
        "token-counting-2024-11-01",
        # What Claude Code 2.1.332 adds (observed).
        "per-turn-control-2026-07-01",
        "mid-conversation-tool-changes-2026-07-01",
        "advanced-tool-use-2025-11-20",
        "tool-search-tool-2025-10-19",
        "web-search-2025-03-05",
        "advisor-tool-2026-03-01",
        # What releases in between send (observed: 2.1.219-2.1.280, 2.1.293).
        "fallback-credit-2026-06-01",
        "dangerous-tool-use-2026-09-03",
        "afk-mode-2026-01-31",
        # Other public betas a client may send.
        "prompt-caching-2024-07-31",
        "output-128k-2025-02-19",
        "fine-grained-tool-streaming-2025-05-14",
        "files-api-2025-04-14",
        "computer-use-2025-01-24",
        "oauth-2025-04-20",
        # What both observed versions add when they send CLAUDE_CODE_OAUTH_TOKEN.
        "extended-cache-ttl-2025-04-11",
    }
)
"""`anthropic-beta` values the fake accepts by default; like the API, it answers any other value
with 400 "Unexpected value(s)", which is what lets a test see whether a gateway forwards the
header at all."""

ERROR_TYPES: Mapping[int, tuple[str, str]] = {
    int(status): (pair["type"], pair["message"])
    for status, pair in responses.load("anthropic", "error_types").items()
}
"""Status → (error.type, default message), as the real API pairs them."""
SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
_MESSAGES: Mapping[str, str] = responses.load("anthropic", "errors")
"""The API's error texts, by what went wrong."""
STRICT_FIELDS: Mapping[str, str] = responses.load("anthropic", "strict_fields")
"""What strict gateways answer for a body field they do not know, by field (`rejected_fields`),
in the texts users report."""


@dataclass(frozen=True)
class Behaviour:
    """How the fake answers. Frozen so that each request sees one consistent version; change it
    between requests with `FakeAnthropic.configure()`, which swaps in a new one atomically."""

    api_keys: frozenset[str] = frozenset({DEFAULT_API_KEY})
    """Accepted `x-api-key` values."""
    bearer_tokens: frozenset[str] = frozenset({DEFAULT_AUTH_TOKEN})
    """Accepted `Authorization: Bearer` tokens."""
    oauth_tokens: frozenset[str] = frozenset({DEFAULT_OAUTH_TOKEN})
    """Accepted `Authorization: Bearer` tokens that are OAuth tokens: like the API, the fake
    answers one sent without the OAUTH_BETA `anthropic-beta` with 401 "OAuth authentication is
    currently not supported."."""
    require_auth: bool = True
    models: frozenset[str] | None = None
    """Served model ids; None serves every model (and lists LISTED_MODELS)."""
    known_betas: frozenset[str] | None = KNOWN_BETAS
    """`anthropic-beta` values accepted; any other is answered with 400, as the API does. None
    accepts every value (an upstream that ignores the header)."""
    rejected_betas: frozenset[str] = frozenset()
    """`anthropic-beta` values answered with 400 even though known (a gateway's allowlist)."""
    forced_status: int | None = None
    """Answer every API call with this error status (before authentication)."""
    sigv4_secrets: Mapping[str, str] | None = None
    """Access key id → secret: every API call must carry a SigV4 signature for `sigv4_service`
    that botocore's signer agrees with, else 403 in AWS's words (Bedrock Mantle)."""
    sigv4_service: str = "bedrock-mantle"
    should_retry: bool | None = None
    """Sent as `x-should-retry` on error responses when set; `False` stops the client retrying."""
    latency: float = 0.0
    """Seconds to wait before answering each request."""
    echo_headers: bool = False
    """Hostile: put every request header into error messages, credentials and custom headers
    first, so that even a client showing only the start of an error shows them."""
    reply_text: str = "hi"
    count_tokens: bool = True
    """False: no token-counting route (404), like a gateway that does not offer it."""
    stream: bool = True
    """False: answer `"stream": true` with one JSON message, like a buffering gateway."""
    reject_cache_control: bool = False
    """Answer any `cache_control` in the body with 400 "Extra inputs are not permitted"."""
    rejected_fields: frozenset[str] = frozenset()
    """Body fields (keys of STRICT_FIELDS) answered with 400 in a strict gateway's words."""
    spawn_subagent: str | None = None
    """Answer the first streamed message that offers the client's Agent tool with a `tool_use`
    of it for this `subagent_type`, once per fake: the client then runs a subagent offline."""
    spawn_workflow: bool = False
    """Answer the first streamed message that offers the client's Workflow tool with a
    `tool_use` of it, once per fake: a script running one agent, which the client runs with its
    workflow subagent model (2.1.337, observed; the tool needs a permission rule allowing it)."""
    without_thinking: frozenset[str] = frozenset()
    """Models that have no thinking: a message for one of them with `thinking` (other than
    disabled) is answered 400 "'X' does not support thinking.", as the API and gateways do."""
    redirect_to: str | None = None
    """Answer every API call with `redirect_status` to this base URL plus the request's path."""
    moved_to_prefix: bool = False
    """A gateway that moved under its prefix: an API call outside the prefix is answered with
    `redirect_status` to the same path under it (the base URL without the prefix redirects)."""
    redirect_to_self: bool = False
    """Answer every API call with `redirect_status` to its own URL (a redirect loop)."""
    redirect_status: int = 307
    """307/308 keep the method and body; 301/302/303 are what captive portals and login pages
    answer (a fetch client then sends a GET)."""
    error_padding: int = 0
    """Characters of filler appended to every error message (a verbose or hostile server)."""


@dataclass(frozen=True)
class RecordedRequest(Recorded):
    raw: bytes = b""
    """The body as it arrived (what a SigV4 signature covers)."""


@dataclass
class _Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[tuple[str, dict[str, Any]]] | None = None


class FakeAnthropic(ThreadedServer, RecordingPeer[Behaviour, RecordedRequest]):
    """Start with `with FakeAnthropic() as fake:`; `fake.url` is the base URL to configure."""

    def __init__(
        self,
        behaviour: Behaviour | None = None,
        prefix: str = "",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        ThreadedServer.__init__(self, _Handler, peer=self, ssl_context=ssl_context)
        RecordingPeer.__init__(self, behaviour or Behaviour())
        self._spawned = False
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""

    @property
    def url(self) -> str:
        return self.url_at(LOOPBACK)

    def _spawn_once(self) -> bool:
        with self._lock:
            spawned, self._spawned = self._spawned, True
            return not spawned

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self._spawned = False

    def url_at(self, host: str) -> str:
        """The base URL under another name for this host (e.g. `localhost` for TLS name tests)."""
        return f"{self.scheme}://{host}:{self.port}{self.prefix}"

    def configure(self, **changes: Any) -> None:
        """Atomically change Behaviour fields; sets given as any iterable become frozensets."""
        for name, value in changes.items():
            if isinstance(value, set | list | tuple):
                changes[name] = frozenset(value)
        super().configure(**changes)

    def requests_to(self, route: str) -> list[RecordedRequest]:
        """Recorded requests whose path (without query) ends with `route`, e.g. `/v1/messages`."""
        return [r for r in self.requests if r.route.endswith(route)]


class _Handler(PeerHandler):
    server_version = "fake-anthropic"

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake: FakeAnthropic = self.server.peer  # type: ignore[attr-defined]
        raw = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = RecordedRequest(self.command, self.path, headers, parse_json(raw), raw)
        behaviour = fake._record(request)
        if behaviour.latency > 0:
            time.sleep(behaviour.latency)
        reply = _route(request, behaviour, fake.prefix)
        if reply.stream is not None and behaviour.spawn_subagent is not None:
            tool = _agent_tool(request.body)
            if tool is not None and fake._spawn_once():
                task = {
                    "description": "look",
                    "prompt": "Say hi.",
                    "subagent_type": behaviour.spawn_subagent,
                }
                reply = _Reply(200, stream=_tool_use_events(request.body, tool, task))
        elif (
            reply.stream is not None
            and behaviour.spawn_workflow
            and WORKFLOW_TOOL in _tool_names(request.body)
            and fake._spawn_once()
        ):
            task = {"script": WORKFLOW_SCRIPT}
            reply = _Reply(200, stream=_tool_use_events(request.body, WORKFLOW_TOOL, task))
        self._send(reply, request, behaviour)

    def _send(self, reply: _Reply, request: RecordedRequest, behaviour: Behaviour) -> None:
        request_id = "req_" + secrets.token_hex(12)
        if reply.status >= 400:
            _decorate_error(reply, request, behaviour, request_id)
        self.send_response(reply.status)
        self.send_header("request-id", request_id)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream is not None:
            send_sse(self, reply.stream)
            return
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        if payload:
            self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


def _route(request: RecordedRequest, behaviour: Behaviour, prefix: str) -> _Reply:
    route = request.route
    if not route.startswith(prefix + "/"):
        if behaviour.moved_to_prefix and route.startswith("/v1/"):
            location = prefix + request.path
            return _Reply(behaviour.redirect_status, headers={"location": location})
        return _error(404, _MESSAGES["not_found"])
    route = route[len(prefix) :]
    method = request.method
    if method == "POST" and route == "/v1/messages":
        return _api(request, behaviour, _messages)
    if method == "POST" and route == "/v1/messages/count_tokens" and behaviour.count_tokens:
        return _api(request, behaviour, _count_tokens)
    if method == "GET" and route == "/v1/models":
        return _api(request, behaviour, _list_models)
    if method == "GET" and route.startswith("/v1/models/"):
        return _api(request, behaviour, _get_model)
    return _error(404, _MESSAGES["not_found"])


_Endpoint = Callable[[RecordedRequest, Behaviour], "_Reply"]


def _api(request: RecordedRequest, behaviour: Behaviour, endpoint: _Endpoint) -> _Reply:
    if behaviour.redirect_to is not None:
        location = _redirect_location(behaviour.redirect_to, request)
        return _Reply(behaviour.redirect_status, headers={"location": location})
    if behaviour.redirect_to_self:
        return _Reply(behaviour.redirect_status, headers={"location": request.path})
    if behaviour.forced_status is not None:
        return _error(behaviour.forced_status)
    if behaviour.sigv4_secrets is not None and (rejection := _sigv4_error(request, behaviour)):
        return rejection
    betas = [b.strip() for b in (request.header("anthropic-beta") or "").split(",") if b.strip()]
    if behaviour.require_auth and (rejection := _authentication_error(request, behaviour, betas)):
        return rejection
    if not request.header("anthropic-version"):
        return _error(400, _MESSAGES["version_missing"])
    bad = [
        b
        for b in betas
        if b in behaviour.rejected_betas
        or (behaviour.known_betas is not None and b not in behaviour.known_betas)
    ]
    if bad:
        return _error(400, _MESSAGES["unexpected_beta"].format(betas=", ".join(bad)))
    if behaviour.reject_cache_control and "cache_control" in json.dumps(request.body):
        path = _cache_control_path(request.body)
        return _error(400, _MESSAGES["cache_control_rejected"].format(path=path))
    strict = _strict_rejection(request.body, behaviour.rejected_fields)
    if strict is not None:
        return _error(400, strict)
    return endpoint(request, behaviour)


def _strict_rejection(body: Any, rejected: frozenset[str]) -> str | None:
    """The first rejected field `body` carries, in the words of STRICT_FIELDS."""
    if not rejected or not isinstance(body, dict):
        return None
    for name in sorted(rejected):
        index = carried_at(body, name)
        if index is not None:
            return STRICT_FIELDS[name].format(index=index)
    return None


def _redirect_location(target: str, request: RecordedRequest) -> str:
    """The same API path and query under `target`, whatever prefix the request came in under."""
    _, _, api_path = request.path.partition("/v1/")
    return f"{target.rstrip('/')}/v1/{api_path}"


def _cache_control_path(body: Any) -> str:
    """Where the first cache_control sits, in the API's error notation (messages.0.content.0)."""
    messages = body.get("messages") if isinstance(body, dict) else None
    for m, message in enumerate(messages if isinstance(messages, list) else []):
        content = message.get("content") if isinstance(message, dict) else None
        for c, block in enumerate(content if isinstance(content, list) else []):
            if isinstance(block, dict) and "cache_control" in block:
                return f"messages.{m}.content.{c}.{block.get('type', 'text')}.cache_control"
    return "cache_control"


def _authentication_error(
    request: RecordedRequest, behaviour: Behaviour, betas: list[str]
) -> _Reply | None:
    api_key = request.header("x-api-key")
    authorization = request.header("authorization") or ""
    bearer = authorization[7:] if authorization[:7].lower() == "bearer " else None
    if api_key in behaviour.api_keys or bearer in behaviour.bearer_tokens:
        return None
    if bearer is not None and bearer in behaviour.oauth_tokens:
        return None if OAUTH_BETA in betas else _error(401, _MESSAGES["oauth_not_supported"])
    if api_key is not None:
        return _error(401, _MESSAGES["api_key_invalid"])
    if bearer is not None:
        return _error(401, _MESSAGES["bearer_token_invalid"])
    return _error(401, _MESSAGES["api_key_missing"])


def _sigv4_error(request: RecordedRequest, behaviour: Behaviour) -> _Reply | None:
    authorization = request.header("authorization") or ""
    if not authorization.startswith(SIGV4_ALGORITHM + " "):
        return _error(403, _MESSAGES["sigv4_missing"])
    fields = dict(
        part.strip().split("=", 1)
        for part in authorization[len(SIGV4_ALGORITHM) + 1 :].split(",")
        if "=" in part
    )
    scope = fields.get("Credential", "").split("/")
    secrets_by_key = behaviour.sigv4_secrets or {}
    if len(scope) != 5 or scope[3] != behaviour.sigv4_service or scope[0] not in secrets_by_key:
        return _error(403, _MESSAGES["sigv4_mismatch"])
    access_key, _, region, service, _ = scope
    expected = sigv4_signature(
        request.method,
        request.path,
        request.raw,
        request.headers,
        fields.get("SignedHeaders", ""),
        (access_key, secrets_by_key[access_key], service, region),
        request.header("x-amz-date") or "",
    )
    return None if expected == fields.get("Signature") else _error(403, _MESSAGES["sigv4_mismatch"])


def _model_error(request: RecordedRequest, behaviour: Behaviour) -> _Reply | None:
    body = request.body
    if not isinstance(body, dict):
        return _error(400, _MESSAGES["body_not_an_object"])
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return _error(400, _MESSAGES["model_missing"])
    if behaviour.models is not None and model not in behaviour.models:
        return _error(404, _MESSAGES["model_not_served"].format(model=model))
    return None


def _messages(request: RecordedRequest, behaviour: Behaviour) -> _Reply:
    if rejection := _model_error(request, behaviour):
        return rejection
    if "max_tokens" not in request.body:
        return _error(400, _MESSAGES["max_tokens_missing"])
    body: dict[str, Any] = request.body
    thinking = body.get("thinking")
    thinks = isinstance(thinking, dict) and thinking.get("type") != "disabled"
    if thinks and body["model"] in behaviour.without_thinking:
        return _error(400, _MESSAGES["thinking_unsupported"].format(model=body["model"]))
    message_id = "msg_" + secrets.token_hex(12)
    input_tokens = _estimate_tokens(body)
    output_tokens = max(1, len(behaviour.reply_text) // 4)
    if body.get("stream") is True and behaviour.stream:
        return _Reply(
            200,
            stream=stream_events(
                message_id, body["model"], behaviour.reply_text, input_tokens, output_tokens
            ),
        )
    return _Reply(
        200,
        message_body(message_id, body["model"], behaviour.reply_text, input_tokens, output_tokens),
    )


AGENT_TOOLS = ("Agent", "Task")
"""The client's subagent tool, by the names its versions give it."""


WORKFLOW_TOOL = "Workflow"
WORKFLOW_SCRIPT = (
    "export const meta = {name: 'probe', description: 'one agent'}\n"
    "return await agent('Say hi.', {label: 'probe'})\n"
)
"""The smallest workflow: one agent, which asks the workflow subagent model once."""


def _tool_names(body: Any) -> list[Any]:
    tools = body.get("tools") if isinstance(body, dict) else None
    return [t.get("name") for t in tools or () if isinstance(t, dict)]


def _agent_tool(body: Any) -> str | None:
    names = _tool_names(body)
    return next((n for n in AGENT_TOOLS if n in names), None)


def _tool_use_events(
    body: dict[str, Any], tool: str, task: Mapping[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The stream of an answer that calls `tool` once with `task` as its input."""
    _, start = next(stream_events("msg_" + secrets.token_hex(12), body["model"], "", 5, 1))
    tool_id = "toolu_" + secrets.token_hex(12)
    found = [
        ("message_start", start),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "tool_use", "id": tool_id, "name": tool, "input": {}},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": json.dumps(task)},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                "usage": {"output_tokens": 1},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return iter(found)


def message_body(
    message_id: str, model: str, text: str, input_tokens: int, output_tokens: int
) -> dict[str, Any]:
    """A whole (not streamed) Messages API answer."""
    return responses.fill(
        responses.load("anthropic", "message"),
        id=message_id,
        model=model,
        text=text,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
    )


def stream_events(
    message_id: str, model: str, text: str, input_tokens: int, output_tokens: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The server-sent events of the same answer: (event name, data), the name being the data's
    type, as the API sends them."""
    events = responses.fill(
        responses.load("anthropic", "stream"),
        id=message_id,
        model=model,
        text=text,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
    )
    return ((event["type"], event) for event in events)


def _count_tokens(request: RecordedRequest, behaviour: Behaviour) -> _Reply:
    if rejection := _model_error(request, behaviour):
        return rejection
    return _Reply(200, {"input_tokens": _estimate_tokens(request.body)})


def _model_entry(model: str) -> dict[str, Any]:
    return responses.fill(responses.load("anthropic", "model"), id=model)


def _served(behaviour: Behaviour) -> list[str]:
    return sorted(behaviour.models) if behaviour.models is not None else list(LISTED_MODELS)


def _list_models(request: RecordedRequest, behaviour: Behaviour) -> _Reply:
    models = _served(behaviour)
    return _Reply(
        200,
        {
            "data": [_model_entry(m) for m in models],
            "has_more": False,
            "first_id": models[0] if models else None,
            "last_id": models[-1] if models else None,
        },
    )


def _get_model(request: RecordedRequest, behaviour: Behaviour) -> _Reply:
    model = request.route.rsplit("/", 1)[1]
    if behaviour.models is not None and model not in behaviour.models:
        return _error(404, f"model: {model}")
    return _Reply(200, _model_entry(model))


def _estimate_tokens(body: Mapping[str, Any]) -> int:
    """Roughly four characters per token over what the model would read."""
    prompt = json.dumps([body.get("system"), body.get("messages"), body.get("tools")])
    return max(1, len(prompt) // 4)


def _error(status: int, message: str | None = None) -> _Reply:
    kind, default = ERROR_TYPES.get(status, ("api_error", _phrase(status)))
    return _Reply(status, {"type": "error", "error": {"type": kind, "message": message or default}})


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _decorate_error(
    reply: _Reply, request: RecordedRequest, behaviour: Behaviour, request_id: str
) -> None:
    if isinstance(reply.body, dict):
        reply.body["request_id"] = request_id
        if behaviour.echo_headers:
            echoed = json.dumps(dict(sorted(request.headers.items(), key=_leak_first)))
            reply.body["error"]["message"] += f" (request headers: {echoed})"
        reply.body["error"]["message"] += "." * behaviour.error_padding
    if behaviour.should_retry is not None:
        reply.headers["x-should-retry"] = "true" if behaviour.should_retry else "false"
    if reply.status == 429:
        reply.headers["retry-after"] = "1"


def _leak_first(header: tuple[str, str]) -> int:
    name = header[0]
    if name in ("authorization", "x-api-key", "proxy-authorization"):
        return 0
    return 1 if name.startswith("x-") and name != "x-app" else 2
