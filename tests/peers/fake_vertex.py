"""A fake Google for Vertex AI on 127.0.0.1: OAuth token endpoint, metadata server, and the
Anthropic publisher endpoints, answering as Google does.

- `POST /token` — the OAuth token endpoint. Service-account grants (`jwt-bearer`) are verified for
  real: the RS256 signature against the keys registered with `add_service_account` (an unknown or
  deleted key → "Invalid JWT Signature."), `iat`/`exp` against the fake's own clock, which
  `clock_offset` can move (→ "Invalid JWT: Token must be a short-lived token…"). `refresh_token`
  grants (authorized_user, external_account_authorized_user) need a token registered with
  `add_user` (otherwise "Token has been expired or revoked."). STS token exchanges
  (external_account) need a subject token registered with `add_subject_token`. `token_error`
  forces an answer:
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
then runs with CLAUDE_CODE_SKIP_VERTEX_AUTH). Every request is recorded. Google's texts and
error bodies are in fixtures/responses/vertex/; which state leads to which of them is decided here.
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

from ccdoctor.learn.recorder import Recorded, parse_json, send_sse
from tests.peers import responses
from tests.peers.fake_anthropic import message_body, stream_events
from tests.peers.ports import LOOPBACK
from tests.peers.server import PeerHandler, RecordingPeer, ThreadedServer, trickle

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
    trickled: frozenset[str] = frozenset()
    """Path endings (":streamRawPredict", "count-tokens:rawPredict", "/token") answered one
    byte per `trickle_interval` seconds, whatever their answer."""
    trickle_interval: float = 0.5
    reply_text: str = "hi"
    keys: Mapping[str, tuple[str, bytes]] = field(default_factory=dict)
    """Key id → (service-account e-mail, public key PEM)."""
    refresh_tokens: Mapping[str, str] = field(default_factory=dict)
    """Refresh token → the user it belongs to."""
    subject_tokens: Mapping[str, str] = field(default_factory=dict)
    """Workload identity federation: subject token → the external identity it proves."""
    metadata_project: str | None = PROJECT
    metadata_account: str = VM_ACCOUNT


@dataclass(frozen=True)
class RecordedRequest(Recorded):
    """`body` is the parsed JSON, the form fields of a token request, or None."""

    @property
    def route(self) -> str:
        return unquote(urlsplit(self.path).path)


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

    def add_subject_token(self, subject_token: str, identity: str) -> None:
        """A token an external_account credential's source (file, URL, executable) may hand
        the STS token exchange at `token_url`."""
        with self._lock:
            tokens = {**self._behaviour.subject_tokens, subject_token: identity}
            self._behaviour = dataclasses.replace(self._behaviour, subject_tokens=tokens)

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
        if any(urlsplit(self.path).path.endswith(end) for end in behaviour.trickled):
            trickle(self, fake.stopping, behaviour.trickle_interval)
            return
        if behaviour.latency > 0:
            time.sleep(behaviour.latency)
        self._send(_route(fake, request, behaviour))

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream is not None:
            send_sse(self, reply.stream, cache_control=None)
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
    return parse_json(raw)


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

_FORCED_TOKEN_ERRORS: Mapping[str, Mapping[str, Any]] = responses.load("vertex", "token_errors")
"""`token_error` → the status and body Google's token endpoint answers."""
_OAUTH_ERRORS: Mapping[str, str] = responses.load("vertex", "oauth_errors")
"""error_description texts of the token endpoint's own refusals."""


_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


def _token(fake: FakeVertex, request: RecordedRequest, behaviour: VertexBehaviour) -> _Reply:
    if behaviour.token_error is not None:
        forced = _FORCED_TOKEN_ERRORS[behaviour.token_error]
        return _Reply(forced["status"], forced["body"])
    form = request.body if isinstance(request.body, dict) else {}
    grant = form.get("grant_type", "")
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        principal, problem = _verify_assertion(form.get("assertion", ""), behaviour)
    elif grant == "refresh_token":
        principal = behaviour.refresh_tokens.get(form.get("refresh_token", ""))
        problem = None if principal else _OAUTH_ERRORS["refresh_token_invalid"]
    elif grant == _TOKEN_EXCHANGE:
        # Google's STS answers an unknown subject token with invalid_grant too.
        principal = behaviour.subject_tokens.get(form.get("subject_token", ""))
        problem = "The subject token is invalid."
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
        return None, _OAUTH_ERRORS["jwt_signature_invalid"]
    known = behaviour.keys.get(str(header.get("kid")))
    if known is None:
        return None, _OAUTH_ERRORS["jwt_signature_invalid"]
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
        return None, _OAUTH_ERRORS["jwt_signature_invalid"]
    if claims.get("iss") != email or claims.get("aud") != JWT_AUDIENCE:
        return None, _OAUTH_ERRORS["jwt_signature_invalid"]
    now = time.time() + behaviour.clock_offset
    issued, expires = claims.get("iat", 0), claims.get("exp", 0)
    if (
        expires - issued > _MAX_JWT_LIFETIME
        or issued > now + _JWT_LEEWAY
        or expires < now - _JWT_LEEWAY
    ):
        return None, _OAUTH_ERRORS["jwt_out_of_time"]
    return email, ""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the metadata server ------------------------------------------------------------------------


