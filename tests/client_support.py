"""What the per-library client tests share: a loopback TLS upstream that streams a text in pieces
(one of them cutting a multi-byte character in two) or resets the connection mid-stream."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tools.emulators.server import Exchange, LoopbackServer
from wiretape import Cassette, load

HOST = "localhost"
TEXT = "data: Grüße aus dem Netz, 世界 😀\n\ndata: [DONE]\n\n"
BODY = TEXT.encode()
#: Cut points: the cut at 10 falls inside "ü" (two bytes), the one at 33 inside "界" (three).
CUTS = (0, 10, 18, 26, 33, 40, 48, len(BODY))
PIECES = [BODY[start:end] for start, end in itertools.pairwise(CUTS)]
#: What the resetting upstream sends before it resets the connection.
BEFORE_RESET = PIECES[:2]
PIECE_DELAY = 0.02


#: Opened by the caller when it has the first piece of /gated; the upstream sends the rest only then.
GATE = threading.Event()
GATED_BODY = b"first, then the rest once the caller had the first"


def app(exchange: Exchange) -> None:
    if exchange.path == "/gated":
        exchange.send_head(200, {"content-type": "text/plain", "transfer-encoding": "chunked"})
        exchange.write(b"6\r\nfirst,\r\n")
        rest = GATED_BODY[6:] if GATE.wait(5) else b" and the rest before the caller had anything"
        exchange.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(rest), rest))
    elif exchange.path == "/stream":
        exchange.stream(200, PIECES, {"content-type": "text/event-stream"}, delay=PIECE_DELAY)
    elif exchange.path == "/reset":
        exchange.send_head(200, {"content-type": "text/event-stream", "transfer-encoding": "chunked"})
        for piece in BEFORE_RESET:
            exchange.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            time.sleep(PIECE_DELAY)
        exchange.reset_connection()
    elif exchange.path == "/empty":
        exchange.send_head(204)
    elif exchange.method == "HEAD":
        exchange.send_head(200, {"content-type": "application/json", "content-length": "30"})
    else:
        exchange.respond(200, '{"ok": true, "text": "Grüße"}', {"content-type": "application/json"})


def upstream() -> LoopbackServer:
    """A fresh upstream (a test stops it to show that the replay is offline)."""
    return LoopbackServer({HOST: app})


def url(server: LoopbackServer, path: str) -> str:
    return f"https://{HOST}:{server.port}{path}"


def assert_streamed_as_recorded(recorded: list[bytes], replayed: list[bytes]) -> None:
    """The recording kept the pieces as they came (5 or more, one cutting a character) and gave them back."""
    assert len(recorded) >= 5
    assert b"".join(recorded) == BODY
    assert any(_cuts_a_character(piece) for piece in recorded)
    assert replayed == recorded
    assert b"".join(replayed).decode() == TEXT


def _cuts_a_character(piece: bytes) -> bool:
    try:
        piece.decode()
    except UnicodeDecodeError:
        return True
    return False


def assert_reset_recorded(path: Path) -> None:
    response = load(path).interactions[0].response
    assert response.error is not None
    assert response.body == b"".join(BEFORE_RESET)


def rechunk_in_threes(body: bytes, pieces: list[bytes]) -> list[bytes]:
    return [body[i : i + 3] for i in range(0, len(body), 3)]


def capture_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses asked of time.sleep and asyncio.sleep (not taken: no timing in tests)."""
    requested: list[float] = []
    real_async_sleep = asyncio.sleep

    def sleep(seconds: float) -> None:
        requested.append(seconds)

    async def async_sleep(seconds: float, result: object = None) -> object:
        requested.append(seconds)
        return await real_async_sleep(0, result)

    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(asyncio, "sleep", async_sleep)
    return requested


def recorded_pauses(path: Path) -> list[float]:
    response = load(path).interactions[0].response
    return [response.header_delay, *(chunk.delay for chunk in response.chunks)]


def assert_rechunked_and_paced_as_recorded(
    path: Path, replay: Callable[[], list[bytes]], body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replayed from ``path``: a rechunk hook recuts the pieces of ``body``; realtime replay asks for
    the recorded pauses, in order (asked of sleep, never taken)."""
    with Cassette(path, rechunk=rechunk_in_threes):
        assert replay() == rechunk_in_threes(body, [])
    requested = capture_sleeps(monkeypatch)
    with Cassette(path, realtime=True):
        replay()
    monkeypatch.undo()
    assert requested == recorded_pauses(path)
