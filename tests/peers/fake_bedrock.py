"""A fake Amazon Bedrock that botocore (and the real client) accepts, on 127.0.0.1.

Control plane: ListInferenceProfiles (paginated), GetInferenceProfile, ListFoundationModels,
GetFoundationModel, GetFoundationModelAvailability. Runtime: InvokeModel,
InvokeModelWithResponseStream (the AWS binary event stream, encoded here byte for byte: prelude,
CRC32s, typed headers) and CountTokens. Beside Bedrock it answers the two other AWS calls a
credential chain makes, so one peer can stand for "AWS" in a test: STS GetCallerIdentity and the
SSO portal's GetRoleCredentials (neither moto nor anything else on loopback offers the latter),
and a container credentials endpoint.

It behaves like a region: requests signed with SigV4 are served in the region of their credential
scope (so a wrong AWS_REGION is visible), others in `Behaviour.region`. It can verify SigV4
signatures with botocore's own signer, keep a skewed clock, reject Bedrock API keys, and answer
any error of providers.md §A4 as a real HTTP answer (`x-amzn-ErrorType` header, JSON body), before
or in the middle of a stream. As a gateway (`prefix="/bedrock"`) it can also re-encode the stream
as server-sent events, the failure the client reports as a wrong content type. The error texts,
bodies and the events inside the stream are in fixtures/responses/bedrock/; the binary framing
is made here.
"""

from __future__ import annotations

import base64
import json
import secrets
import ssl
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ccdoctor.learn.recorder import send_chunked
from tests.peers import responses
from tests.peers.ports import LOOPBACK
from tests.peers.server import PeerHandler, RecordingPeer, ThreadedServer, trickle

ACCOUNT = "123456789012"
CONTAINER_CREDENTIALS_PATH = "/container-credentials"
EVENT_STREAM = "application/vnd.amazon.eventstream"
SIGV4_MAX_SKEW = timedelta(minutes=5)
AMZ_DATE = "%Y%m%dT%H%M%SZ"
OPERATIONS = frozenset(
    {
        "ListInferenceProfiles",
        "GetInferenceProfile",
        "ListFoundationModels",
        "GetFoundationModel",
        "GetFoundationModelAvailability",
        "InvokeModel",
        "InvokeModelWithResponseStream",
        "CountTokens",
    }
)
"""Every Bedrock operation the fake answers; not a plain request such as proxy.reachable's."""

DEFAULT_MODELS = (
    "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "anthropic.claude-haiku-4-5-20251001-v1:0",
    "anthropic.claude-opus-4-6-v1",
    "anthropic.claude-sonnet-4-6",
    "anthropic.claude-opus-4-8",
    "anthropic.claude-opus-5",
    "anthropic.claude-opus-5-5",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
)
"""Base models the fake serves; every one through inference profiles only, as AWS serves the
current ones (invoking the base ID gives the on-demand-throughput error)."""


def geo_prefix(region: str) -> str | None:
    """The geographic profile prefix offered in a region (global. is offered everywhere)."""
    for start, prefix in (("us-gov-", "us-gov"), ("us-", "us"), ("eu-", "eu"), ("ap-", "apac")):
        if region.startswith(start):
            return prefix
    return None


@dataclass(frozen=True)
class AwsFault:
    status: int
    code: str
    message: str
    """May use {principal}, {action}, {resource}, {model}, {region}, {now}, {server}."""


FAULTS: Mapping[str, AwsFault] = {
    name: AwsFault(**fault) for name, fault in responses.load("bedrock", "faults").items()
}
"""The errors of providers.md §A4, by name, with the exact texts AWS sends (note the curly
apostrophe in `isn’t`)."""
_SERVICE_ERRORS: Mapping[str, AwsFault] = {
    name: AwsFault(**error) for name, error in responses.load("bedrock", "service_errors").items()
}
"""What the fake's other services (routing, the SSO portal, STS) answer; not injectable."""
_STS_CODES: Mapping[str, tuple[str, int]] = {
    bedrock: (sts["code"], sts["status"])
    for bedrock, sts in responses.load("bedrock", "sts_codes").items()
}
"""STS speaks the query protocol and names the same auth problems differently."""


