"""The loopback server the learner points the client at: it records every request and answers
a Messages call the way the API does (a streamed reply when asked to stream), so the client
finishes its run normally, and refuses every model on the cloud routes (Bedrock's 403
AccessDeniedException, Vertex's 404 "not found or your project does not have access"), the
answers that make the client ask the next model of its fallback chain. Told to, it plays a
strict gateway that refuses one beta or one body field (ccdoctor/learn/strict.py). It listens
on 127.0.0.1 only, on a port the system picks."""

from __future__ import annotations

import json
import re
import secrets
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from ccdoctor.clients.request_shape import betas_of
from ccdoctor.learn.strict import FIELD_TEXTS, UNEXPECTED_BETA, carried_at

LOOPBACK = "127.0.0.1"
_BODY_CAP = 8 * 1024 * 1024
"""The client's first request carries its system prompt and tools, a few hundred kB; more
than this is not a request worth reading."""
_REPLY = "hi"
_BEDROCK_RUNTIME = re.compile(r"/model/(?P<model>[^/]+)/(?:invoke|invoke-with-response-stream)")
_VERTEX_PREDICT = re.compile(
    r"/v1/projects/[^/]+/locations/[^/]+/publishers/anthropic/models/"
    r"(?P<model>[^/:]+):(?:rawPredict|streamRawPredict)"
)


def bedrock_model(request: Recorded) -> str | None:
    """The model of a Bedrock runtime call, decoded (`…-v1:0` travels as `…-v1%3A0`)."""
    found = _BEDROCK_RUNTIME.fullmatch(request.route)
    return urllib.parse.unquote(found["model"]) if found and request.method == "POST" else None


def vertex_model(request: Recorded) -> str | None:
    """The model of a Vertex prediction; token counting (`count-tokens`) is not one."""
    found = _VERTEX_PREDICT.fullmatch(request.route)
    if not found or request.method != "POST" or found["model"] == "count-tokens":
        return None
    return found["model"]


@dataclass(frozen=True)
class Recorded:
    """One request the client sent to a fake server while ccdoctor learned from it."""

    method: str
    path: str
    """As sent, query included (`/v1/messages?beta=true`)."""
    headers: Mapping[str, str]
    """Lower-case names."""
    body: Any
    """The parsed JSON body; None when there is none or it is not JSON."""

    @property
    def route(self) -> str:
        return self.path.split("?", 1)[0]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Refusing:
    """What the recorder answers with 400 on the Messages API, as a strict gateway does, while
    the request carries it."""

    beta: str | None = None
    field: str | None = None
    """A key of ccdoctor/learn/strict.py FIELD_TEXTS."""

    def refusal(self, request: Recorded) -> str | None:
        if self.beta is not None and self.beta in betas_of(request.header("anthropic-beta")):
            return UNEXPECTED_BETA.format(betas=self.beta)
        body = request.body
        if self.field is not None and isinstance(body, dict):
            index = carried_at(body, self.field)
            if index is not None:
                return FIELD_TEXTS[self.field].format(index=index)
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: Recorder


class Recorder:
    """`with Recorder() as recorder:` serves until the block ends; `recorder.requests` is what
    arrived, in order."""

    def __init__(self, refusing: Refusing | None = None) -> None:
        self.refusing = refusing or Refusing()
        self._lock = threading.Lock()
        self._requests: list[Recorded] = []
        self._server = _Server((LOOPBACK, 0), _Handler)
        self._server.recorder = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    @property
    def requests(self) -> tuple[Recorded, ...]:
        with self._lock:
            return tuple(self._requests)

    def record(self, request: Recorded) -> None:
        with self._lock:
            self._requests.append(request)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)


