"""Reachability by stage — DNS, TCP connect, proxy tunnel, TLS handshake, HTTP answer — each timed,
so a failure names the hop that broke. The path is the client's: through the proxy it would use,
trusting the roots it would trust."""

from __future__ import annotations

import base64
import dataclasses
import enum
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from ccdoctor.net.settings import NetworkSettings, ProxyChoice
from ccdoctor.net.tls import HandshakeWatch, PresentedCertificate, describe_certificate

_HEADER_CAP = 16 * 1024
_PLAIN_PROXY_WAIT = 1.0
"""Seconds a TLS handshake with an https:// proxy may stall before the proxy is asked whether
it speaks plain HTTP (a handshake completes in a round trip or two)."""
_STALLED = "the TLS handshake stalled"
T = TypeVar("T")


class Stage(enum.StrEnum):
    DNS = "dns"
    CONNECT = "connect"
    PROXY = "proxy"
    TLS = "tls"
    HTTP = "http"


class Cause(enum.StrEnum):
    """Why a stage failed; `ccdoctor.knowledge.connectivity` maps each to its fix."""

    DNS_FAILED = "dns_failed"
    DNS_TIMEOUT = "dns_timeout"
    REFUSED = "refused"
    CONNECT_TIMEOUT = "connect_timeout"
    UNREACHABLE = "unreachable"
    PROXY_REFUSED = "proxy_refused"
    PROXY_TIMEOUT = "proxy_timeout"
    PROXY_AUTH = "proxy_auth"
    PROXY_BAD_GATEWAY = "proxy_bad_gateway"
    PROXY_REJECTED = "proxy_rejected"
    PROXY_NOT_TLS = "proxy_not_tls"
    PROXY_TLS = "proxy_tls"
    TLS_UNKNOWN_ISSUER = "tls_unknown_issuer"
    TLS_SELF_SIGNED = "tls_self_signed"
    TLS_SELF_SIGNED_IN_CHAIN = "tls_self_signed_in_chain"
    TLS_HOSTNAME = "tls_hostname"
    TLS_EXPIRED = "tls_expired"
    TLS_NOT_YET_VALID = "tls_not_yet_valid"
    TLS_TO_PLAIN_PORT = "tls_to_plain_port"
    TLS_CLIENT_CERT = "tls_client_cert"
    TLS_TIMEOUT = "tls_timeout"
    TLS_OTHER = "tls_other"
    PLAIN_TO_TLS_PORT = "plain_to_tls_port"
    HTTP_TIMEOUT = "http_timeout"
    HTTP_GARBAGE = "http_garbage"
    HTTP_CLOSED = "http_closed"


VERIFY_CODES = {
    9: Cause.TLS_NOT_YET_VALID,
    10: Cause.TLS_EXPIRED,
    18: Cause.TLS_SELF_SIGNED,
    19: Cause.TLS_SELF_SIGNED_IN_CHAIN,
    20: Cause.TLS_UNKNOWN_ISSUER,
    21: Cause.TLS_UNKNOWN_ISSUER,
    62: Cause.TLS_HOSTNAME,
    64: Cause.TLS_HOSTNAME,
}


_CERTIFICATE_CAUSES = frozenset(
    {
        Cause.TLS_UNKNOWN_ISSUER,
        Cause.TLS_SELF_SIGNED,
        Cause.TLS_SELF_SIGNED_IN_CHAIN,
        Cause.TLS_HOSTNAME,
        Cause.TLS_EXPIRED,
        Cause.TLS_NOT_YET_VALID,
    }
)
"""Failures where naming the presented certificate (issuer, names, dates) tells the fix."""


@dataclass(frozen=True)
class StageTiming:
    """How long one stage of the reachability probe (DNS, connect, proxy, TLS, HTTP) took, and
    whether it passed."""

    stage: Stage
    ms: float
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class StageFailure:
    """The probe stage that failed, its cause and detail, and the certificate presented when TLS was
    at fault."""

    stage: Stage
    cause: Cause
    detail: str
    certificate: PresentedCertificate | None = None