@dataclass(frozen=True)
class FaultRule:
    fault: AwsFault
    operation: str | None = None
    """Operation name (e.g. InvokeModelWithResponseStream); None: any Bedrock operation."""
    model: str | None = None
    """A substring of the model identifier; None: any model."""
    region: str | None = None
    in_stream: bool = False
    """Send it as an exception event after HTTP 200, as Bedrock does mid-stream."""

    def applies(self, operation: str, model: str | None, region: str) -> bool:
        return (
            (self.operation is None or self.operation == operation)
            and (self.model is None or (model is not None and self.model in model))
            and (self.region is None or self.region == region)
        )


@dataclass(frozen=True)
class AppProfile:
    """An application inference profile: `arn:aws:bedrock:{region}:{ACCOUNT}:application-
    inference-profile/{id}`, routing to `base` (through the geo profile of its region)."""

    id: str
    region: str
    base: str
    status: str = "ACTIVE"

    @property
    def arn(self) -> str:
        return f"arn:aws:bedrock:{self.region}:{ACCOUNT}:application-inference-profile/{self.id}"


@dataclass(frozen=True)
class Behaviour:
    """How the fake answers. Frozen so each request sees one consistent version; change it with
    `FakeBedrock.configure()`."""

    region: str = "us-east-1"
    """Where requests without a SigV4 scope (API keys, unsigned gateways) are served."""
    models: tuple[str, ...] = DEFAULT_MODELS
    on_demand: frozenset[str] = frozenset()
    """Base models that may be invoked by their base ID."""
    hidden_profiles: frozenset[str] = frozenset()
    """System-defined profile IDs that do not exist, whatever the region offers."""
    regions: frozenset[str] | None = None
    """Regions that offer the models (None: every region)."""
    application_profiles: tuple[AppProfile, ...] = ()
    lifecycle: Mapping[str, str] = field(default_factory=dict)
    """Base model → LEGACY (ACTIVE otherwise)."""
    availability: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Base model → fields replacing the healthy GetFoundationModelAvailability answer."""
    faults: tuple[FaultRule, ...] = ()
    count_tokens_models: frozenset[str] | None = None
    """Base models CountTokens accepts (None: all)."""
    auth: str = "any"
    """"any": accepts whatever comes, or nothing (a gateway that does not look); "sigv4": requires
    a SigV4 signature, verified when `secrets` is set; "bearer": requires one of
    `bearer_tokens`; "none": a gateway that signs for itself, which needs no credential and
    breaks a signature the client made (it would forward it to another host)."""
    secrets: Mapping[str, str] | None = None
    """Access key id → secret: SigV4 signatures are verified (None: any well-formed one)."""
    expired_keys: frozenset[str] = frozenset()
    bearer_tokens: frozenset[str] = frozenset()
    clock_offset: float = 0.0
    """Seconds the fake's clock is ahead of the real one (Date header and signature checks)."""
    stream_encoding: str = "eventstream"
    """"eventstream"; "sse" (re-encoded as text/event-stream); "header-only" (the event stream
    under a text/event-stream header); "json" (one buffered JSON body)."""
    page_size: int = 3
    sso_tokens: frozenset[str] | None = None
    """SSO access tokens GetRoleCredentials accepts (None: any)."""
    role_credentials: tuple[str, str, str] = (
        "ASIAFAKESSOROLE00001",
        "fake-sso-role-secret-00000000000000000000",
        "fake-sso-session-token",
    )
    """Key id, secret and session token handed out by the SSO portal, STS AssumeRole and the
    container credentials endpoint."""
    assume_role_denied: bool = False
    """STS AssumeRole answers 403 AccessDenied (the caller may not assume the role)."""
    latency: float = 0.0
    trickled: frozenset[str] = frozenset()
    """Operations answered one byte per `trickle_interval` seconds, whatever their answer."""
    trickle_interval: float = 0.5


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    operation: str
    region: str
    model: str | None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


