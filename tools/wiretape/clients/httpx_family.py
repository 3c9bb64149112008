"""httpx, httpx2 (its fork, under the openai 3 and anthropic 2 SDKs) and httpx-curl-cffi: the
transports' ``handle_request`` / ``handle_async_request``, sync and async.

The libraries share one shape (``Request``, ``Response`` with a byte stream,
``TransportError`` and its subclasses named alike), so one adapter serves
each of them, parametrised by its module.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import ModuleType
from typing import Any

from .. import intercept
from ..file import FAILURE_KINDS, RecordedFailure
from ..intercept import Replay, ReplayPlan, TeeRecord
from ..matching import RequestView
from .patching import Patches

CURL_TIMEOUT_CODE = 28  # CURLE_OPERATION_TIMEDOUT

_patches = Patches()


def _transports() -> list[tuple[ModuleType, type, str, bool]]:
    """``(httpx-like module, transport class, method, is_async)`` for each installed library."""
    found = []
    for name in ("httpx", "httpx2"):
        module = _optional(name)
        if module is not None:
            found += [
                (module, module.HTTPTransport, "handle_request", False),
                (module, module.AsyncHTTPTransport, "handle_async_request", True),
            ]
    curl = _optional("httpx_curl_cffi")
    if curl is not None:
        httpx = sys.modules["httpx"]
        found += [
            (httpx, curl.CurlTransport, "handle_request", False),
            (httpx, curl.AsyncCurlTransport, "handle_async_request", True),
        ]
    return found


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def install() -> None:
    for module, cls, name, is_async in _transports():
        family = _family(module)
        _patches.replace(cls, name, family.async_patch if is_async else family.sync_patch)


def uninstall() -> None:
    _patches.restore()


# ---------------------------------------------------------------- one library of the family


_families: dict[str, Family] = {}


def _family(module: ModuleType) -> Family:
    if module.__name__ not in _families:
        _families[module.__name__] = Family(module)
    return _families[module.__name__]


def view_of(request: Any) -> RequestView:
    raw = request.headers.raw
    # Decoding the raw pairs once is several times cheaper than Headers.multi_items(). As httpx
    # decodes them: UTF-8 (ASCII included) if every name and value is, else Latin-1; asking
    # Headers.encoding would try each name and value once more per request.
    try:
        pairs = [(name.decode().lower(), value.decode()) for name, value in raw]
    except UnicodeDecodeError:
        pairs = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in raw]
    return RequestView(request.method, str(request.url), pairs, request.content)


def failure_kind(module: ModuleType, exc: BaseException) -> str | None:
    """The kind a transport failure is recorded as; None for anything that is not one."""
    if isinstance(exc, module.TransportError):
        return next((cls.__name__ for cls in type(exc).__mro__ if cls.__name__ in FAILURE_KINDS), "ReadError")
    # curl_cffi's errors escape httpx-curl-cffi while streaming (looked up, never imported here).
    curl = sys.modules.get("curl_cffi")
    if curl is not None and isinstance(exc, curl.CurlError):
        return "ReadTimeout" if getattr(exc, "code", None) == CURL_TIMEOUT_CODE else "ReadError"
    return None


class Family:
    """The patches and streams for one httpx-like module."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.tee_stream = _tee_stream_class(self)
        self.async_tee_stream = _async_tee_stream_class(self)
        self.replay_stream = _replay_stream_class(self)

    def failure(self, request: Any, kind: str, message: str) -> Exception:
        error_class = getattr(self.module, kind, self.module.ReadError)
        # A recorded failure without a message (a bare ReadError) is replayed naming its kind.
        return error_class(f"(replayed) {message or kind}", request=request)  # type: ignore[no-any-return]

    def kind(self, exc: BaseException) -> str | None:
        return failure_kind(self.module, exc)

    def failure_of(self, request: Any) -> Callable[[RecordedFailure], BaseException]:
        return lambda failure: self.failure(request, failure.kind, failure.message)

    def replay(self, request: Any, replay: Replay) -> Any:
        replay.raise_if_failed(self.failure_of(request))
        recorded = replay.recorded
        return self.module.Response(
            recorded.status,
            # Bytes: a recorded value may hold any character (a filename="Grüße.txt" disposition).
            headers=[(name.encode(), value.encode()) for name, value in recorded.headers],
            stream=self.replay_stream(request, replay.plan),
            request=request,
            extensions={"reason_phrase": intercept.reason_phrase(recorded).encode("ascii", "replace")},
        )

    def record_head(self, response: Any, recording: intercept.Recording) -> TeeRecord:
        return recording.respond(
            response.status_code,
            response.reason_phrase,
            response.headers.multi_items(),
            decoded_by_client="curl" in response.extensions,
        )

    def sync_patch(self, original: Callable[[Any, Any], Any]) -> Any:
        family = self

        def handle_request(transport: Any, request: Any) -> Any:
            __tracebackhide__ = True  # see intercept.lookup
            handler = intercept.handling()
            if handler is None:
                return original(transport, request)
            request.read()
            view = view_of(request)
            replay = intercept.lookup(handler, view)
            if replay is not None:
                replay.wait_for_head()
                return family.replay(request, replay)
            recording = handler.begin(view)
            with intercept.sent(recording, family.kind):
                response = original(transport, request)
            response.stream = family.tee_stream(response.stream, family.record_head(response, recording))
            return response

        return handle_request

    def async_patch(self, original: Callable[[Any, Any], Awaitable[Any]]) -> Any:
        family = self

        async def handle_async_request(transport: Any, request: Any) -> Any:
            __tracebackhide__ = True  # see intercept.lookup
            handler = intercept.handling()
            if handler is None:
                return await original(transport, request)
            await request.aread()
            view = view_of(request)
            replay = intercept.lookup(handler, view)
            if replay is not None:
                await replay.await_head()
                return family.replay(request, replay)
            recording = handler.begin(view)
            with intercept.sent(recording, family.kind):
                response = await original(transport, request)
            response.stream = family.async_tee_stream(
                response.stream, family.record_head(response, recording)
            )
            return response

        return handle_async_request


