"""Loopback upstreams that attack the providers' reading paths: endless lines, huge bodies, gzip bombs,
dripped headers, echoed secrets. One :class:`HostileUpstream` serves every provider's hosts; a test
sets ``attack`` (and where needed ``page_attack``) before calling."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.spec_contracts import EASYCHAT_SERVERS
from tools.emulators.server import Exchange, LoopbackServer

MIB = 1024 * 1024
PIECE = 64 * 1024
HOSTS = (
    "next.eqing.tech",
    EASYCHAT_SERVERS[3].removeprefix("https://"),
    "chat-gpt.org",
    "chatanywhere.cn",
    "chatgpt.es",
)
#: The keyword arguments each provider needs for a call against the hostile upstream.
CALLS: dict[str, dict[str, Any]] = {
    "Equing": {},
    "EasyChat": {"active_server": 3},
    "Aichat": {"cookies": {"session": "s"}},
    "ChatAnywhere": {},
    "ChatGptEs": {},
}


CHAT_PAGE = '<input type="hidden" name="_wpnonce" value="f00dcafe42"><script>var post_id = 7;</script>'


def endless_line(total: int) -> Iterator[bytes]:
    """An event-stream line that never ends (``total`` bytes of it)."""
    yield b"data: "
    piece = b"x" * PIECE
    for _ in range(total // PIECE):
        yield piece


def gzip_bomb(total: int) -> Iterator[bytes]:
    """Gzip of ``total`` zero bytes, compressed as it is sent (about 1,000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    for _ in range(total // MIB):
        out = compressor.compress(zeros)
        if out:
            yield out
    yield compressor.flush()


def drip(exchange: Exchange, data: bytes, every: float, *, until: float) -> None:
    """Write ``data`` one byte every ``every`` seconds (for at most ``until`` seconds)."""
    deadline = time.monotonic() + until
    for byte in data:
        if exchange.server.stopping.is_set() or time.monotonic() > deadline:
            break
        exchange.write(bytes([byte]))
        time.sleep(every)
    exchange.break_connection()


@dataclass
class HostileUpstream:
    """What every host does: ``attack`` on the answer; ``page_attack`` on ChatGptEs's page and EasyChat's GET."""

    attack: str = "normal"
    page_attack: str = "normal"
    size: int = 32 * MIB
    drip_every: float = 0.2
    drip_for: float = 10.0
    content_type: str | None = "application/json"
    #: For the "custom" attack: the status, headers and body of the answer.
    custom: tuple[int, dict[str, str], bytes] = (200, {}, b"")
    #: The Cookie header of each request, in order.
    seen_cookies: list[str | None] = field(default_factory=list)
    #: Set when a client hangs up on a "first_then_hold" answer.
    hung_up: threading.Event = field(default_factory=threading.Event)

    def behaving(self, attack: str = "normal", page_attack: str = "normal") -> HostileUpstream:
        """This upstream, set for the next test (one is served per module: see :func:`serving`)."""
        self.attack, self.page_attack = attack, page_attack
        return self

    def __call__(self, exchange: Exchange) -> None:
        is_page = exchange.method == "GET"
        self.seen_cookies.append(exchange.header("cookie"))
        attack = self.page_attack if is_page else self.attack
        if attack == "normal":
            self.normal(exchange, is_page)
        elif attack == "custom":
            status, headers, body = self.custom
            exchange.respond(status, body, headers)
        elif attack == "first_then_hold":
            first = b'data: {"choices": [{"delta": {"content": "first "}}]}\n\n'
            exchange.stream(200, [first], {"content-type": self.content_type or ""}, then="hold")
            self.hung_up.set()
        elif attack == "echo_form":
            form = dict(parse_qsl(exchange.body.decode()))
            exchange.respond(
                200, json.dumps({"data": json.dumps(form)}), {"content-type": "application/json"}
            )
        elif attack == "late":
            time.sleep(self.drip_for)
            self.normal(exchange, is_page)
        elif attack == "endless_line":
            exchange.stream(200, endless_line(self.size), {"content-type": "text/event-stream"})
        elif attack == "big_body":
            headers = {"content-type": self.content_type} if self.content_type else {}
            exchange.stream(200, endless_line(self.size), headers)
        elif attack == "gzip_bomb":
            headers = {"content-encoding": "gzip"}
            if self.content_type:
                headers["content-type"] = self.content_type
            exchange.stream(200, gzip_bomb(self.size), headers)
        elif attack == "big_error":
            exchange.stream(500, endless_line(self.size), {"content-type": "text/plain"})
        elif attack == "drip_headers":
            head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
            drip(exchange, head, self.drip_every, until=self.drip_for)
        elif attack == "echo_403":
            exchange.respond(403, f"denied; you sent {self.echo(exchange)}", {"content-type": "text/plain"})
        elif attack == "echo_json":
            body = json.dumps({"unexpected": self.echo(exchange)})
            exchange.respond(200, body, {"content-type": "application/json"})
        else:
            raise AssertionError(attack)

    @staticmethod
    def echo(exchange: Exchange) -> str:
        """What a careless upstream repeats back: the cookies and the form's tokens it received."""
        form = dict(parse_qsl(exchange.body.decode())) if exchange.host == "chatgpt.es" else {}
        return (
            f"cookie={exchange.header('cookie')} nonce={form.get('_wpnonce')} "
            f"client={form.get('wpaicg_chat_client_id')}"
        )

    @staticmethod
    def normal(exchange: Exchange, is_page: bool) -> None:
        if is_page:
            exchange.respond(
                200, CHAT_PAGE, {"content-type": "text/html", "set-cookie": "sess=page-cookie-0123"}
            )
        elif exchange.host == "chatgpt.es":
            exchange.respond(200, '{"data": "hello"}', {"content-type": "application/json"})
        elif exchange.host == "chat-gpt.org":
            exchange.respond(
                200, '{"response": true, "message": "hello"}', {"content-type": "application/json"}
            )
        elif exchange.host == "chatanywhere.cn":
            exchange.respond(200, "hello", {"content-type": "text/plain"})
        else:
            body = '{"choices": [{"message": {"content": "hello"}}]}'
            exchange.respond(200, body, {"content-type": "application/json"})


@contextlib.contextmanager
def serving(app: HostileUpstream) -> Iterator[HostileUpstream]:
    """``app`` on every provider's host, the providers routed to it for the block."""
    with LoopbackServer(dict.fromkeys(HOSTS, app)) as server, server.overrides():
        yield app
