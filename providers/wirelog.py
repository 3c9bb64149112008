"""Debug logging of HTTP exchanges: one line per request on the provider's logger.

The line is written when the response is closed, so it can say how long the
exchange took and how many bytes came: ``POST https://… -> 200 OK, 0.412 s,
1830 bytes``. Only the method, URL, status, duration and size are logged,
never a header, cookie or body value. Nothing is logged unless the
provider's logger is enabled for DEBUG.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx

#: The parent of every provider's logger; it has a NullHandler, so nothing is printed by default.
ROOT_LOGGER = "providers"

logging.getLogger(ROOT_LOGGER).addHandler(logging.NullHandler())


def logger_for(provider: str) -> logging.Logger:
    """The logger of a provider: ``providers.<name in lower case>``."""
    return logging.getLogger(f"{ROOT_LOGGER}.{provider.lower()}")


def sync_hooks(provider: str) -> dict[str, list[Callable[[httpx.Response], None]]]:
    """Event hooks for an ``httpx.Client`` that log each of its requests."""
    logger = logger_for(provider)

    def on_response(response: httpx.Response) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            response.stream = _LoggedStream(response, logger)

    return {"response": [on_response]}


def async_hooks(provider: str) -> dict[str, list[Callable[[httpx.Response], Awaitable[None]]]]:
    """Event hooks for an ``httpx.AsyncClient`` that log each of its requests."""
    logger = logger_for(provider)

    async def on_response(response: httpx.Response) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            response.stream = _LoggedAsyncStream(response, logger)

    return {"response": [on_response]}


class _Tally:
    def __init__(self, response: httpx.Response, logger: logging.Logger) -> None:
        self.response = response
        self.logger = logger
        self.size = 0
        self.logged = False

    def count(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        return chunk

    def log(self) -> None:
        if self.logged:
            return
        self.logged = True
        response = self.response
        try:
            seconds = response.elapsed.total_seconds()
        except RuntimeError:  # httpx sets ``elapsed`` on close; a stream closed elsewhere has none
            seconds = 0.0
        self.logger.debug(
            "%s %s -> %d %s, %.3f s, %d bytes",
            response.request.method,
            response.request.url,
            response.status_code,
            response.reason_phrase,
            seconds,
            self.size,
        )


class _LoggedStream(httpx.SyncByteStream):
    def __init__(self, response: httpx.Response, logger: logging.Logger) -> None:
        self._inner: Any = response.stream
        self._tally = _Tally(response, logger)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            yield self._tally.count(chunk)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._tally.log()


class _LoggedAsyncStream(httpx.AsyncByteStream):
    def __init__(self, response: httpx.Response, logger: logging.Logger) -> None:
        self._inner: Any = response.stream
        self._tally = _Tally(response, logger)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield self._tally.count(chunk)

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._tally.log()
