"""Peers that fail at the transport level: silence, a trickle, nobody home.

- `SilentListener`: completes the TCP handshake and then never sends a byte (a firewall that
  swallows traffic, a hung gateway, a TLS endpoint that never handshakes). Clients hit read or
  TLS-handshake timeouts, never connection errors.
- `TricklingServer`: answers a valid HTTP response one byte per `interval` seconds, so per-read
  timeouts never fire and only an overall deadline stops the client.
- `BannerServer`: answers with a non-HTTP banner and hangs up (another service on the port).
- `closed_port()`: a port nobody listens on (connection refused).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from types import TracebackType
from typing import Self

from tests.peers.ports import LOOPBACK, free_port

TRICKLED_RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"content-type: application/json\r\n"
    b"content-length: 2\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"{}"
)


def closed_port() -> int:
    """A loopback port with no listener: bound, read, closed."""
    return free_port()


class _Listener:
    def __init__(self) -> None:
        self._socket = socket.create_server((LOOPBACK, 0))
        self._socket.setblocking(False)
        self.port: int = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def accepted(self) -> int:
        with self._lock:
            return len(self._connections)

    def start(self) -> None:
        self._acceptor.start()

    def stop(self) -> None:
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join()
        for thread in self._threads:
            thread.join()
        self._socket.close()
        with self._lock:
            for connection in self._connections:
                connection.close()

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._socket, selectors.EVENT_READ)
            while not self._stop.is_set():
                if not selector.select(timeout=0.05):
                    continue
                with contextlib.suppress(BlockingIOError):
                    connection, _ = self._socket.accept()
                    connection.setblocking(True)
                    with self._lock:
                        self._connections.append(connection)
                    self._serve(connection)

    def _serve(self, connection: socket.socket) -> None:
        """Silence by default: the accepted connection is held open until stop()."""

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


class SilentListener(_Listener):
    """Accepts connections and never answers."""


class TricklingServer(_Listener):
    """Answers TRICKLED_RESPONSE one byte every `interval` seconds, once the request is in."""

    def __init__(self, interval: float = 1.0) -> None:
        super().__init__()
        self.interval = interval

    def _serve(self, connection: socket.socket) -> None:
        thread = threading.Thread(target=self._trickle, args=(connection,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _trickle(self, connection: socket.socket) -> None:
        connection.settimeout(self.interval)
        received = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in received and not self._stop.is_set():
                try:
                    chunk = connection.recv(4096)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                received += chunk
            for index in range(len(TRICKLED_RESPONSE)):
                if self._stop.wait(self.interval):
                    return
                connection.sendall(TRICKLED_RESPONSE[index : index + 1])


class BannerServer(_Listener):
    """Greets every connection with `banner` (by default the way an SSH server does: the port is
    taken by something that does not speak HTTP), then closes it. An empty banner makes a server
    that hangs up without a word."""

    SSH = b"SSH-2.0-OpenSSH_9.6\r\n"

    def __init__(self, banner: bytes = SSH) -> None:
        super().__init__()
        self.banner = banner

    def _serve(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError):
            connection.sendall(self.banner)
            connection.shutdown(socket.SHUT_WR)
