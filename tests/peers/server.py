"""A threaded HTTP(S) server on 127.0.0.1 that really stops when asked.

`http.server.ThreadingHTTPServer` alone keeps serving keep-alive connections after shutdown(),
so a "stopped" peer could still answer. This one remembers its open connections and cuts them
on stop, and it does the TLS handshake in the connection's own thread so a client that never
completes one cannot stall the accept loop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from ccdoctor.learn.recorder import QuietHandler
from tests.peers.blackhole import TRICKLED_RESPONSE
from tests.peers.ports import LOOPBACK

_Address = tuple[str, int]


class _LoopbackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], ssl_context: ssl.SSLContext | None
    ) -> None:
        super().__init__((LOOPBACK, 0), handler)
        self.ssl_context = ssl_context
        self.peer: Any = None
        self.tls_errors: list[str] = []
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def get_request(self) -> tuple[socket.socket, _Address]:
        sock, address = super().get_request()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, address

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError) as error:
                # Expected whenever a test makes a client distrust this server's certificate.
                with self._lock:
                    self.tls_errors.append(str(error))
                return
        super().finish_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-response are normal in these tests; don't spray tracebacks."""

    def failed_handshakes(self) -> list[str]:
        with self._lock:
            return list(self.tls_errors)

    def drop_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class ThreadedServer:
    """Runs one request-handler class on an ephemeral loopback port in a background thread."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        peer: Any,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._server = _LoopbackHTTPServer(handler, ssl_context)
        self._server.peer = peer
        self.stopping = threading.Event()
        """Set when the server stops: a handler trickling an answer gives up."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"peer-{type(peer).__name__}",
            daemon=True,
        )
        self._started = False
        self._stopped = False

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    @property
    def scheme(self) -> str:
        return "https" if self._server.ssl_context is not None else "http"

    @property
    def tls_errors(self) -> list[str]:
        """Handshakes that failed on the server side, e.g. a client that rejected our cert."""
        return self._server.failed_handshakes()

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.stopping.set()
        if self._started:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self._server.drop_connections()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class PeerHandler(QuietHandler):
    """What every fake's request handler shares: the learner's quiet HTTP/1.1 handler (the
    fake's request log is what tests assert on; GET and POST routed to `_serve`, a fake that
    answers HEAD adds it), and request bodies read whole, chunked ones included."""

    sys_version = ""
    disable_nagle_algorithm = True
    """The head and the body go out in two writes: with Nagle's algorithm the body waits for
    the reader's delayed ACK (40 ms on Linux), a stall no real service has and that made every
    answer of a fake cost 40 ms to anyone timing it."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""


Behaviour = TypeVar("Behaviour")
Recorded = TypeVar("Recorded")


class RecordingPeer(Generic[Behaviour, Recorded]):
    """What every fake keeps: a frozen behaviour swapped atomically between requests, the one
    it started with (for `reset()` on a peer shared by tests), and the log of requests."""

    def __init__(self, behaviour: Behaviour) -> None:
        self._initial = behaviour
        self._behaviour = behaviour
        self._requests: list[Recorded] = []
        self._lock = threading.Lock()

    @property
    def behaviour(self) -> Behaviour:
        with self._lock:
            return self._behaviour

    def configure(self, **changes: Any) -> None:
        """Atomically change behaviour fields."""
        with self._lock:
            self._behaviour = dataclasses.replace(self._behaviour, **changes)  # type: ignore[type-var]

    def reset(self) -> None:
        """The behaviour it started with and an empty request log."""
        with self._lock:
            self._behaviour = self._initial
            self._requests.clear()

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    def _record(self, request: Recorded) -> Behaviour:
        """Log a request; the behaviour it is answered with, read under the same lock."""
        with self._lock:
            self._requests.append(request)
            return self._behaviour


def trickle(handler: BaseHTTPRequestHandler, stopping: threading.Event, interval: float) -> None:
    """A valid answer, one byte per `interval`: every socket read succeeds, so per-read
    timeouts never fire and only the client's wall-clock limit ends the call."""
    handler.close_connection = True
    for index in range(len(TRICKLED_RESPONSE)):
        if stopping.wait(interval if index else 0):
            return
        try:
            handler.wfile.write(TRICKLED_RESPONSE[index : index + 1])
            handler.wfile.flush()
        except OSError:  # the client gave up and hung up
            return
