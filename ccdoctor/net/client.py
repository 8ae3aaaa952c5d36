"""The one HTTP client, configured like the Node client: its proxy, its roots, its client cert.

Every request is bounded by a wall-clock limit, not only by httpx's per-read timeouts (a server
sending one byte a second never trips those), reads at most a small body, and never follows a
redirect: a credential must not travel to a host the user did not name.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ccdoctor.net.probe import VERIFY_CODES, Cause, Reachability, probe, target_of
from ccdoctor.net.settings import NetworkSettings, ProxyChoice
from ccdoctor.net.tls import HandshakeWatch, TrustSetup, client_context, trust_problems, watching

if TYPE_CHECKING:
    import httpx


T = TypeVar("T")
BODY_CAP = 64 * 1024
USER_AGENT = "ccdoctor (+https://github.com/ccdoctor)"


@dataclass(frozen=True)
class HttpAnswer:
    """An HTTP response as ccdoctor keeps it: status, headers, body (capped) and time taken."""

    status: int
    headers: Mapping[str, str]
    body: str
    elapsed_ms: float
    truncated: bool = False
    raw: bytes = b""
    """The body as it came (at most the request's cap), for binary framings."""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass(frozen=True)
class HttpFailure:
    """A request that got no HTTP answer: the cause, its detail and the time until it failed."""

    cause: Cause
    detail: str
    elapsed_ms: float


@dataclass
class Network:
    """The run's HTTP clients, set up with the client's proxy and trust settings and created on
    first use."""

    settings: NetworkSettings
    _trust: TrustSetup | None = field(default=None, init=False)
    _problems: tuple[str, ...] | None = field(default=None, init=False)
    _clients: dict[tuple[str | None, bool], httpx.Client] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    @property
    def trust(self) -> TrustSetup:
        with self._lock:
            if self._trust is None:
                self._trust = client_context(self.settings)
            return self._trust

    @property
    def trust_problems(self) -> tuple[str, ...]:
        """The user's CA and client-certificate files that would not load; cheap when the roots
        were never needed."""
        with self._lock:
            if self._trust is not None:
                return self._trust.problems
            if self._problems is None:
                self._problems = trust_problems(self.settings)
            return self._problems

    @property
    def context(self) -> ssl.SSLContext:
        return self.trust.context

    def reachability(self, url: str, timeout: float) -> Reachability:
        """The staged probe, over the run's context (loaded on first use: only a TLS target
        pays for the roots), watching its own handshake for a client-certificate demand."""
        watch = HandshakeWatch()
        with watching(watch):
            return probe(url, self.settings, lambda: self.context, timeout, watch)

    def _client(self, url: str) -> httpx.Client:
        import httpx

        scheme, host, port = target_of(url)
        proxy = self.settings.proxy_for(scheme, host, port)
        key = (proxy.url if proxy else None, scheme == "https")
        # Plain-HTTP targets never use the roots; loading them costs tens of milliseconds.
        verify: ssl.SSLContext | bool = self.context if scheme == "https" else False
        through = self._proxy(proxy)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                transport = httpx.HTTPTransport(verify=verify, proxy=through, retries=0)
                client = httpx.Client(
                    transport=transport,
                    trust_env=False,
                    follow_redirects=False,
                    headers={"user-agent": USER_AGENT},
                )
                self._clients[key] = client
            return client

    def _proxy(self, proxy: ProxyChoice | None) -> httpx.Proxy | None:
        """An https:// proxy is trusted as the client trusts it: with the same roots as the
        endpoints (httpx would use only certifi's)."""
        import httpx

        if proxy is None:
            return None
        headers = {"Proxy-Authorization": proxy.authorization} if proxy.authorization else None
        tls = urlsplit(proxy.url).scheme.lower() == "https"
        context = self.context if tls else None
        return httpx.Proxy(proxy.url, ssl_context=context, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        content: bytes | str | None = None,
        cap: int = BODY_CAP,
    ) -> HttpAnswer | HttpFailure:
        """One request, abandoned after `timeout` seconds of wall-clock time whatever the peer
        does. The body is `json_body` as JSON, or `content` as it is (e.g. a form); at most `cap`
        bytes of the answer are read (a listing needs more than a probe's answer)."""
        box: dict[str, HttpAnswer | HttpFailure] = {}
        start = time.perf_counter()

        def work() -> None:
            try:
                box["result"] = self._send(
                    method, url, timeout, headers or {}, json_body, content, start, cap
                )
            except Exception as exc:  # an escape from this thread would print a traceback
                box["result"] = HttpFailure(Cause.HTTP_CLOSED, _describe(exc), _ms(start))

        worker = threading.Thread(target=work, name="ccdoctor-http", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive() or "result" not in box:
            return HttpFailure(
                Cause.HTTP_TIMEOUT, f"no complete answer within {timeout:g} s", _ms(start)
            )
        return box["result"]

    def _send(
        self,
        method: str,
        url: str,
        timeout: float,
        headers: Mapping[str, str],
        json_body: Any,
        content: bytes | str | None,
        start: float,
        cap: int,
    ) -> HttpAnswer | HttpFailure:
        import httpx

        try:
            client = self._client(url)
            with client.stream(
                method, url, headers=dict(headers), json=json_body, content=content, timeout=timeout
            ) as response:
                if response.status_code == 407 and self._proxied(url):
                    # Plain HTTP through a proxy: the proxy's own refusal arrives as a response.
                    return HttpFailure(
                        Cause.PROXY_AUTH,
                        "the proxy answered 407 Proxy Authentication Required",
                        _ms(start),
                    )
                raw, truncated = _read_capped(response, start, timeout, cap)
                return HttpAnswer(
                    response.status_code,
                    {k.lower(): v for k, v in response.headers.items()},
                    raw.decode("utf-8", "replace"),
                    _ms(start),
                    truncated,
                    raw,
                )
        except httpx.HTTPError as exc:
            return HttpFailure(classify_exception(exc), _describe(exc), _ms(start))
        except (ssl.SSLError, OSError, ValueError) as exc:
            return HttpFailure(Cause.HTTP_CLOSED, _describe(exc), _ms(start))
        except RuntimeError as exc:
            # httpx refuses a client closed under the request: the run ended while an abandoned
            # check was still starting one.
            return HttpFailure(Cause.HTTP_CLOSED, _describe(exc), _ms(start))

    def _proxied(self, url: str) -> bool:
        scheme, host, port = target_of(url)
        return self.settings.proxy_for(scheme, host, port) is not None

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


def _read_capped(
    response: httpx.Response, start: float, timeout: float, cap: int
) -> tuple[bytes, bool]:
    """At most `cap` bytes, and nothing after the request's wall-clock limit: the caller has
    stopped waiting by then, so this thread stops reading and lets the connection go."""
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= cap or time.perf_counter() - start > timeout:
            return data[:cap], True
    return data, False


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def classify_exception(exc: BaseException) -> Cause:
    import httpx

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return VERIFY_CODES.get(cause.verify_code, Cause.TLS_OTHER)
        if isinstance(cause, ssl.SSLError):
            text = str(cause)
            if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text.lower():
                return Cause.TLS_TO_PLAIN_PORT
            return Cause.TLS_OTHER
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ProxyError):
        text = str(exc)
        if "407" in text:
            return Cause.PROXY_AUTH
        if any(code in text for code in ("502", "503", "504")):
            return Cause.PROXY_BAD_GATEWAY
        return Cause.PROXY_REJECTED
    if isinstance(exc, httpx.ConnectTimeout):
        return Cause.CONNECT_TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "refused" in text:
            return Cause.REFUSED
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
            return Cause.DNS_FAILED
        return Cause.UNREACHABLE
    if isinstance(exc, httpx.TimeoutException):
        return Cause.HTTP_TIMEOUT
    if isinstance(exc, httpx.RemoteProtocolError):
        return Cause.HTTP_GARBAGE
    return Cause.HTTP_CLOSED


def background(call: Callable[[], T]) -> Future[T]:
    """Start an independent request now and collect it later, so a check that needs several
    answers waits for the slowest, not for their sum. Each request bounds its own time."""
    future: Future[T] = Future()

    def work() -> None:
        try:
            future.set_result(call())
        except BaseException as exc:  # handed to whoever collects the result
            future.set_exception(exc)

    threading.Thread(target=work, name="ccdoctor-background", daemon=True).start()
    return future
