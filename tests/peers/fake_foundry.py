"""A fake Microsoft Foundry resource: Claude behind Azure AI Services, as Claude Code 2.1.332
reaches it (observed, tests/facts/foundry.md).

The client posts the Anthropic Messages request to `{base}/v1/messages?beta=true`, where the base
is ANTHROPIC_FOUNDRY_BASE_URL as given (nothing appended) or
`https://{resource}.services.ai.azure.com/anthropic/`. The resource serves the API only under
`/anthropic`; the credential is an API key in `x-api-key` (Azure's own `api-key` header is taken
too) or an Entra ID token in `Authorization: Bearer`; the `model` is the name of a deployment.
Azure answers in its own error shape before the request reaches the model — a path it does not
serve, a wrong key or token, a deployment the resource does not have — and the model's own
(Anthropic-shaped) errors come through behind that. There is no model listing and no token
counting: the Foundry SDK the client uses has no `models` API. The texts are in
fixtures/responses/foundry/errors.json:

- resource_not_found: a base URL without /anthropic (anthropics/claude-agent-sdk-python#382,
  "404: Resource not found");
- deployment_not_found: Azure's text for an unknown deployment, with the code the client tests
  for (`error.code == "DeploymentNotFound"`, seen in the 2.1.332 bundle);
- key_invalid, token_invalid: Azure AI Services' 401 texts;
- api_not_supported: an API under /anthropic the resource does not offer
  (anthropics/claude-code#13558).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ccdoctor.learn.recorder import parse_json, send_sse
from tests.peers import responses
from tests.peers.fake_anthropic import (
    RecordedRequest,
    message_body,
    stream_events,
)
from tests.peers.ports import LOOPBACK
from tests.peers.server import PeerHandler, RecordingPeer, ThreadedServer

PREFIX = "/anthropic"
DEFAULT_KEY = "0123456789abcdef0123456789abcdef"
"""An Azure AI Services key: 32 hexadecimal characters."""
DEFAULT_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-entra-token.0000"
"""An Entra ID token for https://cognitiveservices.azure.com (ANTHROPIC_FOUNDRY_AUTH_TOKEN)."""
_ERRORS: Mapping[str, Mapping[str, Any]] = responses.load("foundry", "errors")


@dataclass(frozen=True)
class FoundryBehaviour:
    api_keys: frozenset[str] = frozenset({DEFAULT_KEY})
    bearer_tokens: frozenset[str] = frozenset({DEFAULT_TOKEN})
    require_auth: bool = True
    """False: a gateway in front of the resource that adds the credential itself
    (CLAUDE_CODE_SKIP_FOUNDRY_AUTH)."""
    deployments: frozenset[str] | None = None
    """Deployment names the resource has; None: every model name is a deployment."""
    reply_text: str = "hi"


class FakeFoundry(ThreadedServer, RecordingPeer[FoundryBehaviour, RecordedRequest]):
    """`with FakeFoundry() as fake:`; `fake.url` is ANTHROPIC_FOUNDRY_BASE_URL (with
    /anthropic), `fake.root_url` the resource without it."""

    def __init__(self, behaviour: FoundryBehaviour | None = None) -> None:
        ThreadedServer.__init__(self, _Handler, peer=self)
        RecordingPeer.__init__(self, behaviour or FoundryBehaviour())

    @property
    def root_url(self) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    @property
    def url(self) -> str:
        return self.root_url + PREFIX

    def configure(self, **changes: Any) -> None:
        for name, value in changes.items():
            if isinstance(value, set | list | tuple):
                changes[name] = frozenset(value)
        super().configure(**changes)

    def messages(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.route.endswith("/messages")]


class _Handler(PeerHandler):
    server_version = "fake-foundry"

    def _serve(self) -> None:
        fake: FakeFoundry = self.server.peer  # type: ignore[attr-defined]
        raw = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = RecordedRequest(self.command, self.path, headers, parse_json(raw))
        behaviour = fake._record(request)
        status, payload, stream = _answer(request, behaviour)
        self.send_response(status)
        self.send_header("apim-request-id", secrets.token_hex(16))
        if stream is not None:
            send_sse(self, stream, cache_control=None)
            return
        data = json.dumps(payload).encode()
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