# ---------------------------------------------------------------- streams, one class per module


def _tee_stream_class(family: Family) -> type:
    class TeeStream(family.module.SyncByteStream):  # type: ignore[name-defined,misc]
        """Hands each piece on as it arrives and records it; the recording ends where the client stops."""

        def __init__(self, inner: Any, record: TeeRecord) -> None:
            self._inner = inner
            self._record = record

        def __iter__(self) -> Iterator[bytes]:
            return intercept.teed(iter(self._inner), self._record, family.kind)

        def close(self) -> None:
            self._record.stopped()
            self._inner.close()

    return TeeStream


def _async_tee_stream_class(family: Family) -> type:
    class AsyncTeeStream(family.module.AsyncByteStream):  # type: ignore[name-defined,misc]
        def __init__(self, inner: Any, record: TeeRecord) -> None:
            self._inner = inner
            self._record = record

        def __aiter__(self) -> AsyncIterator[bytes]:
            return intercept.ateed(self._inner.__aiter__(), self._record, family.kind)

        async def aclose(self) -> None:
            self._record.stopped()
            await self._inner.aclose()

    return AsyncTeeStream


def _replay_stream_class(family: Family) -> type:
    module = family.module

    class ReplayStream(module.SyncByteStream, module.AsyncByteStream):  # type: ignore[name-defined,misc]
        """The recorded pieces, with their recorded pauses when replaying in real time, then the ending."""

        def __init__(self, request: Any, plan: ReplayPlan) -> None:
            self._request = request
            self._plan = plan

        def __iter__(self) -> Iterator[bytes]:
            return intercept.paced(self._plan, family.failure_of(self._request))

        def __aiter__(self) -> AsyncIterator[bytes]:
            return intercept.apaced(self._plan, family.failure_of(self._request))

    return ReplayStream