@dataclass(frozen=True)
class Reachability:
    """The staged probe of one URL: the target, the proxy used, each stage's timing, and the failure
    if any."""

    url: str
    host: str
    port: int
    proxy: ProxyChoice | None
    stages: tuple[StageTiming, ...]
    failure: StageFailure | None
    status_line: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


class _Failed(Exception):
    def __init__(self, failure: StageFailure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


def target_of(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, host, port


def probe(
    url: str,
    settings: NetworkSettings,
    context: Callable[[], ssl.SSLContext],
    timeout: float,
    watch: HandshakeWatch | None = None,
) -> Reachability:
    """Walk the stages to `url`'s host and stop at the first that fails. Each stage gets
    `timeout` seconds of wall-clock time; `watch` (from the context's handshake callback) tells a
    server that wants a client certificate from one that merely hangs up."""
    scheme, host, port = target_of(url)
    proxy = settings.proxy_for(scheme, host, port)
    seen = watch or HandshakeWatch()
    timings: list[StageTiming] = []
    sock: socket.socket | None = None
    try:
        sock = _open(scheme, host, port, proxy, timeout, timings, context)
        if _is_tls_proxy(proxy):
            # The tunnel inside a TLS session with the proxy needs TLS in TLS, which a plain
            # socket cannot do: the stages stop at the proxy, and the model calls (httpx speaks
            # TLS in TLS) walk the rest.
            return Reachability(url, host, port, proxy, tuple(timings), None)
        if scheme == "https":
            plain = sock
            sock = _timed(
                timings, Stage.TLS, lambda: _handshake(plain, host, context(), timeout, seen)
            )
        answered = sock
        status_line = _timed(
            timings, Stage.HTTP, lambda: _http_answer(answered, url, proxy, timeout, seen)
        )
        return Reachability(url, host, port, proxy, tuple(timings), None, status_line)
    except _Failed as failed:
        failure = failed.failure
        if failure.cause in _CERTIFICATE_CAUSES:
            certificate = _presented(scheme, host, port, proxy, timeout)
            failure = dataclasses.replace(failure, certificate=certificate)
        return Reachability(url, host, port, proxy, tuple(timings), failure)
    finally:
        if sock is not None:
            sock.close()


def _open(
    scheme: str,
    host: str,
    port: int,
    proxy: ProxyChoice | None,
    timeout: float,
    timings: list[StageTiming],
    context: Callable[[], ssl.SSLContext] | None = None,
) -> socket.socket:
    if proxy is None:
        addresses = _timed(timings, Stage.DNS, lambda: _resolve(host, port, timeout, False))
        return _timed(timings, Stage.CONNECT, lambda: _connect(addresses, timeout, False))
    _, proxy_host, proxy_port = target_of(proxy.url)
    addresses = _timed(timings, Stage.DNS, lambda: _resolve(proxy_host, proxy_port, timeout, True))
    sock = _timed(timings, Stage.CONNECT, lambda: _connect(addresses, timeout, True))
    if _is_tls_proxy(proxy):
        # The client speaks TLS to an https:// proxy before it asks for a tunnel, and trusts
        # the proxy's certificate as it trusts an endpoint's.
        tls_context = context() if context is not None else ssl.create_default_context()
        plain = sock
        sock = _timed(
            timings,
            Stage.PROXY,
            lambda: _tls_to_proxy(plain, addresses, (host, port), proxy, tls_context, timeout),
        )
    if scheme == "https":
        tunnel = sock
        _timed(timings, Stage.PROXY, lambda: _tunnel(tunnel, host, port, proxy, timeout))
    return sock


def _is_tls_proxy(proxy: ProxyChoice | None) -> bool:
    return proxy is not None and urlsplit(proxy.url).scheme.lower() == "https"


def _tls_to_proxy(
    sock: socket.socket,
    addresses: list[tuple[object, ...]],
    target: tuple[str, int],
    proxy: ProxyChoice,
    context: ssl.SSLContext,
    timeout: float,
) -> socket.socket:
    """The TLS session with an https:// proxy. A plain proxy written https:// (the usual slip)
    may wait for a request line and let the handshake stall: after a short wait the proxy is
    asked in plain, and a tunnel granted or credentials asked for can only come from a proxy
    speaking plain HTTP. Otherwise the handshake gets its whole timeout on a new connection."""
    _, proxy_host, _ = target_of(proxy.url)
    try:
        return _proxy_handshake(sock, proxy_host, context, min(timeout, _PLAIN_PROXY_WAIT))
    except _Failed as failed:
        if failed.failure.detail != _STALLED or timeout <= _PLAIN_PROXY_WAIT:
            raise
    sock.close()
    if _speaks_plain_proxy(addresses, target, proxy, timeout):
        raise _Failed(
            StageFailure(Stage.PROXY, Cause.PROXY_NOT_TLS, "the proxy answered a plain CONNECT")
        )
    fresh = _connect(addresses, timeout, True)
    return _proxy_handshake(fresh, proxy_host, context, timeout)


def _speaks_plain_proxy(
    addresses: list[tuple[object, ...]], target: tuple[str, int], proxy: ProxyChoice, timeout: float
) -> bool:
    try:
        with _connect(addresses, timeout, True) as plain:
            _tunnel(plain, *target, proxy, timeout)
    except _Failed as failed:
        return failed.failure.cause is Cause.PROXY_AUTH
    return True


def _proxy_handshake(
    sock: socket.socket, host: str, context: ssl.SSLContext, timeout: float
) -> socket.socket:
    sock.settimeout(timeout)
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except ssl.SSLError as exc:
        text = str(exc)
        plain = "WRONG_VERSION_NUMBER" in text or "record layer failure" in text.lower()
        cause = Cause.PROXY_NOT_TLS if plain else Cause.PROXY_TLS
        raise _Failed(StageFailure(Stage.PROXY, cause, text)) from None
    except TimeoutError:
        raise _Failed(StageFailure(Stage.PROXY, Cause.PROXY_TLS, _STALLED)) from None
    except OSError as exc:
        raise _Failed(StageFailure(Stage.PROXY, Cause.PROXY_TLS, str(exc))) from None


def _timed(timings: list[StageTiming], stage: Stage, step: Callable[[], T]) -> T:
    start = time.perf_counter()
    try:
        value = step()
    except _Failed:
        timings.append(StageTiming(stage, _ms(start), False))
        raise
    timings.append(StageTiming(stage, _ms(start), True))
    return value


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _resolve(host: str, port: int, timeout: float, for_proxy: bool) -> list[tuple[object, ...]]:
    """getaddrinfo cannot be given a timeout, so it runs in a thread we stop waiting for."""
    box: dict[str, object] = {}

    def lookup() -> None:
        try:
            box["result"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            box["error"] = exc

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(timeout)
    what = f"proxy host {host}" if for_proxy else host
    if worker.is_alive():
        raise _Failed(
            StageFailure(Stage.DNS, Cause.DNS_TIMEOUT, f"{what}: no DNS answer in {timeout:g} s")
        )
    if "error" in box:
        raise _Failed(StageFailure(Stage.DNS, Cause.DNS_FAILED, f"{what}: {box['error']}"))
    result = box["result"]
    assert isinstance(result, list)
    return result


def _connect(addresses: list[tuple[object, ...]], timeout: float, to_proxy: bool) -> socket.socket:
    last: OSError | None = None
    deadline = time.monotonic() + timeout
    for family, kind, proto, _, address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        sock = socket.socket(family, kind, proto)  # type: ignore[arg-type]
        sock.settimeout(remaining)
        try:
            sock.connect(address)  # type: ignore[arg-type]
        except OSError as exc:
            sock.close()
            last = exc
            continue
        sock.settimeout(timeout)
        return sock
    target = f"{addresses[0][4][0]}:{addresses[0][4][1]}" if addresses else "?"  # type: ignore[index]
    if isinstance(last, ConnectionRefusedError):
        cause = Cause.PROXY_REFUSED if to_proxy else Cause.REFUSED
        raise _Failed(StageFailure(Stage.CONNECT, cause, f"{target}: connection refused"))
    if last is None or isinstance(last, TimeoutError | socket.timeout):
        cause = Cause.PROXY_TIMEOUT if to_proxy else Cause.CONNECT_TIMEOUT
        raise _Failed(StageFailure(Stage.CONNECT, cause, f"{target}: no answer in {timeout:g} s"))
    cause = Cause.PROXY_REFUSED if to_proxy else Cause.UNREACHABLE
    raise _Failed(StageFailure(Stage.CONNECT, cause, f"{target}: {last}"))


def _tunnel(sock: socket.socket, host: str, port: int, proxy: ProxyChoice, timeout: float) -> None:
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}", *_proxy_credentials(proxy)]
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = _read_head(sock, timeout)
    except TimeoutError:
        raise _Failed(
            StageFailure(
                Stage.PROXY, Cause.PROXY_TIMEOUT, f"proxy did not answer CONNECT in {timeout:g} s"
            )
        ) from None
    except OSError as exc:
        raise _Failed(
            StageFailure(Stage.PROXY, Cause.PROXY_REJECTED, f"proxy closed: {exc}")
        ) from None
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1").strip()
    code = _status_code(status_line)
    if code == 200:
        return
    if code == 407:
        cause = Cause.PROXY_AUTH
    elif code in (502, 503, 504):
        cause = Cause.PROXY_BAD_GATEWAY
    else:
        cause = Cause.PROXY_REJECTED
    raise _Failed(StageFailure(Stage.PROXY, cause, f"proxy answered CONNECT with {status_line!r}"))


def _proxy_credentials(proxy: ProxyChoice | None) -> list[str]:
    """The Proxy-Authorization header line for credentials in the proxy URL, as the client's
    proxy agent sends them (basic auth), on CONNECT and on plain requests alike; a
    proxyAuthHelper's value replaces them."""
    if proxy is not None and proxy.authorization is not None:
        return [f"Proxy-Authorization: {proxy.authorization}"]
    parts = urlsplit(proxy.url) if proxy is not None else None
    if parts is None or parts.username is None:
        return []
    token = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return ["Proxy-Authorization: Basic " + base64.b64encode(token.encode()).decode()]


def _read_head(sock: socket.socket, timeout: float) -> bytes:
    """The response head, within `timeout` seconds of wall-clock time: a server trickling one
    byte a second never trips a per-read timeout, so the whole read has a deadline."""
    data = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in data and len(data) < _HEADER_CAP:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(
                f"only {len(data)} bytes in {timeout:g} s" if data else f"nothing in {timeout:g} s"
            )
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            continue
        if not chunk:
            break
        data += chunk
    return data


def _handshake(
    sock: socket.socket, host: str, context: ssl.SSLContext, timeout: float, seen: HandshakeWatch
) -> socket.socket:
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        cause = VERIFY_CODES.get(exc.verify_code, Cause.TLS_OTHER)
        raise _Failed(StageFailure(Stage.TLS, cause, exc.verify_message or str(exc))) from None
    except ssl.SSLError as exc:
        text = str(exc)
        if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text.lower():
            cause = Cause.TLS_TO_PLAIN_PORT
        elif "CERTIFICATE_REQUIRED" in text or (
            # TLS 1.2 servers refuse a missing client certificate with a bare handshake failure.
            "HANDSHAKE_FAILURE" in text and seen.certificate_requested
        ):
            cause = Cause.TLS_CLIENT_CERT
        else:
            cause = Cause.TLS_OTHER
        raise _Failed(StageFailure(Stage.TLS, cause, text)) from None
    except TimeoutError:
        raise _Failed(
            StageFailure(Stage.TLS, Cause.TLS_TIMEOUT, f"TLS handshake stalled for {timeout:g} s")
        ) from None
    except OSError as exc:
        raise _Failed(StageFailure(Stage.TLS, Cause.TLS_OTHER, str(exc))) from None


def _presented(
    scheme: str, host: str, port: int, proxy: ProxyChoice | None, timeout: float
) -> PresentedCertificate | None:
    """The certificate the server showed, read over a second, unverified handshake along the same
    path (through the same proxy), so the report can name its issuer: a failed handshake leaves
    nothing to read."""
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    try:
        raw = _open(scheme, host, port, proxy, timeout, [])
    except _Failed:
        return None
    try:
        with unverified.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None
    finally:
        raw.close()
    return describe_certificate(der) if der else None


def _http_answer(
    sock: socket.socket,
    url: str,
    proxy: ProxyChoice | None,
    timeout: float,
    watch: HandshakeWatch,
) -> str:
    """The status line of the answer to the client's own warm-up request, `HEAD {base}/`. Any
    status is an answer (the client ignores it), except what a proxy says about itself."""
    parts = urlsplit(url)
    scheme, host, port = target_of(url)
    authority = parts.netloc.rpartition("@")[2]
    path = parts.path.rstrip("/") + "/"
    # Through a proxy, plain HTTP names the whole URL; HTTPS went through a CONNECT tunnel.
    forwarded = proxy if scheme == "http" else None
    target = f"http://{authority}{path}" if forwarded is not None else path
    lines = [
        f"HEAD {target} HTTP/1.1",
        f"Host: {authority}",
        "Connection: close",
        "User-Agent: ccdoctor",
        *_proxy_credentials(forwarded),
    ]
    request = "\r\n".join(lines) + "\r\n\r\n"
    try:
        sock.sendall(request.encode())
        head = _read_head(sock, timeout)
    except TimeoutError as exc:
        raise _Failed(
            StageFailure(Stage.HTTP, Cause.HTTP_TIMEOUT, str(exc) or "no HTTP answer in time")
        ) from None
    except ssl.SSLError as exc:
        if "CERTIFICATE_REQUIRED" in str(exc):
            raise _Failed(StageFailure(Stage.TLS, Cause.TLS_CLIENT_CERT, str(exc))) from None
        raise _hung_up(url, proxy, timeout, watch, str(exc)) from None
    except OSError as exc:
        raise _hung_up(url, proxy, timeout, watch, str(exc)) from None
    if head[:1] == b"\x15" and scheme == "http":
        raise _Failed(
            StageFailure(
                Stage.HTTP, Cause.PLAIN_TO_TLS_PORT, "the server answered with a TLS alert"
            )
        )
    if not head:
        raise _hung_up(url, proxy, timeout, watch, "connection closed without an answer")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace").strip()
    if not status_line.startswith("HTTP/"):
        raise _Failed(StageFailure(Stage.HTTP, Cause.HTTP_GARBAGE, "the answer is not HTTP"))
    if forwarded is not None:
        _proxy_verdict(status_line, host, port)
    return status_line


def _hung_up(
    url: str, proxy: ProxyChoice | None, timeout: float, watch: HandshakeWatch, detail: str
) -> _Failed:
    """Why a server closed the connection instead of answering: it asked for a client
    certificate; it speaks TLS and got plain text; or it just hung up."""
    scheme, host, port = target_of(url)
    if watch.certificate_requested:
        return _Failed(StageFailure(Stage.TLS, Cause.TLS_CLIENT_CERT, detail))
    if scheme == "http" and proxy is None and _speaks_tls(host, port, timeout):
        return _Failed(StageFailure(Stage.HTTP, Cause.PLAIN_TO_TLS_PORT, detail))
    return _Failed(StageFailure(Stage.HTTP, Cause.HTTP_CLOSED, detail))


def _speaks_tls(host: str, port: int, timeout: float) -> bool:
    """Whether the port completes (or refuses with an alert) a TLS handshake."""
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            unverified.wrap_socket(raw, server_hostname=host),
        ):
            return True
    except ssl.SSLError as exc:
        return "ALERT" in str(exc)
    except OSError:
        return False


def _proxy_verdict(status_line: str, host: str, port: int) -> None:
    """Plain HTTP through a proxy: a 407 is the proxy asking for credentials, and a 502-504 the
    proxy failing to reach the target; no gateway answers its warm-up with those."""
    code = _status_code(status_line)
    if code == 407:
        raise _Failed(
            StageFailure(Stage.PROXY, Cause.PROXY_AUTH, f"proxy answered with {status_line!r}")
        )
    if code in (502, 503, 504):
        raise _Failed(
            StageFailure(
                Stage.PROXY,
                Cause.PROXY_BAD_GATEWAY,
                f"proxy answered the request for {host}:{port} with {status_line!r}",
            )
        )


def _status_code(status_line: str) -> int:
    fields = status_line.split(" ", 2)
    return int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0
