"""Interception of the httpx transports the providers use: plain httpx and httpx-curl-cffi, sync and async.

The active handler (a cassette) sees every request first and either answers
it (replay) or lets it through and tees the response stream (record). The
patches are installed while at least one handler is active.
"""

from __future__ import annotations

import asyncio
import http
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol

import httpx

from .errors import ConfigurationError
from .file import Chunk, RecordedFailure, RecordedResponse

CURL_TIMEOUT_CODE = 28  # CURLE_OPERATION_TIMEDOUT

#: Transport errors a recording can end with (before the response, or in its stream),
#: replayed as the same httpx class.
REPLAYABLE_ERRORS: dict[str, type[httpx.TransportError]] = {
    cls.__name__: cls
    for cls in (
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.RemoteProtocolError,
        httpx.ReadError,
        httpx.ReadTimeout,
        httpx.WriteError,
        httpx.NetworkError,
        httpx.TimeoutException,
    )
}


class Handler(Protocol):
    def handle(self, request: httpx.Request, send: Callable[[], httpx.Response]) -> httpx.Response: ...

    async def ahandle(
        self, request: httpx.Request, send: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response: ...


_lock = threading.RLock()
_handlers: list[Handler] = []
_originals: list[tuple[type, str, Any]] = []


def _targets() -> list[tuple[type, str, bool]]:
    targets: list[tuple[type, str, bool]] = [
        (httpx.HTTPTransport, "handle_request", False),
        (httpx.AsyncHTTPTransport, "handle_async_request", True),
    ]
    try:
        import httpx_curl_cffi
    except ImportError:
        return targets
    targets += [
        (httpx_curl_cffi.CurlTransport, "handle_request", False),
        (httpx_curl_cffi.AsyncCurlTransport, "handle_async_request", True),
    ]
    return targets


def install(handler: Handler) -> None:
    """Route every request of the supported transports through ``handler`` until :func:`uninstall`."""
    with _lock:
        _handlers.append(handler)
        if _originals:
            return
        for cls, name, is_async in _targets():
            original = cls.__dict__[name]
            _originals.append((cls, name, original))
            setattr(cls, name, _async_patch(original) if is_async else _sync_patch(original))


def uninstall(handler: Handler) -> None:
    with _lock:
        _handlers.remove(handler)
        if _handlers:
            return
        while _originals:
            cls, name, original = _originals.pop()
            setattr(cls, name, original)


def _current() -> Handler | None:
    return _handlers[-1] if _handlers else None


def _sync_patch(original: Callable[[Any, httpx.Request], httpx.Response]) -> Any:
    def handle_request(transport: Any, request: httpx.Request) -> httpx.Response:
        handler = _current()
        if handler is None:
            return original(transport, request)
        request.read()
        return handler.handle(request, lambda: original(transport, request))

    return handle_request


def _async_patch(original: Callable[[Any, httpx.Request], Awaitable[httpx.Response]]) -> Any:
    async def handle_async_request(transport: Any, request: httpx.Request) -> httpx.Response:
        handler = _current()
        if handler is None:
            return await original(transport, request)
        await request.aread()
        return await handler.ahandle(request, lambda: original(transport, request))

    return handle_async_request


# ---------------------------------------------------------------- record: a tee on the response stream


def error_kind(exc: BaseException) -> str | None:
    """The name under which a stream-ending transport error is recorded, None if it is not one."""
    if isinstance(exc, httpx.TransportError):
        for cls in type(exc).__mro__:
            if cls.__name__ in REPLAYABLE_ERRORS:
                return cls.__name__
        return "ReadError"
    # curl_cffi errors escape httpx-curl-cffi while streaming (curl_cffi is only looked up,
    # never imported here: a process that never loaded it cannot have raised one).
    curl = sys.modules.get("curl_cffi")
    if curl is None or not isinstance(exc, curl.CurlError):
        return None
    return "ReadTimeout" if getattr(exc, "code", None) == CURL_TIMEOUT_CODE else "ReadError"


class TeeRecord:
    """Collects the chunks of one response as the provider reads them."""

    def __init__(self, response: RecordedResponse, started: float) -> None:
        self.response = response
        self.body = bytearray()
        self.last = started
        self.finished = False

    def chunk(self, data: bytes) -> None:
        now = time.perf_counter()
        self.response.chunks.append(Chunk(size=len(data), delay=now - self.last))
        # The body is assembled once, by complete(): copying it per chunk would be quadratic.
        self.body.extend(data)
        self.last = now

    def error(self, exc: BaseException) -> None:
        kind = error_kind(exc)
        if kind is not None:
            self.response.error = RecordedFailure(kind=kind, message=str(exc))
        self.complete()

    def finish(self) -> None:
        """The stream was read to its end."""
        self.finished = True
        self.complete()

    def stopped(self) -> None:
        """The client closed the response: what it did not read is not recorded (nor read), and the
        recording says that it ends there."""
        if not self.finished and self.response.error is None:
            self.response.truncated_by_client = True
        self.finished = True
        self.complete()

    def complete(self) -> None:
        """Put what was read so far into the recorded response (called again as more comes)."""
        if len(self.response.body) != len(self.body):
            self.response.body = bytes(self.body)


class TeeStream(httpx.SyncByteStream):
    """Hands each chunk on as it arrives and records it; the recording ends where the client stops."""

    def __init__(self, inner: Any, record: TeeRecord) -> None:
        self._inner = inner
        self._record = record

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pump(iter(self._inner))

    def _pump(self, iterator: Iterator[bytes]) -> Iterator[bytes]:
        try:
            for data in iterator:
                if data:
                    self._record.chunk(data)
                    yield data
        except Exception as exc:
            self._record.error(exc)
            raise
        self._record.finish()

    def close(self) -> None:
        self._record.stopped()
        self._inner.close()


class AsyncTeeStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any, record: TeeRecord) -> None:
        self._inner = inner
        self._record = record

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for data in self._pump(self._inner.__aiter__()):
            yield data

    async def _pump(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        try:
            async for data in iterator:
                if data:
                    self._record.chunk(data)
                    yield data
        except Exception as exc:
            self._record.error(exc)
            raise
        self._record.finish()

    async def aclose(self) -> None:
        self._record.stopped()
        await self._inner.aclose()


def tee(response: httpx.Response, recorded: RecordedResponse, started: float, *, is_async: bool) -> TeeRecord:
    """Replace ``response``'s stream by a tee that fills ``recorded``; ``complete()`` the returned
    record before reading ``recorded.body`` (a stream read only in part leaves it behind)."""
    record = TeeRecord(recorded, started)
    response.stream = (
        AsyncTeeStream(response.stream, record) if is_async else TeeStream(response.stream, record)
    )
    return record


# ---------------------------------------------------------------- replay


Rechunk = Callable[[bytes, list[bytes]], list[bytes]]


class ReplayStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The recorded chunks, optionally with their recorded delays, then the recorded error if any."""

    def __init__(
        self, request: httpx.Request, pieces: list[bytes], delays: list[float], error: RecordedFailure | None
    ) -> None:
        self._request = request
        self._pieces = pieces
        self._delays = delays
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        for piece, delay in zip(self._pieces, self._delays, strict=True):
            if delay > 0:
                time.sleep(delay)
            yield piece
        self._raise_recorded_error()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece, delay in zip(self._pieces, self._delays, strict=True):
            if delay > 0:
                await asyncio.sleep(delay)
            yield piece
        self._raise_recorded_error()

    def _raise_recorded_error(self) -> None:
        if self._error is not None:
            raise recorded_error(self._request, self._error)


def recorded_error(request: httpx.Request, error: RecordedFailure) -> httpx.TransportError:
    """The httpx error a recorded transport error is replayed as."""
    error_class = REPLAYABLE_ERRORS.get(error.kind, httpx.ReadError)
    return error_class(f"(replayed) {error.message}", request=request)


def replay_response(
    request: httpx.Request, recorded: RecordedResponse, *, realtime: bool, rechunk: Rechunk | None
) -> httpx.Response:
    pieces = recorded.pieces()
    delays = (
        [chunk.delay for chunk in recorded.chunks] if realtime and recorded.chunks else [0.0] * len(pieces)
    )
    if rechunk is not None:
        pieces = [piece for piece in rechunk(recorded.body, pieces) if piece]
        if b"".join(pieces) != recorded.body:
            raise ConfigurationError("a rechunk hook must cut the body, not change it")
        delays = [0.0] * len(pieces)
    return httpx.Response(
        recorded.status,
        # Bytes: a recorded value may hold any character (a filename="Grüße.txt" disposition).
        headers=[(name.encode("utf-8"), value.encode("utf-8")) for name, value in recorded.headers],
        stream=ReplayStream(request, pieces, delays, recorded.error or _ending_of(recorded)),
        request=request,
        extensions={"reason_phrase": reason_phrase(recorded).encode("ascii", "replace")},
    )


#: What a client reading past the end of a recording that its recorder stopped reading gets.
READ_PAST_RECORDING = RecordedFailure(
    "ReadError", "the recording ends here: the client that recorded it stopped reading at this point"
)


def _ending_of(recorded: RecordedResponse) -> RecordedFailure | None:
    return READ_PAST_RECORDING if recorded.truncated_by_client else None


def reason_phrase(recorded: RecordedResponse) -> str:
    """The recorded reason, or the status's standard phrase where none was recorded (``message: ''``)."""
    if recorded.reason:
        return recorded.reason
    try:
        return http.HTTPStatus(recorded.status).phrase
    except ValueError:
        return ""
