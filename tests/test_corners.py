"""Corners no other test reached: the error-body cap, ``cookies_file=`` and its environment
variable, a JSON cookie entry with only a name and a value, and the async generator closed when a
consumer stops early."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

import providers
from providers.cookies import COOKIES_FILE_ENV
from providers.limits import ERROR_BODY_LIMIT, aread_error_body, read_error_body
from tests.hostile_apps import HostileUpstream, serving

USER = [{"role": "user", "content": "hi"}]
KIB = 1024


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body in pieces, counting how many were taken."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            self.taken += 1
            yield piece

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            self.taken += 1
            yield piece


@pytest.mark.parametrize(
    ("sizes", "expected", "taken"),
    [
        ([40 * KIB, 40 * KIB, 40 * KIB], ERROR_BODY_LIMIT, 2),
        ([64 * KIB, 1], ERROR_BODY_LIMIT, 1),
        ([64 * KIB - 1, 1, 1], ERROR_BODY_LIMIT, 2),
        ([10, 20], 30, 2),
    ],
)
def test_an_error_body_is_read_up_to_64_kib_and_no_further(
    sizes: list[int], expected: int, taken: int
) -> None:
    for reader in ("sync", "async"):
        stream = Pieces([b"x" * size for size in sizes])
        response = httpx.Response(500, stream=stream)
        body = read_error_body(response) if reader == "sync" else asyncio.run(aread_error_body(response))
        assert len(body) == expected
        assert stream.taken == taken


@pytest.fixture(scope="module")
def upstream() -> Iterator[HostileUpstream]:
    with serving(HostileUpstream()) as app:
        yield app


@pytest.fixture
def fresh(upstream: HostileUpstream, monkeypatch: pytest.MonkeyPatch) -> HostileUpstream:
    monkeypatch.delenv(COOKIES_FILE_ENV, raising=False)
    upstream.behaving().seen_cookies.clear()
    upstream.hung_up.clear()
    return upstream


def cookie_file(tmp_path: Path) -> Path:
    # Exactly a name and a value: the domain is optional in a JSON entry.
    path = tmp_path / "cookies.json"
    path.write_text(json.dumps([{"name": "session", "value": "from-the-file"}]))
    return path


def test_cookies_file_is_honoured(fresh: HostileUpstream, tmp_path: Path) -> None:
    answer = asyncio.run(providers.Aichat.create_async("", USER, cookies_file=str(cookie_file(tmp_path))))
    assert answer == "hello"
    assert fresh.seen_cookies == ["session=from-the-file"]


def test_the_cookies_file_variable_is_honoured(
    fresh: HostileUpstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COOKIES_FILE_ENV, str(cookie_file(tmp_path)))
    assert asyncio.run(providers.Aichat.create_async("", USER)) == "hello"
    assert fresh.seen_cookies == ["session=from-the-file"]


def test_cookies_given_win_over_the_file(fresh: HostileUpstream, tmp_path: Path) -> None:
    path = str(cookie_file(tmp_path))
    asyncio.run(providers.Aichat.create_async("", USER, cookies={"given": "yes"}, cookies_file=path))
    assert fresh.seen_cookies == ["given=yes"]


@pytest.mark.parametrize(
    ("name", "content_type"), [("ChatAnywhere", "text/plain"), ("Equing", "text/event-stream")]
)
def test_a_sync_consumer_stopping_early_closes_the_call(
    fresh: HostileUpstream, name: str, content_type: str
) -> None:
    fresh.attack, fresh.content_type = "first_then_hold", content_type
    chunks = providers.get(name).create_completion("gpt-3.5-turbo", USER, stream=True, timeout=30)
    assert isinstance(chunks, Iterator)
    assert "first " in next(chunks)
    chunks.close()
    assert fresh.hung_up.wait(5), "the upstream connection stayed open after the consumer stopped"


@pytest.mark.parametrize(
    ("name", "content_type"), [("ChatAnywhere", "text/plain"), ("Equing", "text/event-stream")]
)
def test_an_async_consumer_stopping_early_closes_the_call(
    fresh: HostileUpstream, name: str, content_type: str
) -> None:
    fresh.attack, fresh.content_type = "first_then_hold", content_type

    async def first() -> str:
        chunks = providers.get(name).create_async_generator("gpt-3.5-turbo", USER, timeout=30)
        assert isinstance(chunks, AsyncIterator)
        try:
            return await chunks.__anext__()
        finally:
            await chunks.aclose()  # type: ignore[attr-defined]

    assert "first " in asyncio.run(first())
    assert fresh.hung_up.wait(5), "the upstream connection stayed open after the consumer stopped"
