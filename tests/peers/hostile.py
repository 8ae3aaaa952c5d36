"""Servers that misbehave at the HTTP level, for robustness tests.

Each answers every connection the same way, so it works for ccdoctor's raw stage probe and for
its httpx requests alike:
- `garbage`: bytes that are not HTTP;
- `endless`: a 200 whose body never ends;
- `cut`: headers promising 1 MB, a few bytes of body, then the connection closes;
- `redirect_loop`: 307 to itself, forever.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from types import TracebackType
from typing import Self

from tests.peers.ports import LOOPBACK

_GARBAGE = b"\x00\x01SSH-2.0-not-http\r\n" * 4


class HostileServer:
    def __init__(self, mode: str) -> None:
        if mode not in ("garbage", "endless", "cut", "redirect_loop"):
            raise ValueError(mode)
        self.mode = mode
        self._socket = socket.socket()
        self._socket.bind((LOOPBACK, 0))
        self._socket.listen(32)
        self._socket.settimeout(0.2)
        self.port: int = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def __enter__(self) -> Self:
        self._acceptor.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._acceptor.join(2)
        self._socket.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection:
            connection.settimeout(1.0)
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode("latin-1") if b" " in request else "/"
            # Read the body too: closing with it unread sends a reset, which the client may
            # see before the reply, and then "cut" would not be the same peer every run.
            head, _, body = request.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            remaining = int(length.group(1)) - len(body) if length else 0
            while remaining > 0:
                chunk = connection.recv(min(remaining, 65536))
                if not chunk:
                    return
                remaining -= len(chunk)
            if self.mode == "garbage":
                connection.sendall(_GARBAGE)
            elif self.mode == "cut":
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 1000000\r\n\r\n{"type": "mess'
                )
            elif self.mode == "redirect_loop":
                connection.sendall(
                    f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {self.url}{path}\r\n"
                    "Content-Length: 0\r\n\r\n".encode()
                )
            else:
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
                while not self._stop.is_set():
                    connection.sendall(b'event: ping\ndata: {"type": "ping"}\n\n' * 64)
