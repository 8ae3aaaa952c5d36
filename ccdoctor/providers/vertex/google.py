"""Google access tokens minted the way the client mints them, over ccdoctor's network settings.

The client refreshes its Google token through the same agent as its API calls: the proxy from
https_proxy/HTTPS_PROXY, the bundled roots plus NODE_EXTRA_CA_CERTS, the client certificate.
google-auth's own transports would use `requests` and its defaults, so a token could be minted
here and not there, or the reverse. `NetworkRequest` is a google.auth.transport.Request over
those settings; like the rest of ccdoctor it never follows a redirect (a refresh token must not
travel to a host the credential file did not name).

google.auth is imported only inside functions: it costs ~90 ms that offline runs never pay.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import json
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ccdoctor.host.commands import library_processes
from ccdoctor.net.client import HttpFailure, Network
from ccdoctor.net.probe import Cause, target_of
from ccdoctor.net.settings import ProxyChoice
from ccdoctor.providers.vertex import wire as vertex

if TYPE_CHECKING:
    pass

_QUOTA_WARNING = "Your application has authenticated using end user credentials"
"""google-auth warns on stderr about user credentials without a quota project; ccdoctor reports
that itself, with the fix."""
_ENV_MODULES = ("pluggable", "aws")
"""google-auth's modules that read os.environ while a credential file is loaded and refreshed:
the executable source (GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES, its command's environment)
and the AWS source (AWS_REGION, AWS_ACCESS_KEY_ID, ...)."""
_GENERIC_LOAD_WARNING = "The load_credentials_from_file method is deprecated"
"""google-auth discourages loading a file of any type; google.auth.default() does exactly that,
and so does the client, so ccdoctor must too."""


@dataclass(frozen=True)
class TransportFailure:
    """A Google request that got no answer: the URL, the cause and detail, and the proxy it went
    through."""

    url: str
    cause: Cause
    detail: str
    proxy: ProxyChoice | None = None
    """The proxy the request went through, if any."""

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return target_of(self.url)[2]


class NetworkResponse:
    """A google.auth.transport.Response (registered as one on first use)."""

    def __init__(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
        self._status = status
        self._headers = dict(headers)
        self._data = data

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data


class NetworkRequest:
    """A google.auth.transport.Request (registered as one on first use) that sends through the
    client's proxy with the client's trust. It remembers what a caller needs to explain a
    failure: the last URL, the last transport failure, and the server's clock."""

    def __init__(self, network: Network, timeout: float) -> None:
        _register_with_google_auth()
        self._network = network
        self._timeout = timeout
        self.last_url: str | None = None
        self.failure: TransportFailure | None = None
        self.server_date: datetime.datetime | None = None

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> NetworkResponse:
        from google.auth import exceptions

        self.last_url = url
        self.failure = None
        limit = min(timeout, self._timeout) if timeout else self._timeout
        scheme, host, port = target_of(url)
        proxy = self._network.settings.proxy_for(scheme, host, port)
        answer = self._network.request(method, url, limit, headers, content=body)
        if isinstance(answer, HttpFailure):
            cause = _through(proxy, answer.cause)
            self.failure = TransportFailure(url, cause, answer.detail, proxy)
            raise exceptions.TransportError(answer.detail)  # type: ignore[no-untyped-call]
        self._note_date(answer.headers.get("date"))
        return NetworkResponse(answer.status, answer.headers, answer.body.encode("utf-8"))

    def _note_date(self, value: str | None) -> None:
        if not value:
            return
        try:
            self.server_date = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return


@functools.cache
def _register_with_google_auth() -> None:
    import google.auth.transport

    google.auth.transport.Request.register(NetworkRequest)
    google.auth.transport.Response.register(NetworkResponse)


def _through(proxy: ProxyChoice | None, cause: Cause) -> Cause:
    """Through a proxy, the connection that is refused or unanswered is the proxy's."""
    if proxy is None:
        return cause
    return {Cause.REFUSED: Cause.PROXY_REFUSED, Cause.CONNECT_TIMEOUT: Cause.PROXY_TIMEOUT}.get(
        cause, cause
    )


# --- minting a token ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MintedToken:
    """A Google access token minted as the client would, with its expiry, the credential and
    principal behind it, and the projects named."""

    token: str
    expiry: datetime.datetime | None
    """Naive UTC, as google-auth keeps it."""
    credential_class: str
    principal: str | None
    quota_project: str | None
    project: str | None
    """The project the credential itself names (a key file's project_id, the VM's project)."""
    token_url: str | None
    elapsed_ms: float

    def minutes_left(self, now: datetime.datetime) -> int | None:
        if self.expiry is None:
            return None
        return int((self.expiry - now).total_seconds() // 60)


class ExecutableTimeout(Exception):
    """An executable-sourced credential's command overstayed the step and was killed with its
    children: the credential is unproven, not refused."""


EXECUTABLE_TIMEOUT = ExecutableTimeout.__name__


@dataclass(frozen=True)
class TokenError:
    """Why minting a Google access token failed: the exception, its text, the network failure or
    token endpoint, and the server's date."""

    exception_names: tuple[str, ...]
    """The exception's class and its bases, nearest first (e.g. RefreshError, GoogleAuthError)."""
    text: str
    transport: TransportFailure | None
    token_url: str | None
    server_date: datetime.datetime | None
    elapsed_ms: float


def mint_from_file(
    network: Network,
    path: Path,
    credential_type: str | None,
    quota_project: str | None,
    timeout: float,
    environ: Mapping[str, str],
) -> MintedToken | TokenError:
    """Load a credential file (of the `type` it was judged to hold) as google.auth.default()
    would and refresh it once, with the library reading `environ` (the effective environment)
    where it would read os.environ."""
    # Imported before the clock starts: on a loaded machine an import inside the step's time
    # left the command's kill too little of it to be told as what it was.
    modules = [importlib.import_module(f"google.auth.{name}") for name in _ENV_MODULES]

    scopes = [vertex.CLOUD_PLATFORM_SCOPE]
    # Loaded with scopes, an external_account file makes google-auth ask Cloud Resource Manager
    # for its project (its own transport, off ccdoctor's network); the client never does
    # (tests/facts/leftovers.md), so the scopes are added after loading.
    load_scopes = None if credential_type == "external_account" else scopes

    def mint(request: NetworkRequest) -> MintedToken:
        import google.auth
        from google.auth.credentials import with_scopes_if_required

        warnings.filterwarnings("ignore", message=_QUOTA_WARNING)
        warnings.filterwarnings("ignore", message=_GENERIC_LOAD_WARNING)
        # An executable-sourced credential's command is started by google-auth itself (loading
        # the file already runs it, for the project); it must end before the step does, so
        # that what happened, not a bare time-out, is told. The client's library reads the
        # allow-executables switch and AWS_* from the client's process, whose environment
        # holds the settings files' env blocks: these modules read the effective one too, and
        # so does the command they start.
        with library_processes(modules, timeout * 0.8, environ=environ) as bounded:
            try:
                credentials, project = google.auth.load_credentials_from_file(  # type: ignore[no-untyped-call]
                    str(path), scopes=load_scopes, quota_project_id=quota_project
                )
                credentials = with_scopes_if_required(credentials, scopes)  # type: ignore[no-untyped-call]
                start = time.perf_counter()
                credentials.refresh(request)
            except Exception as exc:
                if bounded.killed:
                    raise ExecutableTimeout(
                        f"the credential's executable ({bounded.killed[0]}) did not finish "
                        f"within {bounded.seconds:.1f} s and was killed"
                    ) from exc
                raise
        return MintedToken(
            token=str(credentials.token),
            expiry=getattr(credentials, "expiry", None),
            credential_class=f"{type(credentials).__module__}.{type(credentials).__name__}",
            principal=_principal(credentials),
            quota_project=getattr(credentials, "quota_project_id", None) or None,
            project=project if isinstance(project, str) and project else None,
            token_url=request.last_url,
            elapsed_ms=_ms(start),
        )

    return _bounded(network, timeout, mint)


def mint_from_metadata(network: Network, host: str, timeout: float) -> MintedToken | TokenError:
    """The token, account and project a Google Cloud VM's metadata server hands out; the
    requests Node's gcp-metadata makes, without google-auth's module-level host setting."""

    def mint(request: NetworkRequest) -> MintedToken:
        root = f"http://{host}{vertex.METADATA_ROOT}"
        start = time.perf_counter()
        token_url = f"{root}{vertex.METADATA_TOKEN_PATH}?scopes={vertex.CLOUD_PLATFORM_SCOPE}"
        data = json.loads(_metadata_get(request, token_url))
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise ValueError("the metadata server's token answer has no access_token")
        expires_in = data.get("expires_in")
        expiry = None
        if isinstance(expires_in, int | float):
            now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
            expiry = now + datetime.timedelta(seconds=expires_in)
        elapsed = _ms(start)
        email = _metadata_get(request, root + vertex.METADATA_EMAIL_PATH).strip()
        project = _metadata_get(request, root + vertex.METADATA_PROJECT_PATH).strip()
        return MintedToken(
            token=data["access_token"],
            expiry=expiry,
            credential_class="google.auth.compute_engine.credentials.Credentials",
            principal=email or None,
            quota_project=None,
            project=project or None,
            token_url=token_url,
            elapsed_ms=elapsed,
        )

    return _bounded(network, timeout, mint)


def _metadata_get(request: NetworkRequest, url: str) -> str:
    from google.auth import exceptions

    response = request(url, "GET", headers=vertex.METADATA_HEADERS)
    text = response.data.decode("utf-8", "replace")
    if response.status != 200:
        raise exceptions.RefreshError(  # type: ignore[no-untyped-call]
            f"the metadata server answered {response.status} for {urlsplit(url).path}: {text[:200]}"
        )
    return text


def _bounded(
    network: Network, timeout: float, mint: Callable[[NetworkRequest], MintedToken]
) -> MintedToken | TokenError:
    """Run `mint` within `timeout` seconds of wall-clock time. google-auth retries some token
    endpoint answers with back-off sleeps of its own; an abandoned attempt is a timeout."""
    request = NetworkRequest(network, timeout)
    box: dict[str, MintedToken | TokenError] = {}
    start = time.perf_counter()

    def work() -> None:
        try:
            box["result"] = mint(request)
        except Exception as exc:  # google-auth raises its own errors and plain ValueErrors
            box["result"] = TokenError(
                _exception_names(exc),
                _exception_text(exc),
                request.failure,
                request.last_url,
                request.server_date,
                _ms(start),
            )

    worker = threading.Thread(target=work, name="ccdoctor-google-token", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or "result" not in box:
        url = request.last_url or ""
        return TokenError(
            ("TransportError", "GoogleAuthError"),
            f"no token within {timeout:g} s",
            TransportFailure(url, Cause.HTTP_TIMEOUT, f"no complete answer within {timeout:g} s"),
            request.last_url,
            request.server_date,
            _ms(start),
        )
    return box["result"]


def _principal(credentials: Any) -> str | None:
    for attribute in ("service_account_email", "signer_email", "account"):
        value = getattr(credentials, attribute, None)
        if isinstance(value, str) and value and value != "default":
            return value
    return None


def _exception_names(exc: BaseException) -> tuple[str, ...]:
    return tuple(cls.__name__ for cls in type(exc).__mro__ if cls not in (object, BaseException))


def _exception_text(exc: BaseException) -> str:
    """google-auth's RefreshError carries (message, response JSON); the message is enough."""
    first = exc.args[0] if exc.args else None
    text = first if isinstance(first, str) else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
