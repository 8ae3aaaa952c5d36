"""Calls to AWS made the way the client makes them.

What "the way the client does" means here:
- the region is always passed explicitly (botocore ignores AWS_REGION, the client reads it first);
- with ANTHROPIC_BEDROCK_BASE_URL both the control-plane and the runtime client go to that URL;
  without it the runtime goes to bedrock-runtime.{region}.amazonaws.com, which the client builds
  itself (no AWS_ENDPOINT_URL_* applies to it);
- requests are unsigned under CLAUDE_CODE_SKIP_BEDROCK_AUTH, carry AWS_BEARER_TOKEN_BEDROCK as a
  bearer token when it is set, and are SigV4-signed otherwise;
- the proxy, the trusted roots (bundled + system + NODE_EXTRA_CA_CERTS) and the client
  certificate are the client's (ccdoctor.net.settings);
- one attempt per call (the client's own retries would only hide the first answer), and each call
  is abandoned after a wall-clock limit, since botocore's timeouts are per socket operation.

The Bedrock operations travel over ccdoctor's HTTP client (rest.py); botocore resolves the
credential chain and signs, and its clients serve the rest (STS). Everything botocore reads from
the environment comes from the *effective* environment (settings files included), never from
os.environ; botocore_session.py is where that is arranged. botocore is imported only inside
functions: a run on another route, or an unsigned or bearer-token Bedrock run, never pays for it.
"""

from __future__ import annotations

import enum
import functools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from ccdoctor.config.endpoints import Endpoint, inference_endpoint
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.net.client import Network
from ccdoctor.net.settings import NetworkSettings
from ccdoctor.providers.bedrock import rest
from ccdoctor.providers.bedrock import wire as live
from ccdoctor.providers.bedrock.botocore_session import SessionInputs, effective_session, expiry_of
from ccdoctor.providers.bedrock.errors import Rule, classify

T = TypeVar("T")


class AuthMode(enum.StrEnum):
    SIGV4 = "SigV4-signed"
    BEARER = "Bedrock API key"
    UNSIGNED = "unsigned (CLAUDE_CODE_SKIP_BEDROCK_AUTH)"


def auth_mode(config: ResolvedConfig) -> AuthMode:
    if config.truthy(live.SKIP_AUTH_VARIABLE):
        return AuthMode.UNSIGNED
    if config.get(live.BEARER_VARIABLE) is not None:
        return AuthMode.BEARER
    return AuthMode.SIGV4


def base_url(config: ResolvedConfig) -> str | None:
    """ANTHROPIC_BEDROCK_BASE_URL as the client joins paths onto it; None when unset or
    unusable (proxy.config says why)."""
    endpoint = _endpoint(config)
    return endpoint.url if endpoint is not None and endpoint.custom else None


def base_url_unusable(config: ResolvedConfig) -> bool:
    """Set, but not a URL the client can use: it stops at once, and a check calling AWS
    directly instead would prove something about a set-up nobody uses."""
    raw = config.get(live.BASE_URL_VARIABLE)
    return raw is not None and bool(raw.strip()) and _endpoint(config) is None


def _endpoint(config: ResolvedConfig) -> Endpoint | None:
    try:
        return inference_endpoint(config)
    except ValueError:  # urlsplit refuses some malformed URLs, e.g. an unclosed IPv6 bracket
        return None


@dataclass(frozen=True)
class AwsSetup:
    """How ccdoctor calls AWS as the client does: the auth mode, base URL, bearer token and botocore
    session inputs."""

    auth: AuthMode
    base_url: str | None
    bearer_token: str | None
    session: SessionInputs


def aws_setup(
    config: ResolvedConfig, network: NetworkSettings, timeout: float, *, instance_role: bool
) -> AwsSetup:
    """`instance_role`: whether the credential chain may ask the EC2 instance metadata service.
    Only when the offline verdict says credentials come from there: elsewhere it would spend
    seconds waiting on a link-local address that does not answer."""
    environ = {name: value.text for name, value in config.env.items() if value.text is not None}
    files = config.aws_files
    environ["AWS_CONFIG_FILE"] = str(files.config_path)
    environ["AWS_SHARED_CREDENTIALS_FILE"] = str(files.credentials_path)
    if files.profile_from_env:
        # botocore tries AWS_DEFAULT_PROFILE before AWS_PROFILE; the client reads AWS_PROFILE.
        environ["AWS_DEFAULT_PROFILE"] = files.profile
    if not instance_role:
        environ["AWS_EC2_METADATA_DISABLED"] = "true"
    home = config.inputs.home
    login_cache = environ.get("AWS_LOGIN_CACHE_DIRECTORY") or str(home / ".aws" / "login" / "cache")
    return AwsSetup(
        auth=auth_mode(config),
        base_url=base_url(config),
        bearer_token=(config.get(live.BEARER_VARIABLE) or "").strip() or None,
        session=SessionInputs(
            region=config.bedrock_region.value,
            environ=environ,
            network=network,
            timeout=timeout,
            sso_cache=str(home / ".aws" / "sso" / "cache"),
            login_cache=login_cache,
        ),
    )


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwsAnswer:
    """A successful AWS API answer: the parsed data, the response headers and the URL called."""

    data: Mapping[str, Any]
    headers: Mapping[str, str]
    """Lower-cased response headers."""
    url: str

    @property
    def date(self) -> datetime | None:
        return _http_date(self.headers.get("date"))