@dataclass
class _Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[bytes] | None = None


class FakeBedrock(ThreadedServer, RecordingPeer[Behaviour, RecordedRequest]):
    """`with FakeBedrock() as fake:`; `fake.url` is the base URL (prefix included)."""

    def __init__(
        self,
        behaviour: Behaviour | None = None,
        prefix: str = "",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        ThreadedServer.__init__(self, _Handler, peer=self, ssl_context=ssl_context)
        RecordingPeer.__init__(self, behaviour or Behaviour())
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""

    @property
    def url(self) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}{self.prefix}"

    @property
    def root_url(self) -> str:
        """Without the gateway prefix: where STS and the SSO portal are served."""
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    def operations(self) -> list[str]:
        return [r.operation for r in self.requests]


# --- the event stream ----------------------------------------------------------------------------

_STRING_HEADER = 7
_OUTPUT_TOKENS = 1
"""Every answer is one token ("hi")."""


def encode_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: prelude (total length, headers length, CRC32 of both),
    string-typed headers, payload, CRC32 of everything before it."""
    encoded = b"".join(
        len(name.encode()).to_bytes(1, "big")
        + name.encode()
        + _STRING_HEADER.to_bytes(1, "big")
        + len(value.encode()).to_bytes(2, "big")
        + value.encode()
        for name, value in headers.items()
    )
    total = 12 + len(encoded) + len(payload) + 4
    prelude = total.to_bytes(4, "big") + len(encoded).to_bytes(4, "big")
    message = prelude + zlib.crc32(prelude).to_bytes(4, "big") + encoded + payload
    return message + zlib.crc32(message).to_bytes(4, "big")


def chunk_event(event: Mapping[str, Any]) -> bytes:
    """A Bedrock `chunk` event carrying one Anthropic streaming event, padded as Bedrock pads."""
    data = base64.b64encode(json.dumps(event).encode()).decode()
    payload = json.dumps({"bytes": data, "p": "abcdefghijklmnopqrstuvwxyz"[: len(data) % 26]})
    return encode_message(
        {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"},
        payload.encode(),
    )


def exception_event(code: str, message: str) -> bytes:
    name = code[:1].lower() + code[1:]  # Bedrock names stream exceptions in lower camel case
    return encode_message(
        {
            ":exception-type": name,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": message}).encode(),
    )


def anthropic_events(
    model: str, text: str = "hi", stop_reason: str = "end_turn"
) -> list[dict[str, Any]]:
    """The Anthropic streaming events of a one-token answer. `end_turn` is a healthy answer;
    the client treats `max_tokens` as its output limit exceeded and fails the session."""
    return responses.fill(
        responses.load("bedrock", "stream"),
        id="msg_bdrk_" + secrets.token_hex(10),
        model=model,
        text=text,
        stop_reason=stop_reason,
        output_tokens=_OUTPUT_TOKENS,
    )


# --- the handler ---------------------------------------------------------------------------------


class _Handler(PeerHandler):
    server_version = "fake-bedrock"

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake: FakeBedrock = self.server.peer  # type: ignore[attr-defined]
        behaviour = fake.behaviour
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        now = datetime.now(tz=UTC) + timedelta(seconds=behaviour.clock_offset)
        exchange = _Exchange(self.command, self.path, headers, body, behaviour, fake.prefix, now)
        reply = exchange.answer()
        fake._record(
            RecordedRequest(
                self.command,
                self.path,
                headers,
                body,
                exchange.operation,
                exchange.region,
                exchange.model,
            )
        )
        if exchange.operation in behaviour.trickled:
            trickle(self, fake.stopping, behaviour.trickle_interval)
            return
        if behaviour.latency:
            time.sleep(behaviour.latency)
        self._send(reply, now)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header send_response() adds: the fake's own (possibly skewed) clock."""
        return format_datetime(self._now, usegmt=True)

    def _send(self, reply: _Reply, now: datetime) -> None:
        self._now = now
        self.send_response(reply.status)
        self.send_header("x-amzn-requestid", secrets.token_hex(16))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("content-type", reply.content_type)
        if reply.stream is not None:
            send_chunked(self, reply.stream)
            return
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)


