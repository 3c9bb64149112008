"""The deadline wrappers pass every step through with the time left, and refuse a step once the
call's time is up with the timeout error of that step (read, write, connect)."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpcore
import httpx
import pytest

from providers.deadline import (
    AsyncDeadlineBackend,
    AsyncDeadlineStream,
    AsyncDeadlineTransport,
    Deadline,
    DeadlineBackend,
    DeadlineStream,
    bounded,
)

CONTEXT = ssl.create_default_context()


class Recorder:
    """A fake network stream or backend (sync and async) that records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.calls.append(("read", max_bytes, timeout))
        return b"data"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.calls.append(("write", buffer, timeout))

    def close(self) -> None:
        self.calls.append(("close",))

    def start_tls(
        self, context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> Recorder:
        self.calls.append(("start_tls", context, server_hostname, timeout))
        return self

    def get_extra_info(self, info: str) -> Any:
        self.calls.append(("info", info))
        return f"info:{info}"

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, *args: Any, **kwargs: Any
    ) -> Recorder:
        self.calls.append(("connect", host, port, timeout, *args, kwargs))
        return self


class AsyncRecorder(Recorder):
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # type: ignore[override]
        return Recorder.read(self, max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # type: ignore[override]
        Recorder.write(self, buffer, timeout)

    async def aclose(self) -> None:
        self.calls.append(("close",))

    async def start_tls(
        self, context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> AsyncRecorder:  # type: ignore[override]
        Recorder.start_tls(self, context, server_hostname, timeout)
        return self

    async def connect_tcp(  # type: ignore[override]
        self, host: str, port: int, timeout: float | None = None, *args: Any, **kwargs: Any
    ) -> AsyncRecorder:
        Recorder.connect_tcp(self, host, port, timeout, *args, **kwargs)
        return self


def test_clamp_gives_the_smaller_of_the_step_timeout_and_the_time_left() -> None:
    deadline = Deadline(50.0)
    assert deadline.clamp(2.0, httpcore.ReadTimeout) == 2.0
    assert 49.0 < deadline.clamp(None, httpcore.ReadTimeout) <= 50.0
    assert 49.0 < deadline.clamp(80.0, httpcore.ReadTimeout) <= 50.0
    with pytest.raises(httpcore.WriteTimeout, match="the call's 0 s timeout passed"):
        Deadline(0).clamp(1.0, httpcore.WriteTimeout)


def test_a_sync_stream_and_backend_pass_each_step_with_the_time_left() -> None:
    deadline = Deadline(30.0)
    inner = Recorder()
    backend = DeadlineBackend(inner, deadline)  # type: ignore[arg-type]
    stream = backend.connect_tcp("example.test", 443, 2.0, "127.0.0.1")
    tls = stream.start_tls(CONTEXT, "example.test", 2.5)
    assert tls.read(10, 3.0) == b"data"
    tls.write(b"hello", 3.5)
    assert tls.get_extra_info("ssl_object") == "info:ssl_object"
    tls.close()
    names = [call[0] for call in inner.calls]
    assert names == ["connect", "start_tls", "read", "write", "info", "close"]
    connect, start_tls, read, write = inner.calls[:4]
    assert connect[1:] == ("example.test", 443, 2.0, "127.0.0.1", {})
    assert start_tls[1:] == (CONTEXT, "example.test", 2.5)
    assert (read[1:], write[1:]) == ((10, 3.0), (b"hello", 3.5))
    assert (read[1], write[1]) == (10, b"hello")
    assert isinstance(tls, DeadlineStream)


def test_an_async_stream_and_backend_pass_each_step_with_the_time_left() -> None:
    deadline = Deadline(30.0)
    inner = AsyncRecorder()

    async def steps() -> None:
        backend = AsyncDeadlineBackend(inner, deadline)  # type: ignore[arg-type]
        stream = await backend.connect_tcp("example.test", 443, 2.0, "127.0.0.1")
        tls = await stream.start_tls(CONTEXT, "example.test", 2.5)
        assert isinstance(tls, AsyncDeadlineStream)
        assert await tls.read(10, 3.0) == b"data"
        await tls.write(b"hello", 3.5)
        assert tls.get_extra_info("ssl_object") == "info:ssl_object"
        await tls.aclose()

    asyncio.run(steps())
    connect, start_tls, read, write = inner.calls[:4]
    assert [call[0] for call in inner.calls] == ["connect", "start_tls", "read", "write", "info", "close"]
    assert connect[1:] == ("example.test", 443, 2.0, "127.0.0.1", {})
    assert start_tls[1:] == (CONTEXT, "example.test", 2.5)
    assert (read[1:], write[1:]) == ((10, 3.0), (b"hello", 3.5))


@pytest.mark.parametrize(
    ("step", "error"),
    [
        ("read", httpcore.ReadTimeout),
        ("write", httpcore.WriteTimeout),
        ("start_tls", httpcore.ConnectTimeout),
        ("connect", httpcore.ConnectTimeout),
    ],
)
def test_once_the_time_is_up_each_step_is_refused_with_its_timeout(step: str, error: type[Exception]) -> None:
    expired = Deadline(0)
    sync_stream = DeadlineStream(Recorder(), expired)  # type: ignore[arg-type]
    async_stream = AsyncDeadlineStream(AsyncRecorder(), expired)  # type: ignore[arg-type]
    sync_steps = {
        "read": lambda: sync_stream.read(1),
        "write": lambda: sync_stream.write(b"x"),
        "start_tls": lambda: sync_stream.start_tls(CONTEXT),
        "connect": lambda: DeadlineBackend(Recorder(), expired).connect_tcp("h", 1),  # type: ignore[arg-type]
    }
    async_steps = {
        "read": lambda: async_stream.read(1),
        "write": lambda: async_stream.write(b"x"),
        "start_tls": lambda: async_stream.start_tls(CONTEXT),
        "connect": lambda: AsyncDeadlineBackend(AsyncRecorder(), expired).connect_tcp("h", 1),  # type: ignore[arg-type]
    }
    with pytest.raises(error, match="timeout passed"):
        sync_steps[step]()
    with pytest.raises(error, match="timeout passed"):
        asyncio.run(async_steps[step]())  # type: ignore[arg-type]


def test_bounded_gives_the_result_in_time_and_a_read_timeout_for_the_request_after() -> None:
    request = httpx.Request("GET", "https://example.test/")

    async def slow() -> str:
        await asyncio.sleep(5)
        return "late"

    async def quick() -> str:
        return "done"

    assert asyncio.run(bounded(Deadline(5), quick(), request)) == "done"
    with pytest.raises(httpx.ReadTimeout, match="the call's 0.05 s timeout passed") as raised:
        asyncio.run(bounded(Deadline(0.05), slow(), request))
    assert raised.value.request is request
    with pytest.raises(httpx.ReadTimeout):
        asyncio.run(bounded(Deadline(0), quick(), request))


class SlowBodyTransport(httpx.AsyncBaseTransport):
    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pause = self.pause

        class Body(httpx.AsyncByteStream):
            async def __aiter__(self):  # type: ignore[no-untyped-def]
                yield b"first"
                await asyncio.sleep(pause)
                yield b"second"

        return httpx.Response(200, stream=Body(), request=request)

    async def aclose(self) -> None:
        self.closed = True


def test_a_deadline_transport_bounds_each_body_piece_and_closes_its_inner() -> None:
    async def fetch(pause: float, seconds: float) -> bytes:
        inner = SlowBodyTransport(pause)
        async with httpx.AsyncClient(transport=AsyncDeadlineTransport(inner, Deadline(seconds))) as client:
            response = await client.get("https://example.test/")
        assert inner.closed
        return response.content

    assert asyncio.run(fetch(0.0, 5.0)) == b"firstsecond"
    with pytest.raises(httpx.ReadTimeout) as raised:
        asyncio.run(fetch(5.0, 0.2))
    assert str(raised.value.request.url) == "https://example.test/"


def test_the_time_left_replaces_a_longer_step_timeout() -> None:
    inner = Recorder()
    DeadlineStream(inner, Deadline(1.0)).read(5, 60.0)  # type: ignore[arg-type]
    assert 0 < inner.calls[0][2] <= 1.0


def test_routes_pass_every_argument_and_reach_unrouted_hosts_unchanged() -> None:
    from providers.routing import AsyncRoutedBackend, RoutedBackend

    routes = {"routed.test": ("127.0.0.1", 8443)}
    inner = Recorder()
    backend = RoutedBackend(inner, routes)  # type: ignore[arg-type]
    backend.connect_tcp("routed.test", 443, 2.0, "local", socket_options=None)
    backend.connect_tcp("other.test", 443, 2.0)
    async_inner = AsyncRecorder()
    async_backend = AsyncRoutedBackend(async_inner, routes)  # type: ignore[arg-type]
    asyncio.run(async_backend.connect_tcp("routed.test", 443, 2.0, "local", socket_options=None))
    asyncio.run(async_backend.connect_tcp("other.test", 443, 2.0))
    for recorder in (inner, async_inner):
        assert recorder.calls == [
            ("connect", "127.0.0.1", 8443, 2.0, "local", {"socket_options": None}),
            ("connect", "other.test", 443, 2.0, {}),
        ]