_METADATA_ERRORS: Mapping[str, str] = responses.load("vertex", "metadata_errors")
"""Texts of the metadata server's refusals."""


def _metadata(fake: FakeVertex, request: RecordedRequest, behaviour: VertexBehaviour) -> _Reply:
    flavour = {"metadata-flavor": "Google"}
    if request.header("metadata-flavor") != "Google":
        return _Reply(403, text=_METADATA_ERRORS["flavor_missing"], content_type="text/html")
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
    not_found = _METADATA_ERRORS["not_found"]
    return _Reply(404, text=not_found, headers=flavour, content_type="text/html")


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
        stream = stream_events(message_id, model, text, input_tokens, max(1, len(text) // 4))
        return _Reply(200, stream=stream)
    return _Reply(200, message_body(message_id, model, text, input_tokens, max(1, len(text) // 4)))


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
            reason = "ACCESS_TOKEN_TYPE_UNSUPPORTED" if token else "CREDENTIALS_MISSING"
            return _refused("unauthenticated", reason=reason)
    owner = behaviour.projects.get(project)
    if owner is None:
        return _refused("project_missing", project=project)
    quota_project = request.header("x-goog-user-project")
    if quota_project and quota_project != project:
        billed = behaviour.projects.get(quota_project)
        if billed is None:
            return _refused("project_missing", project=quota_project)
        if not billed.api_enabled:
            return _refused("service_disabled", number=billed.number)
    if not owner.api_enabled:
        return _refused("service_disabled", number=owner.number)
    if not owner.billing:
        return _refused("billing_disabled", number=owner.number)
    resource = f"projects/{project}/locations/{location}/publishers/anthropic/models/"
    if principal is not None and principal in behaviour.denied:
        target = resource + (model if not counting else "count-tokens")
        return _refused("iam_denied", target=target)
    body = request.body
    if not isinstance(body, dict):
        return _refused("invalid_json")
    if counting:
        named = body.get("model")
        if not isinstance(named, str) or not named:
            return _refused("model_missing")
        model = named
    else:
        if body.get("anthropic_version") != _ANTHROPIC_VERSION:
            return _refused("wrong_anthropic_version", version=_ANTHROPIC_VERSION)
        if "model" in body:
            return _refused("model_in_body")
    betas = [b.strip() for b in (request.header("anthropic-beta") or "").split(",") if b.strip()]
    rejected = [b for b in betas if b in behaviour.rejected_betas]
    if rejected:
        return _refused("unexpected_beta", betas=", ".join(rejected))
    if behaviour.served is not None and model not in behaviour.served.get(location, frozenset()):
        return _refused("model_not_served", resource=resource, model=model)
    if behaviour.enabled is not None and model not in behaviour.enabled.get(project, frozenset()):
        return _refused("terms_not_accepted", project=project, resource=resource, model=model)
    if model in behaviour.data_sharing_off:
        return _refused("data_sharing_off")
    if counting:
        return None
    if (project, location, model) in behaviour.quota_exhausted:
        return _refused("quota_exhausted", base_model=model.split("@")[0])
    if behaviour.capacity_exhausted:
        return _refused("capacity_exhausted")
    if behaviour.server_error is not None:
        return _refused("unavailable", status=behaviour.server_error)
    return None


_REFUSALS: Mapping[str, Mapping[str, Any]] = responses.load("vertex", "refusals")
"""Google's refusals by name: status, google_status, message, and for most an ErrorInfo reason
and metadata; their texts have str.format fields that _refused fills in."""


def _refused(name: str, status: int | None = None, **facts: str) -> _Refusal:
    """The named refusal with `facts` filled in; `status` replaces the file's (a 5xx chosen by
    the test)."""
    refusal = _REFUSALS[name]
    reason = refusal.get("reason")
    return (
        refusal["status"] if status is None else status,
        refusal["google_status"],
        refusal["message"].format(**facts),
        None if reason is None else reason.format(**facts),
        {key: value.format(**facts) for key, value in refusal.get("metadata", {}).items()},
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
    page = responses.text("vertex", "not_found.html").format(route=route)
    return _Reply(404, text=page, content_type="text/html; charset=UTF-8")