@dataclass
class _Exchange:
    method: str
    raw_path: str
    headers: Mapping[str, str]
    body: bytes
    behaviour: Behaviour
    prefix: str
    now: datetime
    operation: str = "Unknown"
    region: str = ""
    model: str | None = None
    principal: str = f"arn:aws:iam::{ACCOUNT}:user/fake"

    def answer(self) -> _Reply:
        self.region = self.behaviour.region
        split = urlsplit(self.raw_path)
        path, query = split.path, parse_qs(split.query)
        if self.method == "POST" and path == "/" and b"Action=GetCallerIdentity" in self.body:
            self.operation = "GetCallerIdentity"
            return self._sts()
        if self.method == "POST" and path == "/" and _form_action(self.body) == "AssumeRole":
            self.operation = "AssumeRole"
            return self._assume_role()
        if self.method == "GET" and path == "/federation/credentials":
            self.operation = "GetRoleCredentials"
            return self._sso(query)
        if self.method == "GET" and path == CONTAINER_CREDENTIALS_PATH:
            self.operation = "ContainerCredentials"
            return self._container()
        if not path.startswith(self.prefix + "/"):
            return _error(_SERVICE_ERRORS["unknown_operation"])
        route = unquote(path[len(self.prefix) :])
        handler = self._route(route, query)
        if handler is None:
            return _error(_SERVICE_ERRORS["unknown_operation"])
        if rejection := self._authenticate():
            return rejection
        if self.behaviour.regions is not None and self.region not in self.behaviour.regions:
            return self._fault(FAULTS["model_not_enabled"])
        return handler()

    # --- authentication ---------------------------------------------------------------------

    def _authenticate(self) -> _Reply | None:
        authorization = self.headers.get("authorization", "")
        auth = self.behaviour.auth
        if authorization.startswith("AWS4-HMAC-SHA256 "):
            if auth == "none":  # the client's signature, forwarded: the host no longer matches
                return self._fault(FAULTS["signature_mismatch"])
            if auth == "bearer":
                return self._fault(FAULTS["api_key_invalid"])
            return self._sigv4(authorization)
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
            if auth == "sigv4" or (auth == "bearer" and token not in self.behaviour.bearer_tokens):
                return self._fault(FAULTS["api_key_invalid"])
            return None
        if auth in ("sigv4", "bearer"):
            return self._fault(FAULTS["missing_authentication"])
        return None

    def _sigv4(self, authorization: str) -> _Reply | None:
        fields = dict(
            part.strip().split("=", 1) for part in authorization[17:].split(",") if "=" in part
        )
        scope = fields.get("Credential", "").split("/")
        if len(scope) != 5:
            return self._fault(FAULTS["signature_mismatch"])
        access_key, _, self.region, service, _ = scope
        self.principal = f"arn:aws:iam::{ACCOUNT}:user/key-{access_key[-4:]}"
        behaviour = self.behaviour
        signed_at = self.headers.get("x-amz-date", "")
        try:
            when = datetime.strptime(signed_at, AMZ_DATE).replace(tzinfo=UTC)
        except ValueError:
            return self._fault(FAULTS["signature_mismatch"])
        if when < self.now - SIGV4_MAX_SKEW:
            return self._fault(FAULTS["signature_expired"], signed=signed_at)
        if when > self.now + SIGV4_MAX_SKEW:
            return self._fault(FAULTS["signature_not_yet_current"], signed=signed_at)
        if behaviour.secrets is None:
            return None
        secret = behaviour.secrets.get(access_key)
        if secret is None:
            return self._fault(FAULTS["token_invalid"])
        expected = _signature(
            self, fields.get("SignedHeaders", ""), access_key, secret, service, signed_at
        )
        if expected != fields.get("Signature"):
            return self._fault(FAULTS["signature_mismatch"])
        if access_key in behaviour.expired_keys:
            return self._fault(FAULTS["token_expired"])
        return None

    # --- STS and the SSO portal ---------------------------------------------------------------

    def _sts_refusal(self) -> _Reply | None:
        """STS's own answer to a call without a valid SigV4 signature, or None when signed."""
        authorization = self.headers.get("authorization", "")
        if not authorization.startswith("AWS4-HMAC-SHA256 "):
            missing = _SERVICE_ERRORS["sts_missing_authentication"]
            return _sts_error(missing.status, missing.code, missing.message)
        rejection = self._sigv4(authorization)
        if rejection is not None:
            data = json.loads(rejection.body)
            code, status = _STS_CODES.get(data["__type"], (data["__type"], rejection.status))
            return _sts_error(status, code, data["message"])
        return None

    def _sts(self) -> _Reply:
        refusal = self._sts_refusal()
        if refusal is not None:
            return refusal
        user = self.principal.rsplit("/", 1)[1]
        identity = responses.text("bedrock", "sts_caller_identity.xml").format(
            arn=self.principal,
            user_id=f"AIDA{user.upper()}",
            account=ACCOUNT,
            request_id=secrets.token_hex(8),
        )
        return _Reply(200, identity.encode(), "text/xml")

    def _assume_role(self) -> _Reply:
        refusal = self._sts_refusal()
        if refusal is not None:
            return refusal
        form = parse_qs(self.body.decode("utf-8", "replace"))
        role_arn = (form.get("RoleArn") or [""])[0]
        session_name = (form.get("RoleSessionName") or ["session"])[0]
        if self.behaviour.assume_role_denied:
            return _sts_error(
                403,
                "AccessDenied",
                f"User: {self.principal} is not authorized to perform: sts:AssumeRole on "
                f"resource: {role_arn}",
            )
        role = role_arn.rsplit("/", 1)[-1]
        self.principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session_name}"
        key, secret, session = self.behaviour.role_credentials
        expires = (self.now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = responses.text("bedrock", "sts_assume_role.xml").format(
            key=key,
            secret=secret,
            session=session,
            expires=expires,
            session_name=session_name,
            arn=self.principal,
            request_id=secrets.token_hex(8),
        )
        return _Reply(200, body.encode(), "text/xml")

    def _sso(self, query: Mapping[str, list[str]]) -> _Reply:
        token = self.headers.get("x-amz-sso_bearer_token", "")
        allowed = self.behaviour.sso_tokens
        if not token or (allowed is not None and token not in allowed):
            return _error(_SERVICE_ERRORS["sso_token_invalid"])
        key, secret, session = self.behaviour.role_credentials
        expires = int((self.now + timedelta(hours=1)).timestamp() * 1000)
        role = (query.get("role_name") or [""])[0]
        self.principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/sso-user"
        template = responses.load("bedrock", "sso_role_credentials")
        credentials = responses.fill(
            template, key=key, secret=secret, session=session, expires=expires
        )
        return _json(200, credentials)

    def _container(self) -> _Reply:
        """The ECS / EKS Pod Identity credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)."""
        key, secret, session = self.behaviour.role_credentials
        expires = (self.now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        template = responses.load("bedrock", "container_credentials")
        return _json(
            200, responses.fill(template, key=key, secret=secret, session=session, expires=expires)
        )

    # --- Bedrock ------------------------------------------------------------------------------

    def _route(self, route: str, query: Mapping[str, list[str]]) -> Callable[[], _Reply] | None:
        parts = route.strip("/").split("/")
        method = self.method
        if method == "GET" and parts == ["inference-profiles"]:
            self.operation = "ListInferenceProfiles"
            return lambda: self._list_profiles(query)
        if method == "GET" and len(parts) >= 2 and parts[0] == "inference-profiles":
            self.operation, self.model = "GetInferenceProfile", "/".join(parts[1:])
            return self._get_profile
        if method == "GET" and parts == ["foundation-models"]:
            self.operation = "ListFoundationModels"
            return self._list_models
        if method == "GET" and len(parts) == 2 and parts[0] == "foundation-models":
            self.operation, self.model = "GetFoundationModel", parts[1]
            return self._get_model
        if method == "GET" and len(parts) == 2 and parts[0] == "foundation-model-availability":
            self.operation, self.model = "GetFoundationModelAvailability", parts[1]
            return self._availability
        if method == "POST" and len(parts) >= 3 and parts[0] == "model":
            self.model = "/".join(parts[1:-1])
            self.operation = {
                "invoke": "InvokeModel",
                "invoke-with-response-stream": "InvokeModelWithResponseStream",
                "count-tokens": "CountTokens",
            }.get(parts[-1], "Unknown")
            return None if self.operation == "Unknown" else self._runtime
        return None

    def _injected(self) -> FaultRule | None:
        for rule in self.behaviour.faults:
            if rule.applies(self.operation, self.model, self.region):
                return rule
        return None

    def _profiles(self) -> list[tuple[str, str]]:
        """(profile id, base model) offered in the request's region."""
        behaviour = self.behaviour
        geos = [p for p in (geo_prefix(self.region), "global") if p]
        offered = [(f"{g}.{m}", m) for m in behaviour.models for g in geos]
        return [(p, m) for p, m in offered if p not in behaviour.hidden_profiles]

    def _profile_summary(self, profile: str, base: str) -> dict[str, Any]:
        geo = profile.split(".", 1)[0]
        destinations = [self.region] if geo == "global" else [self.region, "eu-north-1"]
        return {
            "inferenceProfileName": f"{geo.upper()} {base}",
            "description": f"Routes requests to {base}",
            # ISO 8601, as the real service sends: the AWS SDK for JS in the client rejects an
            # epoch number here and then ignores the whole listing.
            "createdAt": "2025-01-01T00:00:00Z",
            "updatedAt": "2025-01-01T00:00:00Z",
            "inferenceProfileArn": (
                f"arn:aws:bedrock:{self.region}:{ACCOUNT}:inference-profile/{profile}"
            ),
            "models": [
                {"modelArn": f"arn:aws:bedrock:{r}::foundation-model/{base}"} for r in destinations
            ],
            "inferenceProfileId": profile,
            "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
        }

    def _list_profiles(self, query: Mapping[str, list[str]]) -> _Reply:
        if rule := self._injected():
            return self._fault(rule.fault)
        kind = (query.get("type") or ["SYSTEM_DEFINED"])[0]
        if kind == "APPLICATION":
            summaries = [self._app_summary(p) for p in self._app_profiles()]
        else:
            summaries = [self._profile_summary(p, m) for p, m in self._profiles()]
        start = int((query.get("nextToken") or ["0"])[0])
        size = min(int((query.get("maxResults") or ["1000"])[0]), self.behaviour.page_size)
        page = summaries[start : start + size]
        data: dict[str, Any] = {"inferenceProfileSummaries": page}
        if start + size < len(summaries):
            data["nextToken"] = str(start + size)
        return _json(200, data)

    def _app_profiles(self) -> list[AppProfile]:
        return [p for p in self.behaviour.application_profiles if p.region == self.region]

    def _app_summary(self, profile: AppProfile) -> dict[str, Any]:
        summary = self._profile_summary(
            f"{geo_prefix(profile.region)}.{profile.base}", profile.base
        )
        summary.update(
            inferenceProfileName=f"app-{profile.id}",
            inferenceProfileArn=profile.arn,
            inferenceProfileId=profile.id,
            status=profile.status,
            type="APPLICATION",
        )
        return summary

    def _get_profile(self) -> _Reply:
        if rule := self._injected():
            return self._fault(rule.fault)
        wanted = self.model or ""
        for app in self._app_profiles():
            if wanted in (app.arn, app.id):
                return _json(200, self._app_summary(app))
        for profile, base in self._profiles():
            if wanted == profile or wanted.endswith(f":inference-profile/{profile}"):
                return _json(200, self._profile_summary(profile, base))
        return self._fault(FAULTS["profile_not_found"])

    def _model_summary(self, base: str) -> dict[str, Any]:
        behaviour = self.behaviour
        status = behaviour.lifecycle.get(base, "ACTIVE")
        lifecycle: dict[str, Any] = {"status": status}
        if status == "LEGACY":
            lifecycle.update(legacyTime=1767225600, endOfLifeTime=1798761600)
        return {
            "modelArn": f"arn:aws:bedrock:{self.region}::foundation-model/{base}",
            "modelId": base,
            "modelName": base.split(".", 1)[1],
            "providerName": "Anthropic",
            "inputModalities": ["TEXT", "IMAGE"],
            "outputModalities": ["TEXT"],
            "responseStreamingSupported": True,
            "customizationsSupported": [],
            "inferenceTypesSupported": (
                ["ON_DEMAND"] if base in behaviour.on_demand else ["INFERENCE_PROFILE"]
            ),
            "modelLifecycle": lifecycle,
        }

    def _list_models(self) -> _Reply:
        if rule := self._injected():
            return self._fault(rule.fault)
        return _json(
            200, {"modelSummaries": [self._model_summary(m) for m in self.behaviour.models]}
        )

    def _get_model(self) -> _Reply:
        if rule := self._injected():
            return self._fault(rule.fault)
        if self.model not in self.behaviour.models:
            return self._fault(FAULTS["model_not_found"])
        return _json(200, {"modelDetails": self._model_summary(self.model)})

    def _availability(self) -> _Reply:
        if rule := self._injected():
            return self._fault(rule.fault)
        base = self.model or ""
        if base not in self.behaviour.models:
            return self._fault(FAULTS["model_not_found"])
        data: dict[str, Any] = responses.fill(
            responses.load("bedrock", "model_availability"), model=base
        )
        data.update(self.behaviour.availability.get(base, {}))
        return _json(200, data)

    def _resolve_model(self) -> str | AwsFault:
        """The base model behind the identifier, or the fault AWS answers for it."""
        wanted = self.model or ""
        behaviour = self.behaviour
        for app in self._app_profiles():
            if wanted in (app.arn, app.id):
                return app.base
        if wanted.startswith("arn:"):
            return FAULTS["model_not_found"]
        if wanted in behaviour.models:
            # Token counting takes the base ID; only inference needs a profile.
            served = wanted in behaviour.on_demand or self.operation == "CountTokens"
            return wanted if served else FAULTS["on_demand_unsupported"]
        for profile, base in self._profiles():
            if wanted == profile:
                return base
        return FAULTS["invalid_model_id"]

    def _runtime(self) -> _Reply:
        resolved = self._resolve_model()
        if isinstance(resolved, AwsFault):
            return self._fault(resolved)
        rule = self._injected()
        if rule is not None and not rule.in_stream:
            return self._fault(rule.fault)
        if self.operation == "CountTokens":
            allowed = self.behaviour.count_tokens_models
            if allowed is not None and resolved not in allowed:
                return self._fault(FAULTS["count_tokens_unsupported"])
            return _json(200, {"inputTokens": 8})
        events = anthropic_events(resolved, stop_reason=self._stop_reason())
        if self.operation == "InvokeModel":
            return _json(200, _buffered_message(events))
        return self._stream(events, rule)

    def _stop_reason(self) -> str:
        """As the model would end a one-token answer: cut off only when the request allowed no
        more than that one token (a probe's max_tokens 1), finished otherwise."""
        try:
            body = json.loads(self.body) if self.body else None
        except ValueError:
            body = None
        limit = body.get("max_tokens") if isinstance(body, dict) else None
        cut_off = isinstance(limit, int) and not isinstance(limit, bool) and limit <= _OUTPUT_TOKENS
        return "max_tokens" if cut_off else "end_turn"

    def _stream(self, events: list[dict[str, Any]], rule: FaultRule | None) -> _Reply:
        encoding = self.behaviour.stream_encoding
        if encoding == "json":
            return _json(200, _buffered_message(events))
        if encoding == "sse":
            chunks = [f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events]
            return _Reply(200, content_type="text/event-stream", stream=iter(chunks))
        messages = [chunk_event(e) for e in events[:1]]
        if rule is not None:
            messages.append(exception_event(rule.fault.code, self._text(rule.fault)))
        else:
            messages += [chunk_event(e) for e in events[1:]]
        content_type = "text/event-stream" if encoding == "header-only" else EVENT_STREAM
        return _Reply(
            200,
            content_type=content_type,
            headers={"x-amzn-bedrock-content-type": "application/json"},
            stream=iter(messages),
        )

    # --- faults -------------------------------------------------------------------------------

    def _text(self, fault: AwsFault, **extra: str) -> str:
        action = {
            "InvokeModelWithResponseStream": "bedrock:InvokeModelWithResponseStream",
            "InvokeModel": "bedrock:InvokeModel",
            "CountTokens": "bedrock:CountTokens",
        }.get(self.operation, f"bedrock:{self.operation}")
        model = self.model or ""
        base = model.split(".", 1)[1] if model.count(".") >= 2 else model
        facts = {
            "principal": self.principal,
            "action": action,
            "resource": f"arn:aws:bedrock:{self.region}:{ACCOUNT}:inference-profile/{model}",
            "model": model,
            "base": base,
            "region": self.region,
            "server": self.now.strftime(AMZ_DATE),
            "earliest": (self.now - SIGV4_MAX_SKEW).strftime(AMZ_DATE),
            "latest": (self.now + SIGV4_MAX_SKEW).strftime(AMZ_DATE),
            "signed": "",
            **extra,
        }
        return fault.message.format(**facts)

    def _fault(self, fault: AwsFault, **extra: str) -> _Reply:
        return _json_error(fault.status, fault.code, self._text(fault, **extra))


def _error(error: AwsFault) -> _Reply:
    """A fixed error (no facts to fill in) as a JSON answer."""
    return _json_error(error.status, error.code, error.message)


def _signature(
    exchange: _Exchange,
    signed_headers: str,
    access_key: str,
    secret: str,
    service: str,
    signed_at: str,
) -> str:
    """What botocore's own SigV4 signer makes of the request as it arrived."""
    return sigv4_signature(
        exchange.method,
        exchange.raw_path,
        exchange.body,
        exchange.headers,
        signed_headers,
        (access_key, secret, service, exchange.region),
        signed_at,
    )


def sigv4_signature(
    method: str,
    raw_path: str,
    body: bytes,
    headers: Mapping[str, str],
    signed_headers: str,
    scope: tuple[str, str, str, str],
    signed_at: str,
) -> str:
    """botocore's SigV4 signature of a request as it arrived (lower-cased `headers`), for the
    access key, secret, service and region of `scope`; any fake that checks signatures uses it."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    access_key, secret, service, region = scope
    names = [n for n in signed_headers.split(";") if n]
    signed = {n: headers.get(n, "") for n in names}
    url = f"http://{headers.get('host', '')}{raw_path}"
    request = AWSRequest(method=method, url=url, data=body, headers=signed)
    request.context["timestamp"] = signed_at
    token = headers.get("x-amz-security-token")
    signer = SigV4Auth(Credentials(access_key, secret, token), service, region)
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


def _buffered_message(events: list[dict[str, Any]]) -> dict[str, Any]:
    start = events[0]["message"]
    return {
        **start,
        "content": [{"type": "text", "text": events[2]["delta"]["text"]}],
        "stop_reason": events[4]["delta"]["stop_reason"],
    }


def _json(status: int, data: Any) -> _Reply:
    return _Reply(status, json.dumps(data).encode())


def _json_error(status: int, code: str, message: str) -> _Reply:
    reply = _json(status, {"__type": code, "message": message})
    reply.headers["x-amzn-errortype"] = (
        f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    )
    return reply


def _form_action(body: bytes) -> str:
    """An STS query request's Action (AssumeRole is also the start of AssumeRoleWithWebIdentity)."""
    return (parse_qs(body.decode("utf-8", "replace")).get("Action") or [""])[0]


def _sts_error(status: int, code: str, message: str) -> _Reply:
    body = responses.text("bedrock", "sts_error.xml").format(
        code=code, message=message, request_id=secrets.token_hex(8)
    )
    return _Reply(status, body.encode(), "text/xml")