_Answer = tuple[int, Any, Any]


def _azure(name: str) -> _Answer:
    error = _ERRORS[name]
    return (
        int(error["status"]),
        {"error": {"code": error["code"], "message": error["message"]}},
        None,
    )


def _anthropic(status: int, kind: str, message: str) -> _Answer:
    return status, {"type": "error", "error": {"type": kind, "message": message}}, None


def _answer(request: RecordedRequest, behaviour: FoundryBehaviour) -> _Answer:
    route = request.route
    if not route.startswith(PREFIX + "/"):
        return _azure("resource_not_found")
    if behaviour.require_auth and (rejection := _unauthenticated(request, behaviour)):
        return rejection
    if request.method != "POST" or route != PREFIX + "/v1/messages":
        return _azure("api_not_supported")
    body = request.body
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return _anthropic(400, "invalid_request_error", "model: Field required")
    model = body["model"]
    if behaviour.deployments is not None and model not in behaviour.deployments:
        return _azure("deployment_not_found")
    if not request.header("anthropic-version"):
        return _anthropic(400, "invalid_request_error", "anthropic-version: header is required")
    if "max_tokens" not in body:
        return _anthropic(400, "invalid_request_error", "max_tokens: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _anthropic(
            400, "invalid_request_error", "messages: at least one message is required"
        )
    message_id = "msg_" + secrets.token_hex(12)
    output_tokens = max(1, len(behaviour.reply_text) // 4)
    if body.get("stream") is True:
        return 200, None, stream_events(message_id, model, behaviour.reply_text, 10, output_tokens)
    return 200, message_body(message_id, model, behaviour.reply_text, 10, output_tokens), None


def _unauthenticated(request: RecordedRequest, behaviour: FoundryBehaviour) -> _Answer | None:
    key = request.header("x-api-key") or request.header("api-key")
    authorization = request.header("authorization") or ""
    token = authorization[7:] if authorization[:7].lower() == "bearer " else None
    if key in behaviour.api_keys or token in behaviour.bearer_tokens:
        return None
    return _azure("token_invalid" if token is not None else "key_invalid")


# --- a managed identity's metadata service -------------------------------------------------------


@dataclass(frozen=True)
class ImdsBehaviour:
    token: str = DEFAULT_TOKEN
    """What every token request that asks properly is given."""


class FakeImds(ThreadedServer, RecordingPeer[ImdsBehaviour, RecordedRequest]):
    """Azure's instance metadata service as a managed identity's token source, on 127.0.0.1:
    `fake.url` is AZURE_POD_IDENTITY_AUTHORITY_HOST. `GET /metadata/identity/oauth2/token` with
    `Metadata: true` answers a token for the `resource` asked (the query's `client_id`, when
    given, names the user-assigned identity: tests read it from `requests`); without the header,
    Azure's 400."""

    def __init__(self, behaviour: ImdsBehaviour | None = None) -> None:
        ThreadedServer.__init__(self, _ImdsHandler, peer=self)
        RecordingPeer.__init__(self, behaviour or ImdsBehaviour())

    @property
    def url(self) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    def token_queries(self) -> list[dict[str, str]]:
        """The query of each token request, one value per name."""
        found = []
        for request in self.requests:
            parts = urlsplit(request.path)
            if parts.path == "/metadata/identity/oauth2/token":
                found.append({k: v[-1] for k, v in parse_qs(parts.query).items()})
        return found


class _ImdsHandler(PeerHandler):
    server_version = "fake-imds"

    def _serve(self) -> None:
        fake: FakeImds = self.server.peer  # type: ignore[attr-defined]
        self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = RecordedRequest(self.command, self.path, headers, None)
        behaviour = fake._record(request)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path != "/metadata/identity/oauth2/token":
            status, payload = 404, {"error": "not_found"}
        elif headers.get("metadata") != "true":
            status, payload = (
                400,
                {
                    "error": "invalid_request",
                    "error_description": "Required metadata header not specified",
                },
            )
        else:
            expires = int(time.time()) + 3600
            status, payload = (
                200,
                {
                    "access_token": behaviour.token,
                    "expires_in": "3600",
                    "expires_on": str(expires),
                    "resource": query.get("resource", ""),
                    "token_type": "Bearer",
                },
            )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
