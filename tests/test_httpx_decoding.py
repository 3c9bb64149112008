"""The httpx providers decode a compressed answer as the curl ones do (providers.decoding): in pieces
of bounded size however far one network piece expands, and a coding nobody here decodes is this
library's error, never compressed bytes handed on as text."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

import providers
from providers import ResponseFormatError
from providers.decoding import PIECE
from providers.http import ClientSpec, async_client, sync_client
from tests.helpers import call
from tests.spec_contracts import CHATANYWHERE_ENDPOINT
from tools.emulators.server import Exchange, LoopbackServer
from wiretape import Cassette, load

HOST = "compressed.test"
ZEROS = bytes(8 << 20)
#: 8 MiB of zeros as one gzip piece on the wire (about 8 KiB).
BOMB_PIECE = gzip.compress(ZEROS, compresslevel=9)


def app(exchange: Exchange) -> None:
    if exchange.path == "/bomb":
        exchange.stream(200, [BOMB_PIECE], {"content-encoding": "gzip", "content-type": "text/plain"})
    else:
        exchange.respond(
            200, b"\x1f\x9d\x90hello", {"content-encoding": "compress", "content-type": "text/plain"}
        )


@pytest.fixture(scope="module")
def upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer({HOST: app, "chatanywhere.cn": app}) as server:
        yield server


@contextlib.contextmanager
def chatanywhere_answering(
    upstream: LoopbackServer, status: int, body: bytes, headers: dict[str, str]
) -> Iterator[None]:
    """Within the block, ChatAnywhere's host answers with this (the module's server is shared)."""
    upstream.apps["chatanywhere.cn"] = lambda exchange: exchange.respond(status, body, headers)
    try:
        with upstream.overrides():
            yield
    finally:
        upstream.apps["chatanywhere.cn"] = app


def test_one_network_piece_is_decoded_a_bounded_piece_at_a_time(upstream: LoopbackServer) -> None:
    with (
        upstream.overrides(),
        sync_client(ClientSpec(provider="t")) as client,
        client.stream("GET", f"https://{HOST}/bomb") as response,
    ):
        pieces = list(response.iter_bytes())
    assert b"".join(pieces) == ZEROS
    assert max(map(len, pieces)) <= PIECE


def test_the_async_client_decodes_the_same_way(upstream: LoopbackServer) -> None:
    async def pieces() -> list[bytes]:
        async with (
            async_client(ClientSpec(provider="t")) as client,
            client.stream("GET", f"https://{HOST}/bomb") as response,
        ):
            return [piece async for piece in response.aiter_bytes()]

    with upstream.overrides():
        got = asyncio.run(pieces())
    assert b"".join(got) == ZEROS
    assert max(map(len, got)) <= PIECE


@pytest.mark.parametrize("style", ["sync", "async", "async_generator"])
def test_an_answer_in_a_coding_nobody_here_decodes_is_a_format_error(
    upstream: LoopbackServer, style: str
) -> None:
    with upstream.overrides(), pytest.raises(ResponseFormatError) as raised:
        call(providers.ChatAnywhere, style, "", [{"role": "user", "content": "hi"}])
    assert str(raised.value) == (
        f"ChatAnywhere: body could not be decoded: unsupported content-encoding 'compress' ({CHATANYWHERE_ENDPOINT})"
    )


def test_a_gzip_answer_is_recorded_decoded_and_replays(upstream: LoopbackServer, tmp_path: Path) -> None:
    # The hook decodes above the transport, where wiretape records: the cassette still gets what came.
    path = tmp_path / "gzip.yaml"
    with (
        upstream.overrides(),
        Cassette(path, mode="all"),
        sync_client(ClientSpec(provider="t")) as client,
    ):
        assert client.get(f"https://{HOST}/bomb").content == ZEROS
    stored = load(path).interactions[0].response
    assert stored.decoded_from == "gzip" and stored.body == ZEROS
    assert all(name.lower() != "content-encoding" for name, _ in stored.headers)
    with Cassette(path) as replay, sync_client(ClientSpec(provider="t")) as client:
        assert client.get(f"https://{HOST}/bomb").content == ZEROS
        assert replay.all_played


def test_a_gzip_answer_cut_short_is_a_format_error_not_a_shorter_answer(upstream: LoopbackServer) -> None:
    whole = gzip.compress(b"hello there")
    cut = whole[: len(whole) * 2 // 3]
    with (
        chatanywhere_answering(
            upstream, 200, cut, {"content-encoding": "gzip", "content-type": "text/plain"}
        ),
        pytest.raises(ResponseFormatError, match="compressed body ended early"),
    ):
        call(providers.ChatAnywhere, "sync", "", [{"role": "user", "content": "hi"}])


@pytest.mark.parametrize("style", ["sync", "async"])
def test_an_error_answer_keeps_its_status_when_its_body_cannot_be_decoded(
    upstream: LoopbackServer, style: str
) -> None:
    headers = {"content-encoding": "compress", "retry-after": "30"}
    with (
        chatanywhere_answering(upstream, 429, b"\x1f\x9d\x90slow down", headers),
        pytest.raises(providers.RateLimitError) as raised,
    ):
        call(providers.ChatAnywhere, style, "", [{"role": "user", "content": "hi"}])
    assert raised.value.retry_after == 30.0
    assert "HTTP 429" in str(raised.value)
    assert "could not be decoded: unsupported content-encoding 'compress'" in str(raised.value)
