"""``timeout`` as a bound on the whole call: one deadline per client, enforced on every I/O step.

httpx's own timeouts apply to each read, so an upstream that drips a byte
within each of them holds a call forever. Here every connect, read, write and
TLS handshake of an httpx transport gets only the time left (the network
backend is wrapped), and every step of a curl transport (starting the
request, each piece of the body) is bounded with ``asyncio.wait_for``.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import httpcore
import httpx

from .limits import stop_transfer

T = TypeVar("T")


class Deadline:
    """The monotonic time by which the call must be over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def message(self) -> str:
        return f"the call's {self.seconds:g} s timeout passed"

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float:
        """``timeout`` shortened to the time left; ``expired`` is raised when none is left."""
        left = self.remaining()
        if left <= 0:
            raise expired(self.message())
        return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        left = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        left = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        inner = await self._inner.start_tls(ssl_context, server_hostname, left)
        return AsyncDeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, *args: Any, **kwargs: Any
    ) -> httpcore.NetworkStream:
        left = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.connect_tcp(host, port, left, *args, **kwargs), self._deadline)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(*args, **kwargs)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        left = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        inner = await self._inner.connect_tcp(host, port, left, *args, **kwargs)
        return AsyncDeadlineStream(inner, self._deadline)

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(*args, **kwargs)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def bound_pool(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport, deadline: Deadline) -> None:
    """Give every connection of ``transport`` only the time left before ``deadline``."""
    # httpx has no public hook for the network layer; its pool's backend is the narrowest place.
    pool: Any = transport._pool
    backend = pool._network_backend
    if isinstance(transport, httpx.HTTPTransport):
        pool._network_backend = DeadlineBackend(backend, deadline)
    else:
        pool._network_backend = AsyncDeadlineBackend(backend, deadline)


class AsyncDeadlineTransport(httpx.AsyncBaseTransport):
    """An async transport whose request and each body piece must come before the deadline."""

    def __init__(self, inner: httpx.AsyncBaseTransport, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await bounded(self._deadline, self._inner.handle_async_request(request), request)
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = _DeadlineBody(stream, self._deadline, response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def bounded(deadline: Deadline, step: Awaitable[T], request: httpx.Request) -> T:
    """``step``'s result, or :class:`httpx.ReadTimeout` if the deadline comes first."""
    import asyncio  # here, not at module level: `import providers` stays light

    left = deadline.remaining()
    try:
        if left <= 0:
            raise asyncio.TimeoutError
        return await asyncio.wait_for(step, left)
    except asyncio.TimeoutError:
        if asyncio.iscoroutine(step):
            step.close()
        raise httpx.ReadTimeout(deadline.message(), request=request) from None


class _DeadlineBody(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, deadline: Deadline, response: httpx.Response):
        self._inner = inner
        self._deadline = deadline
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        pieces = self._inner.__aiter__()
        while True:
            try:
                piece = await bounded(self._deadline, pieces.__anext__(), self._response.request)
            except StopAsyncIteration:
                return
            except httpx.ReadTimeout:
                stop_transfer(self._response)
                raise
            yield piece

    async def aclose(self) -> None:
        await self._inner.aclose()
