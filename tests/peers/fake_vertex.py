"""A fake Google for Vertex AI on 127.0.0.1: OAuth token endpoint, metadata server, and the
Anthropic publisher endpoints, answering as Google does.

- `POST /token` — the OAuth token endpoint. Service-account grants (`jwt-bearer`) are verified for
  real: the RS256 signature against the keys registered with `add_service_account` (an unknown or
  deleted key → "Invalid JWT Signature."), `iat`/`exp` against the fake's own clock, which
  `clock_offset` can move (→ "Invalid JWT: Token must be a short-lived token…"). `refresh_token`
  grants (authorized_user, external_account_authorized_user) need a token registered with
  `add_user` (otherwise "Token has been expired or revoked."). `token_error` forces an answer:
  `invalid_grant`, `invalid_rapt` (reauth), `invalid_jwt_signature`, `invalid_client`,
  `server_error`.
- `GET /computeMetadata/v1/…` — a GCE metadata server (token, e-mail, project id); it wants
  `Metadata-Flavor: Google`, like the real one.
- `POST {prefix}/v1/projects/{p}/locations/{l}/publishers/anthropic/models/{m}:streamRawPredict`
  (server-sent events exactly like the Anthropic stream), `:rawPredict`, and
  `…/models/count-tokens:rawPredict` (model in the body). Availability is per project, location
  and model; every refusal in providers.md §B3 is a real answer with Google's JSON error shape
  (`error.code/message/status/details[].reason`), produced by the state that causes it: a project
  that does not exist, the API disabled (in the project or the `x-goog-user-project` quota
  project), billing off, a principal without the Vertex AI User role, a model not served in a
  location, Model Garden terms not accepted, data sharing off, a zero prediction quota (which
  token counting does not touch, as on Google), no capacity, a rejected beta, a bad body.

With `prefix` and `require_auth=False` it is a gateway that injects credentials itself (the client
then runs with CLAUDE_CODE_SKIP_VERTEX_AUTH). Every request is recorded.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import secrets
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.peers.fake_anthropic import _stream_events
from tests.peers.ports import LOOPBACK
from tests.peers.server import PeerHandler, RecordingPeer, ThreadedServer

PROJECT = "claude-vertex-prod"
PROJECT_NUMBER = "123456789012"
JWT_AUDIENCE = "https://oauth2.googleapis.com/token"
"""google-auth signs for this audience even when token_uri points elsewhere."""
VM_ACCOUNT = f"vm-runner@{PROJECT}.iam.gserviceaccount.com"
_MAX_JWT_LIFETIME = 3600
_JWT_LEEWAY = 300
_ANTHROPIC_VERSION = "vertex-2023-10-16"
_PREDICT = re.compile(
    r"/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/publishers/anthropic/"
    r"models/(?P<model>[^/:]+):(?P<method>rawPredict|streamRawPredict)"
)


@dataclass(frozen=True)
class Project:
    number: str
    api_enabled: bool = True
    billing: bool = True


@dataclass(frozen=True)
class VertexBehaviour:
    """The state of the fake Google. Frozen, so each request sees one version; change it with
    `FakeVertex.configure()`."""

    projects: Mapping[str, Project] = field(
        default_factory=lambda: {PROJECT: Project(PROJECT_NUMBER)}
    )
    served: Mapping[str, frozenset[str]] | None = None
    """Location → models served there; None serves every model everywhere."""
    enabled: Mapping[str, frozenset[str]] | None = None
    """Project → models whose Model Garden terms were accepted; None: all, in every project."""
    data_sharing_off: frozenset[str] = frozenset()
    """Models that need data sharing for the publisher, which is off."""
    denied: frozenset[str] = frozenset()
    """Principals without roles/aiplatform.user."""
    quota_exhausted: frozenset[tuple[str, str, str]] = frozenset()
    """(project, location, model) whose prediction quota is 0."""
    capacity_exhausted: bool = False
    server_error: int | None = None
    rejected_betas: frozenset[str] = frozenset()
    require_auth: bool = True
    count_tokens: bool = True
    """False: no token-counting route (a gateway that does not offer it)."""
    wrap_errors: bool = False
    """Answer errors as `[{"error": …}]`, as some Google methods do."""
    token_error: str | None = None
    clock_offset: float = 0.0
    """Seconds the fake's clock is ahead of this machine's."""
    latency: float = 0.0
    reply_text: str = "hi"
    keys: Mapping[str, tuple[str, bytes]] = field(default_factory=dict)
    """Key id → (service-account e-mail, public key PEM)."""
    refresh_tokens: Mapping[str, str] = field(default_factory=dict)
    """Refresh token → the user it belongs to."""
    metadata_project: str | None = PROJECT
    metadata_account: str = VM_ACCOUNT


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    body: Any
    """Parsed JSON, the form fields of a token request, or None."""

    @property
    def route(self) -> str:
        return unquote(urlsplit(self.path).path)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class ServiceAccountKey:
    """A key made in the test, registered with the fake like a key Google knows."""

    email: str
    key_id: str
    private_pem: str
    public_pem: bytes

    @staticmethod
    def generate(email: str) -> ServiceAccountKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return ServiceAccountKey(email, secrets.token_hex(20), private, public)

    def file_content(self, token_uri: str, project: str = PROJECT) -> dict[str, str]:
        return {
            "type": "service_account",
            "project_id": project,
            "private_key_id": self.key_id,
            "private_key": self.private_pem,
            "client_email": self.email,
            "client_id": "1" * 21,
            "token_uri": token_uri,
        }


@dataclass
class _Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[tuple[str, dict[str, Any]]] | None = None
    text: str | None = None
    content_type: str = "application/json; charset=UTF-8"


class FakeVertex(ThreadedServer, RecordingPeer[VertexBehaviour, RecordedRequest]):
    """Start with `with FakeVertex() as fake:`. With `authority`, Vertex calls accept the access
    tokens that other fake issued (a token endpoint served apart, e.g. over TLS)."""

    def __init__(
        self,
        behaviour: VertexBehaviour | None = None,
        prefix: str = "",
        ssl_context: ssl.SSLContext | None = None,
        authority: FakeVertex | None = None,
    ) -> None:
        ThreadedServer.__init__(self, _Handler, peer=self, ssl_context=ssl_context)
        RecordingPeer.__init__(self, behaviour or VertexBehaviour())
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.authority = authority
        self._tokens: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ANTHROPIC_VERTEX_BASE_URL should be set to."""
        return f"{self.url}{self.prefix}/v1"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def metadata_host(self) -> str:
        """What GCE_METADATA_HOST should be set to."""
        return f"{LOOPBACK}:{self.port}"

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self._tokens.clear()

    def add_service_account(self, key: ServiceAccountKey) -> None:
        with self._lock:
            keys = {**self._behaviour.keys, key.key_id: (key.email, key.public_pem)}
            self._behaviour = dataclasses.replace(self._behaviour, keys=keys)

    def delete_key(self, key: ServiceAccountKey) -> None:
        with self._lock:
            keys = {k: v for k, v in self._behaviour.keys.items() if k != key.key_id}
            self._behaviour = dataclasses.replace(self._behaviour, keys=keys)

    def add_user(self, refresh_token: str, email: str) -> None:
        with self._lock:
            tokens = {**self._behaviour.refresh_tokens, refresh_token: email}
            self._behaviour = dataclasses.replace(self._behaviour, refresh_tokens=tokens)

    def requests_to(self, suffix: str) -> list[RecordedRequest]:
        """Recorded requests whose path ends with `suffix`, e.g. `:streamRawPredict`."""
        return [r for r in self.requests if r.route.endswith(suffix)]

    def issued(self, token: str) -> str | None:
        """The principal an access token was issued to, if this fake (or its authority) did."""
        if self.authority is not None:
            return self.authority.issued(token)
        with self._lock:
            return self._tokens.get(token)

    def _issue(self, principal: str) -> str:
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = principal
        return token


