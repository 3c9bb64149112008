"""What every emulated upstream shares: the behaviour switch, fault answers, and paced sending."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .behaviours import Behaviour
from .server import Ending, Exchange

PIECE_DELAY = 0.004
SLOW_PIECE_DELAY = 0.06
RETRY_AFTER_SECONDS = "7"
CLOUDFLARE_CHALLENGE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta http-equiv="refresh" content="390"></head><body>'
    '<div id="challenge-body-text">{host} needs to review the security of your connection '
    "before proceeding.</div><noscript>Enable JavaScript and cookies to continue</noscript>"
    "</body></html>"
)
WELCOME_PAGE = "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works</h1></body></html>"


class Control:
    """The behaviour all emulated upstreams show right now; one per running emulator."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._behaviour = Behaviour.NORMAL

    @property
    def behaviour(self) -> Behaviour:
        with self._lock:
            return self._behaviour

    def set(self, behaviour: Behaviour) -> None:
        with self._lock:
            self._behaviour = behaviour


class Upstream:
    """A base for one emulated service: subclasses route their own paths in :meth:`serve`."""

    hosts: tuple[str, ...] = ()

    def __init__(self, control: Control) -> None:
        self.control = control

    def __call__(self, exchange: Exchange) -> None:
        behaviour = self.control.behaviour
        if behaviour is Behaviour.CHALLENGE:
            # Cloudflare sits in front of every path.
            send_challenge(exchange)
            return
        self.serve(exchange, behaviour)

    def serve(self, exchange: Exchange, behaviour: Behaviour) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------- answers shared by the upstreams


def send_json(
    exchange: Exchange, status: int, payload: Any, headers: Mapping[str, str] | None = None
) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    exchange.respond(status, body, {"content-type": "application/json; charset=utf-8", **(headers or {})})


def send_challenge(exchange: Exchange) -> None:
    exchange.respond(
        403,
        CLOUDFLARE_CHALLENGE.format(host=exchange.host),
        {
            "content-type": "text/html; charset=UTF-8",
            "server": "cloudflare",
            "cf-ray": "8c1f2d3e4a5b6c7d-FRA",
            "cf-mitigated": "challenge",
        },
    )


def answer_fault(exchange: Exchange, behaviour: Behaviour) -> bool:
    """Answer the faults that look the same on every upstream's API path; False if none applies."""
    if behaviour is Behaviour.RATE_LIMITED:
        send_json(exchange, 429, {"error": "Too Many Requests"}, {"retry-after": RETRY_AFTER_SECONDS})
    elif behaviour is Behaviour.RATE_LIMITED_BARE:
        send_json(exchange, 429, {"error": "Too Many Requests"})
    elif behaviour is Behaviour.SERVER_ERROR:
        exchange.respond(
            500, "<html><body><h1>500 Internal Server Error</h1></body></html>", {"content-type": "text/html"}
        )
    elif behaviour is Behaviour.RESET:
        exchange.reset_connection()
    elif behaviour is Behaviour.STALL:
        exchange.stall()
    elif behaviour is Behaviour.NON_JSON:
        exchange.respond(200, WELCOME_PAGE, {"content-type": "text/html; charset=utf-8"})
    else:
        return False
    return True


def send_body(
    exchange: Exchange, status: int, body: bytes, headers: Mapping[str, str], behaviour: Behaviour
) -> None:
    """A whole body with its length; cut or stalled half-way when the behaviour says so."""
    exchange.send_head(status, {**headers, "content-length": str(len(body))})
    if behaviour in (Behaviour.TRUNCATED, Behaviour.STALL_MIDWAY):
        exchange.write(body[: len(body) // 2])
        if behaviour is Behaviour.STALL_MIDWAY:
            exchange.stall()
        else:
            exchange.break_connection()
        return
    exchange.write(body)


def send_pieces(
    exchange: Exchange, pieces: Sequence[bytes], headers: Mapping[str, str], behaviour: Behaviour
) -> None:
    """A chunked streamed body, paced; truncated or stalled half-way when the behaviour says so."""
    delay = SLOW_PIECE_DELAY if behaviour is Behaviour.SLOW else PIECE_DELAY
    if behaviour in (Behaviour.TRUNCATED, Behaviour.STALL_MIDWAY):
        kept = list(pieces[: max(1, len(pieces) // 2)])
        # End inside the next piece, so the cut falls mid-event (or mid-character).
        following = pieces[len(kept)] if len(kept) < len(pieces) else b""
        kept.append(following[: max(1, len(following) // 2)])
        then: Ending = "cut" if behaviour is Behaviour.TRUNCATED else "hold"
        exchange.stream(200, kept, headers, delay=delay, then=then)
        return
    exchange.stream(200, pieces, headers, delay=delay)


# ---------------------------------------------------------------- content


def reply_to(prompt: str) -> str:
    """The emulated assistant's answer: it depends on the request, so a mixed-up replay shows."""
    text = prompt.strip()
    if len(text) > 160:
        text = text[:80] + " … " + text[-60:]
    return f"You wrote: {text}"


def words(text: str) -> list[str]:
    """``text`` in word-sized pieces (with their trailing spaces), joined back to ``text``."""
    return re.findall(r"\S+\s*|\s+", text)


def stable_id(data: bytes, length: int = 24) -> str:
    """An id that depends only on the request, so re-recording the same call changes nothing."""
    return hashlib.sha256(data).hexdigest()[:length]


def missing_fields(payload: Any, required: Mapping[str, type | tuple[type, ...]]) -> list[str]:
    """Names of required fields absent from ``payload`` or of the wrong type."""
    if not isinstance(payload, dict):
        return list(required)
    return [name for name, kind in required.items() if name not in payload or not _is(payload[name], kind)]


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    # JSON true is not a number.
    return not isinstance(value, bool) and isinstance(value, kind)


def json_payload(exchange: Exchange) -> Any:
    try:
        return json.loads(exchange.body)
    except ValueError:
        return None


def iterate_utf8(text: str, size: int) -> Iterator[bytes]:
    data = text.encode()
    for start in range(0, len(data), size):
        yield data[start : start + size]
