"""A minimal gateway: relays every request to an upstream, dropping the headers it is told to.

It stands for the gateways that rewrite requests on the way (an allowlist of headers, a proxy
that strips `anthropic-beta`): everything else, body and answer included, passes unchanged, so
the only difference a client can observe is the dropped header.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

from ccdoctor.learn.recorder import QuietHandler
from tests.peers.ports import LOOPBACK
from tests.peers.server import ThreadedServer

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)

_SET_BY_RELAY = frozenset({"content-length", "server", "date"})


class Relay(ThreadedServer):
    """Start with `with Relay(upstream.url, drop={"anthropic-beta"}) as relay:`; `relay.url` is
    the base URL to configure. `relay.dropped` counts the headers it removed."""

    def __init__(self, upstream: str, drop: Iterable[str] = ()) -> None:
        super().__init__(_Handler, peer=self)
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"the relay forwards to plain http:// upstreams, not {upstream!r}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.upstream_prefix = parts.path.rstrip("/")
        self.drop = frozenset(name.lower() for name in drop)
        self._dropped = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def dropped(self) -> int:
        with self._lock:
            return self._dropped

    def _count_drop(self) -> None:
        with self._lock:
            self._dropped += 1


class _Handler(QuietHandler):
    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        relay: Relay = self.server.peer  # type: ignore[attr-defined]
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length > 0 else None
        headers = {}
        for name, value in self.headers.items():
            lowered = name.lower()
            if lowered in relay.drop:
                relay._count_drop()
            elif lowered not in _HOP_BY_HOP:
                headers[name] = value
        upstream = http.client.HTTPConnection(relay.upstream_host, relay.upstream_port, timeout=10)
        try:
            upstream.request(self.command, relay.upstream_prefix + self.path, body, headers)
            answer = upstream.getresponse()
            payload = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP_BY_HOP | _SET_BY_RELAY:
                self.send_header(name, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