@dataclass(frozen=True)
class AwsError:
    """An AWS call that failed: the error code and message, with the HTTP status and headers when an
    answer came."""

    code: str
    """The AWS error code, or the name of what botocore raised before an answer came."""
    message: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def rule(self) -> Rule:
        return classify(self.code, self.status, self.message)

    @property
    def date(self) -> datetime | None:
        return _http_date(self.headers.get("date"))

    def describe(self) -> str:
        status = f"HTTP {self.status} " if self.status else ""
        return f"{status}{self.code}: {self.message}".strip()


AwsResult = AwsAnswer | AwsError


def _http_date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    # A proxy that adds its own Date leaves two, joined by a comma: the first is the server's.
    first = raw.split(" GMT", 1)[0] + " GMT" if " GMT" in raw else raw
    try:
        parsed = parsedate_to_datetime(first)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else None


# --- the connection ------------------------------------------------------------------------------


class AwsLink:
    """One botocore session per run (made when first needed), shared by the checks' threads."""

    def __init__(self, setup: AwsSetup, network: Network) -> None:
        self.setup = setup
        self._network = network
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}

    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session = effective_session(self.setup.session)
            return self._session

    def client(self, service: str, region: str) -> Any:
        """A client for `service` in `region`; the Bedrock ones go to the base URL if set."""
        session = self.session()
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = session.create_client(
                    service,
                    region_name=region,
                    endpoint_url=self._endpoint_for(service, region),
                    config=self._auth_config(service),
                )
                token = self.setup.bearer_token
                if self.setup.auth is AuthMode.BEARER and token and _is_bedrock(service):
                    client.meta.events.register("before-send", functools.partial(_bearer, token))
                self._clients[key] = client
            return client

    def _endpoint_for(self, service: str, region: str) -> str | None:
        if not _is_bedrock(service):
            return None
        if self.setup.base_url is not None:
            return self.setup.base_url
        if service == live.RUNTIME_SERVICE:
            return "https://" + live.RUNTIME_HOST.format(region=region)
        return None

    def _auth_config(self, service: str) -> Any:
        from botocore import UNSIGNED
        from botocore.config import Config

        if not _is_bedrock(service):
            return None
        if self.setup.auth is AuthMode.SIGV4:
            # Said in code, so botocore's own bearer preference (read from os.environ) is off.
            return Config(signature_version="v4")
        # A Bedrock API key travels as a plain header (added before sending), as the client
        # sends it: botocore's bearer signer refuses http:// gateways the client happily uses.
        return Config(signature_version=UNSIGNED)

    def use_credentials(self, access_key: str, secret_key: str, token: str | None) -> None:
        """Sign with these instead of the chain's (what awsCredentialExport printed)."""
        self.session().set_credentials(access_key, secret_key, token)

    def credentials(self, timeout: float) -> CredentialsResult:
        """Force the chain to produce credentials, as the first signed request would: SSO and
        assumed roles resolve lazily, so `get_credentials()` alone says nothing."""

        def resolve() -> CredentialsResult:
            credentials = self.session().get_credentials()
            if credentials is None:
                return AwsError("NoCredentialsError", _NO_CREDENTIALS)
            frozen = credentials.get_frozen_credentials()
            expiry = expiry_of(credentials)
            return ResolvedCredentials(
                method=str(getattr(credentials, "method", "") or "unknown"),
                access_key=str(frozen.access_key),
                secret_key=str(frozen.secret_key),
                token=str(frozen.token) if frozen.token else None,
                expires_at=expiry,
            )

        return _bounded("credentials", resolve, timeout)

    def call(
        self,
        service: str,
        region: str,
        operation: str,
        timeout: float,
        params: Mapping[str, Any] | None = None,
    ) -> AwsResult:
        """One API call (`operation` is the botocore method name, e.g. `list_inference_profiles`),
        a streamed body read whole inside the same time limit."""

        over_rest = rest.OPERATIONS.get(operation)
        if over_rest is not None and over_rest.service == service:
            return _bounded(
                operation, lambda: self._rest(over_rest, region, params or {}, timeout), timeout
            )

        def work() -> AwsResult:
            client = self.client(service, region)
            response = getattr(client, operation)(**dict(params or {}))
            meta = response.get("ResponseMetadata", {})
            return AwsAnswer(
                {k: v for k, v in response.items() if k != "ResponseMetadata"},
                {k.lower(): str(v) for k, v in meta.get("HTTPHeaders", {}).items()},
                str(client.meta.endpoint_url),
            )

        return _bounded(operation, work, timeout)

    def _rest(
        self, operation: rest.Operation, region: str, params: Mapping[str, Any], timeout: float
    ) -> AwsResult:
        base = rest.endpoint(operation.service, region, self.setup.base_url)
        request = rest.build(operation, base, params)
        if self.setup.auth is AuthMode.BEARER and self.setup.bearer_token:
            request.headers["Authorization"] = f"Bearer {self.setup.bearer_token}"
        elif self.setup.auth is AuthMode.SIGV4:
            signed = self._signed(request, region)
            if isinstance(signed, AwsError):
                return signed
            request = signed
        sent = rest.send(self._network, request, timeout, operation.stream)
        if len(sent) == 2:
            data, headers = sent
            return AwsAnswer(data, headers, base)
        code, message, status, headers = sent
        # Event-stream exceptions arrive as throttlingException; botocore capitalises them.
        return AwsError(code[:1].upper() + code[1:], message, status, headers)

    def _signed(self, request: rest.Request, region: str) -> rest.Request | AwsError:
        credentials = self.session().get_credentials()
        if credentials is None:
            return AwsError("NoCredentialsError", _NO_CREDENTIALS)
        frozen = credentials.get_frozen_credentials()
        headers = sigv4_headers(
            SigningKeys(frozen.access_key, frozen.secret_key, frozen.token),
            rest.SIGNING_NAME,
            region,
            request.method,
            request.url,
            request.body,
            request.headers,
        )
        return rest.Request(request.method, request.url, headers, request.body)


