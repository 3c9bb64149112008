"""aiohttp's ClientSession recorded and replayed piece for piece, through each way of reading a body."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

aiohttp = pytest.importorskip("aiohttp")

from tests.client_support import (  # noqa: E402
    BEFORE_RESET,
    BODY,
    GATE,
    GATED_BODY,
    TEXT,
    assert_rechunked_and_paced_as_recorded,
    assert_reset_recorded,
    assert_streamed_as_recorded,
    upstream,
    url,
)
from wiretape import Cassette, ClientNotInterceptedError, clients, load  # noqa: E402

Read = Callable[[Any], Awaitable[list[bytes]]]


async def by_iter_any(response: Any) -> list[bytes]:
    return [piece async for piece in response.content.iter_any()]


async def by_readline(response: Any) -> list[bytes]:
    """As an SSE reader reads: line by line."""
    lines = []
    while line := await response.content.readline():
        lines.append(line)
    return lines


async def by_iter_chunked(response: Any) -> list[bytes]:
    return [piece async for piece in response.content.iter_chunked(4)]


async def by_read(response: Any) -> list[bytes]:
    return [await response.read()]


READS: dict[str, Read] = {
    "iter_any": by_iter_any,
    "readline": by_readline,
    "iter_chunked": by_iter_chunked,
    "read": by_read,
}


def fetch(address: str, read: Read = by_iter_any, ca_file: str | None = None) -> list[bytes]:
    async def run() -> list[bytes]:
        context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        async with aiohttp.ClientSession() as session, session.get(address, ssl=context) as response:
            try:
                return await read(response)
            except aiohttp.ClientPayloadError:
                fetch.partial = response.content  # type: ignore[attr-defined]
                raise

    return asyncio.run(run())


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[bytes]]:
    """The cassettes recorded against one upstream, which is then stopped: the tests replay offline."""
    directory = tmp_path_factory.mktemp("aiohttp")
    with upstream() as server:
        base = url(server, "")
        with Cassette(directory / "stream.yaml", mode="all"):
            pieces = fetch(base + "/stream", ca_file=server.ca_file)
        with Cassette(directory / "reset.yaml", mode="all"), pytest.raises(aiohttp.ClientPayloadError):
            fetch(base + "/reset", ca_file=server.ca_file)
    return directory, base, pieces


def test_a_streamed_answer_replays_offline_piece_for_piece(
    recorded: tuple[Path, str, list[bytes]],
) -> None:
    directory, base, pieces = recorded
    with Cassette(directory / "stream.yaml") as cassette:
        replayed = fetch(base + "/stream")
        assert cassette.all_played
    assert_streamed_as_recorded(pieces, replayed)
    assert load(directory / "stream.yaml").interactions[0].response.client == {"library": "aiohttp"}


@pytest.mark.parametrize("how", READS)
def test_every_way_of_reading_gets_the_recorded_body(
    recorded: tuple[Path, str, list[bytes]], how: str
) -> None:
    directory, base, _ = recorded
    with Cassette(directory / "stream.yaml"):
        replayed = fetch(base + "/stream", READS[how])
    assert b"".join(replayed) == BODY
    if how == "readline":
        assert [line.decode() for line in replayed] == TEXT.splitlines(keepends=True)


def test_answers_without_a_body_record_and_replay(tmp_path: Path) -> None:
    """HEAD and 204 answers come with aiohttp's empty stream reader."""
    path = tmp_path / "empty.yaml"

    async def heads(base: str, ca_file: str | None) -> list[tuple[int, bytes]]:
        context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        async with aiohttp.ClientSession() as session:
            async with session.head(base + "/json", ssl=context) as head:
                first = (head.status, await head.read())
            async with session.get(base + "/empty", ssl=context) as empty:
                return [first, (empty.status, await empty.read())]

    with upstream() as server:
        base = url(server, "")
        with Cassette(path, mode="all"):
            live = asyncio.run(heads(base, server.ca_file))
    with Cassette(path):
        assert asyncio.run(heads(base, None)) == live == [(200, b""), (204, b"")]


def test_text_and_json_of_a_replayed_answer(tmp_path: Path) -> None:
    path = tmp_path / "json.yaml"

    async def get_json(address: str, ca_file: str | None) -> tuple[Any, str]:
        context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        async with aiohttp.ClientSession() as session, session.post(address, json={"q": 1}, ssl=context) as r:
            return await r.json(), await r.text()

    with upstream() as server:
        address = url(server, "/json")
        with Cassette(path, mode="all"):
            live = asyncio.run(get_json(address, server.ca_file))
    with Cassette(path):
        assert (
            asyncio.run(get_json(address, None))
            == live
            == ({"ok": True, "text": "Grüße"}, '{"ok": true, "text": "Grüße"}')
        )


def test_a_reset_mid_stream_replays_as_aiohttps_payload_error(
    recorded: tuple[Path, str, list[bytes]],
) -> None:
    directory, base, _ = recorded
    assert_reset_recorded(directory / "reset.yaml")
    with Cassette(directory / "reset.yaml"), pytest.raises(aiohttp.ClientPayloadError):
        fetch(base + "/reset")


def test_the_pieces_before_a_reset_are_given_before_the_error(
    recorded: tuple[Path, str, list[bytes]],
) -> None:
    directory, base, _ = recorded
    received: list[bytes] = []

    async def collect(response: Any) -> list[bytes]:
        async for piece in response.content.iter_any():
            received.append(piece)
        return received

    with Cassette(directory / "reset.yaml"), pytest.raises(aiohttp.ClientPayloadError):
        fetch(base + "/reset", collect)
    assert b"".join(received) == b"".join(BEFORE_RESET)


def test_realtime_replay_pauses_as_recorded_and_rechunk_recuts(
    recorded: tuple[Path, str, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, base, _ = recorded
    assert_rechunked_and_paced_as_recorded(
        directory / "stream.yaml", lambda: fetch(base + "/stream"), BODY, monkeypatch
    )


def test_without_the_adapter_a_request_inside_a_cassette_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with upstream() as server:
        monkeypatch.delitem(clients.ADAPTERS, "aiohttp")
        with pytest.raises(ClientNotInterceptedError), Cassette(tmp_path / "refused.yaml", mode="all"):
            fetch(url(server, "/json"), by_read, server.ca_file)


def test_the_caller_gets_the_first_piece_before_the_upstream_sends_the_rest(tmp_path: Path) -> None:
    """The tee is incremental: the upstream waits for the caller to have the first piece."""
    GATE.clear()

    async def opening_the_gate(response: Any) -> list[bytes]:
        pieces = []
        async for piece in response.content.iter_any():
            pieces.append(piece)
            GATE.set()
        return pieces

    with upstream() as server, Cassette(tmp_path / "gated.yaml", mode="all"):
        pieces = fetch(url(server, "/gated"), opening_the_gate, server.ca_file)
    assert b"".join(pieces) == GATED_BODY == load(tmp_path / "gated.yaml").interactions[0].response.body