class QuietHandler(BaseHTTPRequestHandler):
    """A loopback handler that speaks HTTP/1.1, writes nothing to the terminal (the requests it
    records are the data) and answers GET and POST with `_serve` (one that answers HEAD adds
    it). The test suite's fake providers are built on it too."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the client's requests are data, not lines on ccdoctor's terminal."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        raise NotImplementedError


def send_chunked(handler: BaseHTTPRequestHandler, chunks: Iterable[bytes]) -> None:
    """Ends the head (the status and other headers already sent) and streams `chunks` with
    chunked transfer encoding, each written as it comes: a stream the reader sees arrive."""
    handler.send_header("transfer-encoding", "chunked")
    handler.end_headers()
    for chunk in chunks:
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.flush()
    handler.wfile.write(b"0\r\n\r\n")
    handler.wfile.flush()


def send_sse(
    handler: BaseHTTPRequestHandler,
    events: Iterable[tuple[str, Any]],
    cache_control: str | None = "no-cache",
) -> None:
    """Server-sent events, (event name, JSON data) each, as the Messages API streams them."""
    handler.send_header("content-type", "text/event-stream; charset=utf-8")
    if cache_control is not None:
        handler.send_header("cache-control", cache_control)
    send_chunked(
        handler, (f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events)
    )


def parse_json(raw: bytes) -> Any:
    """The parsed JSON body; None when there is none or it is not JSON."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


class _Handler(QuietHandler):
    server: _Server

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(min(length, _BODY_CAP)) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Recorded(self.command, self.path, headers, parse_json(raw))
        self.server.recorder.record(request)
        body = request.body if isinstance(request.body, dict) else {}
        api = self.command == "POST" and request.route.startswith("/v1/messages")
        if api and (refusal := self.server.recorder.refusing.refusal(request)):
            self._json(400, _error("invalid_request_error", refusal))
        elif self.command == "POST" and request.route == "/v1/messages":
            model = str(body.get("model", ""))
            if body.get("stream") is True:
                self._stream(_events(model))
            else:
                self._json(200, _message(model))
        elif self.command == "POST" and request.route == "/v1/messages/count_tokens":
            self._json(200, {"input_tokens": 1})
        elif bedrock_model(request) is not None:
            denied = "You don't have access to the model with the specified model ID."
            self._json(
                403,
                {"__type": "AccessDeniedException", "message": denied},
                {"x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/coral/"},
            )
        elif vertex_model(request) is not None:
            missing = (
                f"Publisher Model `{request.route.split(':')[0]}` was not found or your project "
                "does not have access to it."
            )
            self._json(404, {"error": {"code": 404, "message": missing, "status": "NOT_FOUND"}})
        elif _VERTEX_PREDICT.fullmatch(request.route):
            self._json(200, {"input_tokens": 1})
        else:
            # What the API answers for a path it does not serve; the client's HEAD warm-up
            # takes any answer.
            self._json(404, _error("not_found_error", "Not found"))

    def _json(
        self, status: int, data: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("request-id", "req_learn_" + secrets.token_hex(8))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _stream(self, events: Iterator[dict[str, Any]]) -> None:
        self.send_response(200)
        self.send_header("request-id", "req_learn_" + secrets.token_hex(8))
        send_sse(self, ((event["type"], event) for event in events))


def _usage(output_tokens: int) -> dict[str, int]:
    return {
        "input_tokens": 1,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
    }


def _message(model: str) -> dict[str, Any]:
    return {
        "id": "msg_learn_" + secrets.token_hex(8),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": _REPLY}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": _usage(1),
    }


def _events(model: str) -> Iterator[dict[str, Any]]:
    """The server-sent events of `_message`, in the API's order."""
    start = {**_message(model), "content": [], "stop_reason": None, "usage": _usage(1)}
    yield {"type": "message_start", "message": start}
    yield {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    yield {"type": "ping"}
    delta = {"type": "text_delta", "text": _REPLY}
    yield {"type": "content_block_delta", "index": 0, "delta": delta}
    yield {"type": "content_block_stop", "index": 0}
    end = {"stop_reason": "end_turn", "stop_sequence": None}
    yield {"type": "message_delta", "delta": end, "usage": {"output_tokens": 1}}
    yield {"type": "message_stop"}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}