class _Handler(PeerHandler):
    server_version = "ESF"

    def date_time_string(self, timestamp: float | None = None) -> str:
        fake: FakeVertex = self.server.peer  # type: ignore[attr-defined]
        now = (timestamp or time.time()) + fake.behaviour.clock_offset
        return formatdate(now, usegmt=True)

    def _serve(self) -> None:
        fake: FakeVertex = self.server.peer  # type: ignore[attr-defined]
        raw = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = RecordedRequest(self.command, self.path, headers, _parse_body(raw, headers))
        behaviour = fake._record(request)
        if behaviour.latency > 0:
            time.sleep(behaviour.latency)
        self._send(_route(fake, request, behaviour))

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream is not None:
            self.send_header("content-type", "text/event-stream; charset=utf-8")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for event, data in reply.stream:
                chunk = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return
        if reply.text is not None:
            payload = reply.text.encode()
        else:
            payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_header("content-type", reply.content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _parse_body(raw: bytes, headers: Mapping[str, str]) -> Any:
    if not raw:
        return None
    if "x-www-form-urlencoded" in headers.get("content-type", ""):
        return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _route(fake: FakeVertex, request: RecordedRequest, behaviour: VertexBehaviour) -> _Reply:
    route = request.route
    if request.method == "POST" and route == "/token":
        return _token(fake, request, behaviour)
    if request.method == "GET" and (route == "/" or route.startswith("/computeMetadata/")):
        return _metadata(fake, request, behaviour)
    if request.method == "POST" and route.startswith(fake.prefix + "/v1/"):
        found = _PREDICT.fullmatch(route[len(fake.prefix) :])
        if found is not None:
            return _predict(fake, request, behaviour, found)
    return _not_found_page(route)


# --- the OAuth token endpoint -------------------------------------------------------------------

_FORCED_TOKEN_ERRORS: Mapping[str, tuple[int, dict[str, str]]] = {
    "invalid_grant": (
        400,
        {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    ),
    "invalid_rapt": (
        400,
        {
            "error": "invalid_grant",
            "error_description": "reauth related error (invalid_rapt)",
            "error_uri": "https://support.google.com/a/answer/9368756",
            "error_subtype": "invalid_rapt",
        },
    ),
    "invalid_jwt_signature": (
        400,
        {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
    ),
    "invalid_client": (
        401,
        {"error": "invalid_client", "error_description": "The OAuth client was not found."},
    ),
    "server_error": (503, {"error": "internal_failure", "error_description": "Backend Error"}),
}
_CLOCK_ERROR = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim."
)


def _token(fake: FakeVertex, request: RecordedRequest, behaviour: VertexBehaviour) -> _Reply:
    if behaviour.token_error is not None:
        status, body = _FORCED_TOKEN_ERRORS[behaviour.token_error]
        return _Reply(status, body)
    form = request.body if isinstance(request.body, dict) else {}
    grant = form.get("grant_type", "")
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        principal, problem = _verify_assertion(form.get("assertion", ""), behaviour)
    elif grant == "refresh_token":
        principal = behaviour.refresh_tokens.get(form.get("refresh_token", ""))
        problem = None if principal else "Token has been expired or revoked."
    else:
        return _Reply(400, {"error": "unsupported_grant_type", "error_description": grant})
    if principal is None:
        return _Reply(400, {"error": "invalid_grant", "error_description": problem})
    return _Reply(
        200,
        {"access_token": fake._issue(principal), "expires_in": 3599, "token_type": "Bearer"},
    )


def _verify_assertion(assertion: str, behaviour: VertexBehaviour) -> tuple[str | None, str]:
    try:
        header_b64, claims_b64, signature_b64 = assertion.split(".")
        header = json.loads(_b64decode(header_b64))
        claims = json.loads(_b64decode(claims_b64))
        signature = _b64decode(signature_b64)
    except ValueError:
        return None, "Invalid JWT Signature."
    known = behaviour.keys.get(str(header.get("kid")))
    if known is None:
        return None, "Invalid JWT Signature."
    email, public_pem = known
    public_key = serialization.load_pem_public_key(public_pem)
    assert isinstance(public_key, rsa.RSAPublicKey)
    try:
        public_key.verify(
            signature,
            f"{header_b64}.{claims_b64}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return None, "Invalid JWT Signature."
    if claims.get("iss") != email or claims.get("aud") != JWT_AUDIENCE:
        return None, "Invalid JWT Signature."
    now = time.time() + behaviour.clock_offset
    issued, expires = claims.get("iat", 0), claims.get("exp", 0)
    if (
        expires - issued > _MAX_JWT_LIFETIME
        or issued > now + _JWT_LEEWAY
        or expires < now - _JWT_LEEWAY
    ):
        return None, _CLOCK_ERROR
    return email, ""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the metadata server ------------------------------------------------------------------------


def _metadata(fake: FakeVertex, request: RecordedRequest, behaviour: VertexBehaviour) -> _Reply:
    flavour = {"metadata-flavor": "Google"}
    if request.header("metadata-flavor") != "Google":
        return _Reply(403, text="Missing Metadata-Flavor:Google header.", content_type="text/html")
    route = request.route.removeprefix("/computeMetadata/v1")
    account = "/instance/service-accounts/default"
    if route in ("", "/"):
        return _Reply(200, text="computeMetadata/", headers=flavour, content_type="text/plain")
    if route == account + "/token":
        token = fake._issue(behaviour.metadata_account)
        body = {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        return _Reply(200, body, headers=flavour)
    if route == account + "/email":
        return _Reply(
            200, text=behaviour.metadata_account, headers=flavour, content_type="text/plain"
        )
    if route == "/project/project-id" and behaviour.metadata_project:
        return _Reply(
            200, text=behaviour.metadata_project, headers=flavour, content_type="text/plain"
        )
    return _Reply(404, text="Not Found", headers=flavour, content_type="text/html")


# --- Vertex AI ---------------------------------------------------------------------------------


def _predict(
    fake: FakeVertex, request: RecordedRequest, behaviour: VertexBehaviour, found: re.Match[str]
) -> _Reply:
    project, location = found.group("project"), found.group("location")
    model, method = found.group("model"), found.group("method")
    counting = model == "count-tokens" and method == "rawPredict"
    if counting and not behaviour.count_tokens:
        return _not_found_page(request.route)
    refusal = _refusal(fake, request, behaviour, project, location, model, counting)
    if refusal is not None:
        status, google_status, message, reason, metadata = refusal
        return _google_error(behaviour, status, google_status, message, reason, metadata)
    body: dict[str, Any] = request.body
    if counting:
        return _Reply(200, {"input_tokens": max(1, len(json.dumps(body.get("messages"))) // 4)})
    text = behaviour.reply_text
    message_id = "msg_vrtx_" + secrets.token_hex(12)
    input_tokens = max(1, len(json.dumps(body.get("messages"))) // 4)
    if method == "streamRawPredict" or body.get("stream") is True:
        stream = _stream_events(message_id, model, text, input_tokens, max(1, len(text) // 4))
        return _Reply(200, stream=stream)
    return _Reply(
        200,
        {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": max(1, len(text) // 4)},
        },
    )


_Refusal = tuple[int, str, str, str | None, dict[str, str]]


def _refusal(
    fake: FakeVertex,
    request: RecordedRequest,
    behaviour: VertexBehaviour,
    project: str,
    location: str,
    model: str,
    counting: bool,
) -> _Refusal | None:
    """Google's checks, in the order Google makes them: who you are, the project (and the quota
    project), the API, billing, IAM, the body, the model, the quota."""
    principal = None
    if behaviour.require_auth:
        authorization = request.header("authorization") or ""
        token = authorization[7:] if authorization[:7].lower() == "bearer " else ""
        principal = fake.issued(token)
        if principal is None:
            return (
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential. See https://developers."
                "google.com/identity/sign-in/web/devconsole-project.",
                "ACCESS_TOKEN_TYPE_UNSUPPORTED" if token else "CREDENTIALS_MISSING",
                {},
            )
    owner = behaviour.projects.get(project)
    if owner is None:
        return _project_missing(project)
    quota_project = request.header("x-goog-user-project")
    if quota_project and quota_project != project:
        billed = behaviour.projects.get(quota_project)
        if billed is None:
            return _project_missing(quota_project)
        if not billed.api_enabled:
            return _service_disabled(billed)
    if not owner.api_enabled:
        return _service_disabled(owner)
    if not owner.billing:
        return (
            403,
            "PERMISSION_DENIED",
            f"This API method requires billing to be enabled. Please enable billing on project "
            f"#{owner.number} by visiting https://console.developers.google.com/billing/enable"
            f"?project={owner.number} then retry. If you enabled billing for this project "
            "recently, wait a few minutes for the action to propagate to our systems and retry.",
            "BILLING_DISABLED",
            {"consumer": f"projects/{owner.number}", "service": "aiplatform.googleapis.com"},
        )
    resource = f"projects/{project}/locations/{location}/publishers/anthropic/models/"
    if principal is not None and principal in behaviour.denied:
        target = resource + (model if not counting else "count-tokens")
        return (
            403,
            "PERMISSION_DENIED",
            f"Permission 'aiplatform.endpoints.predict' denied on resource "
            f"'//aiplatform.googleapis.com/{target}' (or it may not exist).",
            "IAM_PERMISSION_DENIED",
            {
                "permission": "aiplatform.endpoints.predict",
                "resource": target,
            },
        )
    body = request.body
    if not isinstance(body, dict):
        return 400, "INVALID_ARGUMENT", "Invalid JSON payload received.", None, {}
    if counting:
        named = body.get("model")
        if not isinstance(named, str) or not named:
            return 400, "INVALID_ARGUMENT", "model: Field required", None, {}
        model = named
    else:
        if body.get("anthropic_version") != _ANTHROPIC_VERSION:
            return (
                400,
                "INVALID_ARGUMENT",
                f"anthropic_version: Input should be '{_ANTHROPIC_VERSION}'",
                None,
                {},
            )
        if "model" in body:
            return 400, "INVALID_ARGUMENT", "model: Extra inputs are not permitted", None, {}
    betas = [b.strip() for b in (request.header("anthropic-beta") or "").split(",") if b.strip()]
    rejected = [b for b in betas if b in behaviour.rejected_betas]
    if rejected:
        return (
            400,
            "INVALID_ARGUMENT",
            f"Unexpected value(s) `{', '.join(rejected)}` for the `anthropic-beta` header. Please "
            "consult our documentation at docs.claude.com or try again without the header.",
            None,
            {},
        )
    if behaviour.served is not None and model not in behaviour.served.get(location, frozenset()):
        return (
            404,
            "NOT_FOUND",
            f"Publisher Model `{resource}{model}` was not found or your project does not have "
            "access to it. Ensure you are using a valid model name and that the model is "
            "available in the specified region.",
            None,
            {},
        )
    if behaviour.enabled is not None and model not in behaviour.enabled.get(project, frozenset()):
        return (
            400,
            "FAILED_PRECONDITION",
            f"Project `{project}` is not allowed to use Publisher Model `{resource}{model}`",
            None,
            {},
        )
    if model in behaviour.data_sharing_off:
        return (
            400,
            "FAILED_PRECONDITION",
            "Access to this model requires data sharing to be enabled for publisher "
            "'anthropic'. Please enable data sharing on the model's Model Garden card.",
            None,
            {},
        )
    if counting:
        return None
    if (project, location, model) in behaviour.quota_exhausted:
        return (
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model"
            f" with base model: anthropic-{model.split('@')[0]}. Please submit a quota increase "
            "request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.",
            None,
            {},
        )
    if behaviour.capacity_exhausted:
        return (
            429,
            "RESOURCE_EXHAUSTED",
            "Resource exhausted. Please try again later. Please refer to https://cloud.google.com"
            "/vertex-ai/generative-ai/docs/error-code-429 for more details.",
            None,
            {},
        )
    if behaviour.server_error is not None:
        return (
            behaviour.server_error,
            "UNAVAILABLE",
            "The service is currently unavailable.",
            None,
            {},
        )
    return None


def _project_missing(project: str) -> _Refusal:
    return (
        403,
        "PERMISSION_DENIED",
        f"Permission denied on resource project {project}.",
        "CONSUMER_INVALID",
        {"consumer": f"projects/{project}", "service": "aiplatform.googleapis.com"},
    )


def _service_disabled(project: Project) -> _Refusal:
    number = project.number
    return (
        403,
        "PERMISSION_DENIED",
        f"Vertex AI API has not been used in project {number} before or it is disabled. Enable "
        "it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com"
        f"/overview?project={number} then retry. If you enabled this API recently, wait a few "
        "minutes for the action to propagate to our systems and retry.",
        "SERVICE_DISABLED",
        {
            "consumer": f"projects/{number}",
            "service": "aiplatform.googleapis.com",
            "serviceTitle": "Vertex AI API",
            "containerInfo": number,
            "activationUrl": "https://console.developers.google.com/apis/api/"
            f"aiplatform.googleapis.com/overview?project={number}",
        },
    )


def _google_error(
    behaviour: VertexBehaviour,
    status: int,
    google_status: str,
    message: str,
    reason: str | None,
    metadata: dict[str, str],
) -> _Reply:
    error: dict[str, Any] = {"code": status, "message": message, "status": google_status}
    if reason is not None:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": metadata,
            }
        ]
    body: Any = {"error": error}
    return _Reply(status, [body] if behaviour.wrap_errors else body)


def _not_found_page(route: str) -> _Reply:
    """What Google's front end answers for a path no service has."""
    page = (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)"
        "!!1</title>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL "
        f"<code>{route}</code> was not found on this server.  <ins>That’s all we know.</ins>\n"
    )
    return _Reply(404, text=page, content_type="text/html; charset=UTF-8")
