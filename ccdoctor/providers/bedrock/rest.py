"""Bedrock's REST-JSON operations, sent over ccdoctor's one HTTP client.

botocore would build a client per service from its service model to send what fits in the table
below: about 300 ms of CPU per run with its import, more than the whole rest of a run. The wire
here is ccdoctor.net's (the client's proxy, roots and client certificate, the same as every other
route), and botocore stays what it is the reference for: the credential chain and SigV4, loaded
only when requests are signed. The requests are the ones botocore's serializer builds for these
operations (paths, query names, headers, base64 for binary members), which is also what the
client's JavaScript SDK sends.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ccdoctor.net.client import HttpAnswer, HttpFailure, Network
from ccdoctor.net.probe import Cause
from ccdoctor.providers.bedrock import wire


@dataclass(frozen=True)
class Operation:
    """One AWS REST operation: service, method, path template, and where each parameter goes (path,
    query, header, body)."""

    service: str
    method: str
    path: str
    """With `{name}` for each parameter that goes into the path."""
    query: Mapping[str, str] = field(default_factory=dict)
    """Parameter → query-string name."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Parameter → header name."""
    raw_body: str | None = None
    """The parameter sent as the body itself; the others that remain travel as a JSON body."""
    stream: bool = False


OPERATIONS: Mapping[str, Operation] = {
    "list_inference_profiles": Operation(
        wire.CONTROL_SERVICE,
        "GET",
        "/inference-profiles",
        query={"maxResults": "maxResults", "nextToken": "nextToken", "typeEquals": "type"},
    ),
    "list_foundation_models": Operation(
        wire.CONTROL_SERVICE, "GET", "/foundation-models", query={"byProvider": "byProvider"}
    ),
    "get_foundation_model_availability": Operation(
        wire.CONTROL_SERVICE, "GET", "/foundation-model-availability/{modelId}"
    ),
    "get_inference_profile": Operation(
        wire.CONTROL_SERVICE, "GET", "/inference-profiles/{inferenceProfileIdentifier}"
    ),
    "invoke_model_with_response_stream": Operation(
        wire.RUNTIME_SERVICE,
        "POST",
        "/model/{modelId}/invoke-with-response-stream",
        headers={"contentType": "Content-Type", "accept": "X-Amzn-Bedrock-Accept"},
        raw_body="body",
        stream=True,
    ),
    "count_tokens": Operation(wire.RUNTIME_SERVICE, "POST", "/model/{modelId}/count-tokens"),
}

ANSWER_CAP = 16 * 1024 * 1024
"""A page of ListInferenceProfiles (up to 1,000 profiles with their regional model ARNs) runs
to hundreds of kilobytes; this bounds a peer that never stops sending."""

SIGNING_NAME = "bedrock"
"""Both services sign as `bedrock`."""

_SAFE = "-._~"
"""What botocore leaves unescaped in a path label: `:` of a versioned ID and `/` of an ARN are
escaped."""

_HOSTS = {
    wire.CONTROL_SERVICE: "bedrock.{region}.amazonaws.com",
    wire.RUNTIME_SERVICE: wire.RUNTIME_HOST,
}

_FAILURE_CODES = {
    Cause.CONNECT_TIMEOUT: "ConnectTimeoutError",
    Cause.HTTP_TIMEOUT: "Timeout",
    Cause.HTTP_CLOSED: "ConnectionClosedError",
    Cause.HTTP_GARBAGE: "ConnectionClosedError",
    Cause.PLAIN_TO_TLS_PORT: "ConnectionClosedError",
}
"""What a failure without an answer is called, in the names botocore gives them (the error
table classifies by these); the TLS, proxy and connection families are matched below."""


