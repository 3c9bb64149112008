"""A threaded HTTPS server on loopback that hosts several upstreams, chosen by the Host header.

TLS uses a throwaway CA (trustme). Clients reach it unchanged through
:func:`providers.http.network_overrides` (``routes()`` and ``ca_file``), so
requests keep the real upstream URLs.
"""

from __future__ import annotations

import contextlib
import http.server
import select
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import trustme

from providers.http import NetworkOverrides, network_overrides

STALL_SECONDS = 60.0
#: How often the accept loop checks whether it should stop: leaving the server waits up to this long
#: (socketserver's default, 0.5 s, was most of the time a short emulated recording took).
POLL_INTERVAL = 0.02
Ending = Literal["end", "cut", "hold"]


@dataclass
class Exchange:
    """One request, and the means to answer it (whole, streamed, or by breaking the connection)."""

    handler: http.server.BaseHTTPRequestHandler
    method: str
    host: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def respond(self, status: int, body: bytes | str = b"", headers: Mapping[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_head(status, {**(headers or {}), "content-length": str(len(data))})
        self.write(data)

    def stream(
        self,
        status: int,
        pieces: Iterable[bytes],
        headers: Mapping[str, str] | None = None,
        *,
        delay: float = 0.0,
        then: Ending = "end",
    ) -> None:
        """Send ``pieces`` as HTTP chunks, ``delay`` seconds apart.

        ``then`` says how the body stops: ``end`` (the last chunk), ``cut`` (the
        connection is dropped), ``hold`` (nothing more is sent; see :meth:`stall`).
        """
        self.send_head(status, {**(headers or {}), "transfer-encoding": "chunked"})
        for index, piece in enumerate(pieces):
            if delay and index:
                time.sleep(delay)
            if piece:
                self.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if then == "cut":
            self.break_connection()
        elif then == "hold":
            self.stall()
        else:
            self.write(b"0\r\n\r\n")

    def send_head(self, status: int, headers: Mapping[str, str] | None = None) -> None:
        """The status line and headers only; the caller writes the body with :meth:`write`."""
        headers = dict(headers or {})
        # The upstream's own Server header (say, Cloudflare's) replaces the default one.
        headers.setdefault("server", self.handler.version_string())
        headers.setdefault("date", self.handler.date_time_string())
        self.handler.send_response_only(status)
        for name, value in headers.items():
            self.handler.send_header(name, value)
        self.handler.end_headers()
        self.handler.wfile.flush()

    def write(self, data: bytes) -> None:
        self.handler.wfile.write(data)
        self.handler.wfile.flush()

    def break_connection(self) -> None:
        self.handler.close_connection = True
        with contextlib.suppress(OSError):
            self.handler.connection.shutdown(socket.SHUT_RDWR)

    def reset_connection(self) -> None:
        """Close with a TCP reset (RST) instead of an orderly shutdown."""
        self.handler.close_connection = True
        with contextlib.suppress(OSError):
            self.handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.handler.connection.close()

    def stall(self, seconds: float = STALL_SECONDS) -> None:
        """Send nothing until the client gives up (or ``seconds`` pass, or the server stops)."""
        deadline = time.monotonic() + seconds
        while not self.server.stopping.is_set() and time.monotonic() < deadline:
            # The client closing its end (after its own timeout) makes the socket readable.
            readable, _, _ = select.select([self.handler.connection], [], [], 0.1)
            if readable:
                break
        self.break_connection()

    @property
    def server(self) -> _Server:
        return self.handler.server  # type: ignore[return-value]


App = Callable[[Exchange], None]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The Server header is recorded into cassettes: keep the machine's Python version out of it.
    server_version = "wiretape-emulator"
    sys_version = ""
    # Without it every keep-alive POST waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def _dispatch(self) -> None:
        host = (self.headers.get("host") or "").split(":")[0].lower()
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        exchange = Exchange(
            handler=self,
            method=self.command,
            host=host,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        app = self.server.apps.get(host)
        if app is None:
            exchange.respond(421, f"no upstream named {host!r} here", {"content-type": "text/plain"})
            return
        self.server.requests_seen += 1
        app(exchange)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # Hundreds of clients may connect at once (load tests); the default backlog of 5 makes them retry.
    request_queue_size = 512
    apps: Mapping[str, App]
    tls: ssl.SSLContext
    requests_seen: int = 0
    stopping: threading.Event

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is what several behaviours provoke; anything else is a bug.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake happens in the connection's own thread, not in the accept loop.
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(wrapped, client_address)


class LoopbackServer:
    """``with LoopbackServer({"chatgpt.es": app}) as server: with server.overrides(): ...``"""

    def __init__(self, apps: Mapping[str, App]) -> None:
        self.apps = dict(apps)
        self._ca = trustme.CA()
        self._directory = tempfile.TemporaryDirectory(prefix="wiretape-ca-")
        self.ca_file = str(Path(self._directory.name) / "ca.pem")
        self._ca.cert_pem.write_to_path(self.ca_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert(*self.apps).configure_cert(context)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.apps = self.apps
        self._server.tls = context
        self._server.stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name="wiretape-upstreams",
            daemon=True,
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def requests_seen(self) -> int:
        return self._server.requests_seen

    def routes(self) -> dict[str, tuple[str, int]]:
        return dict.fromkeys(self.apps, ("127.0.0.1", self.port))

    def overrides(self) -> contextlib.AbstractContextManager[NetworkOverrides]:
        """Within the block, the providers' hosts lead here and this server's CA is trusted."""
        return network_overrides(routes=self.routes(), ca_bundle=self.ca_file)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._directory.cleanup()