@dataclass(frozen=True)
class ResolvedCredentials:
    """The credentials the AWS chain produced, the provider that produced them, and their expiry."""

    method: str
    access_key: str
    secret_key: str
    token: str | None
    expires_at: datetime | None


CredentialsResult = ResolvedCredentials | AwsError


@dataclass(frozen=True)
class SigningKeys:
    """The access key, secret and session token a SigV4 signature is made with."""

    access_key: str
    secret_key: str
    token: str | None


def sigv4_headers(
    keys: SigningKeys,
    service: str,
    region: str,
    method: str,
    url: str,
    body: bytes | None,
    headers: Mapping[str, str],
) -> dict[str, str]:
    """`headers` with SigV4's added, as botocore's signer computes them (the reference the fakes
    verify against too)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
    signer = Credentials(keys.access_key, keys.secret_key, keys.token)
    SigV4Auth(signer, service, region).add_auth(request)
    return dict(request.headers.items())


_NO_CREDENTIALS = "Unable to locate credentials"


def _is_bedrock(service: str) -> bool:
    return service in (live.CONTROL_SERVICE, live.RUNTIME_SERVICE)


def _bearer(token: str, request: Any, **_: Any) -> None:
    request.headers["Authorization"] = f"Bearer {token}"


def _error_of(exc: Exception) -> AwsError:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        response: Mapping[str, Any] = exc.response
        error = response.get("Error", {})
        meta = response.get("ResponseMetadata", {})
        status = meta.get("HTTPStatusCode") or None
        code = str(error.get("Code") or status or "Unknown")
        return AwsError(
            code[:1].upper() + code[1:],  # event-stream exceptions arrive as throttlingException
            str(error.get("Message") or error.get("message") or ""),
            int(status) if status else None,
            {k.lower(): str(v) for k, v in meta.get("HTTPHeaders", {}).items()},
        )
    return AwsError(type(exc).__name__, str(exc))


def _bounded(name: str, work: Callable[[], T], timeout: float) -> T | AwsError:
    """`work()`, abandoned after `timeout` seconds of wall-clock time whatever the peer does;
    anything it raises (botocore's errors, a parameter it refuses) becomes an AwsError."""
    box: dict[str, T | AwsError] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except Exception as exc:
            box["result"] = _error_of(exc)

    worker = threading.Thread(target=run, name=f"ccdoctor-aws-{name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if "result" not in box:
        return AwsError("Timeout", f"no complete answer within {timeout:.1f} s")
    return box["result"]