@dataclass(frozen=True)
class Request:
    """An HTTP request built for an AWS operation, ready to sign and send."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


Signer = Callable[[Request], Request]


def endpoint(service: str, region: str, base_url: str | None) -> str:
    """Where `service` is called: ANTHROPIC_BEDROCK_BASE_URL for both services when it is set
    (the client sends everything there), else the regional AWS host."""
    if base_url is not None:
        return base_url.rstrip("/")
    return "https://" + _HOSTS[service].format(region=region)


def build(operation: Operation, base: str, params: Mapping[str, Any]) -> Request:
    rest = dict(params)
    path = operation.path
    for name in list(rest):
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", quote(str(rest.pop(name)), safe=_SAFE))
    query = [
        f"{operation.query[name]}={quote(str(rest.pop(name)), safe=_SAFE)}"
        for name in list(rest)
        if name in operation.query
    ]
    headers = {operation.headers[n]: str(rest.pop(n)) for n in list(rest) if n in operation.headers}
    body: bytes | None = None
    if operation.raw_body is not None and operation.raw_body in rest:
        raw = rest.pop(operation.raw_body)
        body = raw if isinstance(raw, bytes) else str(raw).encode()
    elif operation.method == "POST":
        body = json.dumps(_jsonable(rest)).encode()
        headers.setdefault("Content-Type", "application/json")
    url = base + path + ("?" + "&".join(query) if query else "")
    return Request(operation.method, url, headers, body)


def _jsonable(value: Any) -> Any:
    """Binary members travel base64-encoded inside a JSON body."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def send(
    network: Network, request: Request, timeout: float, stream: bool
) -> tuple[Mapping[str, Any], Mapping[str, str]] | tuple[str, str, int | None, Mapping[str, str]]:
    """The answer's data and headers, or an error's (code, message, status, headers)."""
    answer = network.request(
        request.method,
        request.url,
        timeout,
        headers=request.headers,
        content=request.body,
        cap=ANSWER_CAP,
    )
    if isinstance(answer, HttpFailure):
        return _failure_code(answer), answer.detail, None, {}
    if answer.truncated and not stream:
        # Half a listing parsed as none would read as "not listed": say it was not read. A
        # stream is judged by the events that came (a peer that never stops is one of them).
        said = (
            f"the answer was cut off (over {ANSWER_CAP // 2**20} MB, or not done in {timeout:g} s)"
        )
        return "Timeout", said, None, answer.headers
    if answer.status >= 300:
        code, message = _error_of(answer)
        return code, message, answer.status, answer.headers
    if stream:
        read = read_event_stream(answer)
        if "error" in read:
            return str(read["error"]), str(read["message"]), answer.status, answer.headers
        return read, answer.headers
    data = answer.json()
    return (data if isinstance(data, Mapping) else {}), answer.headers


def _failure_code(failure: HttpFailure) -> str:
    name = failure.cause.name
    if name.startswith("TLS"):
        return "SSLError"
    if name.startswith("PROXY"):
        return "ProxyConnectionError"
    return _FAILURE_CODES.get(failure.cause, "EndpointConnectionError")


def _error_of(answer: HttpAnswer) -> tuple[str, str]:
    """The error code and message as the SDKs read them: the x-amzn-errortype header, else the
    body's __type or code (namespace and details stripped)."""
    data = answer.json()
    body = data if isinstance(data, Mapping) else {}
    raw = (
        answer.headers.get("x-amzn-errortype")
        or str(body.get("__type") or body.get("code") or body.get("Code") or "")
        or str(answer.status)
    )
    code = raw.split(":", 1)[0].rsplit("#", 1)[-1]
    message = body.get("message") or body.get("Message") or ""
    return code, str(message)


def read_event_stream(answer: HttpAnswer) -> dict[str, Any]:
    """The stream's content type and the Anthropic events it carries, framed and checked by
    botocore's event-stream decoder (the one piece of botocore a stream needs); an exception
    event ends the stream as the error it names."""
    from botocore.eventstream import EventStreamBuffer, ParserError

    events: list[str] = []
    problem: str | None = None
    buffer: Any = EventStreamBuffer()  # its stubs type the iteration wrongly (as ints)
    try:
        buffer.add_data(answer.raw)
        for message in buffer:
            headers: Mapping[str, Any] = message.headers
            kind = headers.get(":message-type")
            if kind in ("exception", "error"):
                return {
                    "error": str(headers.get(":exception-type") or headers.get(":error-code")),
                    "message": _exception_message(message.payload, headers),
                }
            if headers.get(":event-type") == "chunk":
                chunk = json.loads(message.payload or b"{}")
                payload = json.loads(base64.b64decode(chunk.get("bytes") or b"") or b"{}")
                events.append(str(payload.get("type", "?")))
            if len(events) >= _STREAM_EVENT_CAP:
                break
        if not events and answer.raw:
            problem = "ParserError: no complete event in the stream"
    except (ParserError, ValueError, UnicodeDecodeError, AttributeError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    return {
        "content_type": str(answer.headers.get("content-type", "")),
        "events": events,
        "decode_error": problem,
    }


def _exception_message(payload: bytes, headers: Mapping[str, Any]) -> str:
    try:
        data = json.loads(payload or b"{}")
    except ValueError:
        data = {}
    if isinstance(data, Mapping) and (data.get("message") or data.get("Message")):
        return str(data.get("message") or data.get("Message"))
    return str(headers.get(":error-message") or "")


_STREAM_EVENT_CAP = 64
"""A one-token answer has six or seven events; more means something else is talking."""
