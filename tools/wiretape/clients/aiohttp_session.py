"""aiohttp: ``ClientSession._request`` (under ``get``, ``post``, ``request``… and their context managers).

The response body reaches the caller through ``response.content``, an
aiohttp ``StreamReader``. Both directions use one pull-driven reader
(:class:`PullReader`): when the caller wants data the reader takes the next
piece from its source, the upstream's reader while recording (each piece is
recorded as it is handed on) or the recording while replaying (after its
pause). So ``read``, ``text``, ``json``, ``iter_chunked``, ``iter_any`` and
``readline`` see the recorded pieces as they came, and a failure that ended
the body is raised where it came, as aiohttp's own exception.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from .. import intercept
from ..file import RecordedFailure
from ..intercept import Replay, TeeRecord
from ..matching import RequestView
from .patching import Patches, importable

LIBRARY = "aiohttp"

_patches = Patches()


def available() -> bool:
    return importable("aiohttp")


def install() -> None:
    if not available():
        return
    from aiohttp import ClientSession

    _patches.replace(ClientSession, "_request", _patch)


def uninstall() -> None:
    _patches.restore()


# ---------------------------------------------------------------- the request


def view_of(session: Any, method: str, str_or_url: Any, options: dict[str, Any]) -> RequestView:
    url = session._build_url(str_or_url)
    if options.get("params"):
        url = url.extend_query(options["params"])
    headers = session._prepare_headers(options.get("headers"))
    pairs = [(str(name).lower(), str(value)) for name, value in headers.items()]
    body, content_type = _body(session, options)
    if content_type and "content-type" not in headers:
        pairs.append(("content-type", content_type))
    return RequestView(method.upper(), str(url), pairs, body)


def _body(session: Any, options: dict[str, Any]) -> tuple[bytes, str | None]:
    """The body as aiohttp sends it, and the content type it adds (a stream or a multipart form is
    not read: it cannot be replayed)."""
    if options.get("json") is not None:
        return session._json_serialize(options["json"]).encode(), "application/json"
    data = options.get("data")
    if isinstance(data, (dict, list, tuple)):
        return urlencode(data).encode(), "application/x-www-form-urlencoded"
    if isinstance(data, str):
        return data.encode(), "text/plain; charset=utf-8"
    if isinstance(data, (bytes, bytearray)):
        return bytes(data), "application/octet-stream"
    return b"", None


# ---------------------------------------------------------------- failures


def kind_of(exc: BaseException) -> str | None:
    import aiohttp

    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "ConnectTimeout"
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return "ReadTimeout"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "ConnectError"
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError)):
        return "RemoteProtocolError"
    if isinstance(exc, (aiohttp.ClientOSError, aiohttp.ClientConnectionError)):
        return "ReadError"
    return None


def failure_of(failure: RecordedFailure, *, started: bool) -> BaseException:
    """aiohttp's exception for a recorded failure: before the response (``started`` False) or in its body."""
    import aiohttp

    message = f"(replayed) {failure.message or failure.kind}"
    if failure.kind in ("ReadTimeout", "TimeoutException"):
        return aiohttp.SocketTimeoutError(message)
    if failure.kind == "ConnectTimeout":
        return aiohttp.ConnectionTimeoutError(message)
    if started:
        # aiohttp ends a body cut short, however it was cut, with a payload error.
        return aiohttp.ClientPayloadError(message)
    if failure.kind == "RemoteProtocolError":
        return aiohttp.ServerDisconnectedError(message)
    return aiohttp.ClientOSError(message)


# ---------------------------------------------------------------- the body, pulled piece by piece


def _reader_class() -> type:
    from aiohttp import StreamReader

    class PullReader(StreamReader):
        """A StreamReader that fetches its next piece (or its end) only when a read needs it."""

        __slots__ = ("_source",)

        def __init__(self, source: AsyncIterator[bytes], limit: int) -> None:
            protocol: Any = _NoTransport()
            super().__init__(protocol, limit, loop=asyncio.get_running_loop())
            self._source = source

        async def _wait(self, func_name: str) -> None:
            try:
                piece = await self._source.__anext__()
            except StopAsyncIteration:
                self.feed_eof()
            except Exception as exc:
                self.set_exception(exc)
                raise
            else:
                self.feed_data(piece)

    return PullReader


class _NoTransport:
    """The protocol a pulled reader reports to: there is no socket to pause."""

    transport = None

    def pause_reading(self) -> None:
        pass

    def resume_reading(self, resume_parser: bool = True) -> None:
        pass


_readers: list[type] = []


def pull_reader(source: AsyncIterator[bytes], limit: int = 2**16) -> Any:
    if not _readers:
        _readers.append(_reader_class())
    return _readers[0](source, limit)


async def _upstream(inner: Any) -> AsyncIterator[bytes]:
    while piece := await inner.readany():
        yield piece


# ---------------------------------------------------------------- record


def _record(response: Any, recording: intercept.Recording, decompressed: bool) -> None:
    headers = [(str(name), value) for name, value in response.headers.items()]
    record = recording.respond(
        response.status, response.reason or "", headers, decoded_by_client=decompressed
    )
    # HEAD, 204 and 304 answers come with aiohttp's EmptyStreamReader: nothing to tee.
    low_water = getattr(response.content, "_low_water", None)
    if low_water is None:
        record.finish()
        return
    response.content = pull_reader(intercept.ateed(_upstream(response.content), record, kind_of), low_water)
    _on_close(response, record)


def _on_close(response: Any, record: TeeRecord) -> None:
    release, close = response.release, response.close

    def released() -> Any:
        record.stopped()
        return release()

    def closed() -> None:
        record.stopped()
        close()

    response.release, response.close = released, closed


# ---------------------------------------------------------------- replay


@functools.cache
def _response_options() -> Callable[[Any, Any], dict[str, Any]]:
    from types import SimpleNamespace

    from aiohttp import ClientResponse

    takes_writer = "stream_writer" in inspect.signature(ClientResponse.__init__).parameters

    def options(session: Any, request_info: Any) -> dict[str, Any]:
        extra = {"stream_writer": SimpleNamespace(output_size=0)} if takes_writer else {}
        return {
            "writer": None,
            "continue100": None,
            "timer": None,
            "request_info": request_info,
            "traces": [],
            "loop": asyncio.get_running_loop(),
            "session": session,
            **extra,
        }

    return options


async def _replayed(session: Any, view: RequestView, replay: Replay, options: dict[str, Any]) -> Any:
    from aiohttp import RequestInfo
    from aiohttp.http import HttpVersion11
    from multidict import CIMultiDict, CIMultiDictProxy
    from yarl import URL

    url = URL(view.uri)
    recorded = replay.recorded
    request_info = RequestInfo(url, view.method, CIMultiDictProxy(CIMultiDict(view.headers)), url)
    response = session._response_class(view.method, url, **_response_options()(session, request_info))
    response.version = HttpVersion11
    response.status = recorded.status
    response.reason = intercept.reason_phrase(recorded)
    response._headers = CIMultiDictProxy(CIMultiDict(recorded.headers))
    response._raw_headers = tuple((name.encode(), value.encode()) for name, value in recorded.headers)
    response.content = pull_reader(
        intercept.apaced(replay.plan, lambda failure: failure_of(failure, started=True))
    )
    if cookies := tuple(response._headers.getall("set-cookie", ())):
        response._raw_cookie_headers = cookies
        session._cookie_jar.update_cookies_from_headers(cookies, url)
    check = options.get("raise_for_status")
    check = session._raise_for_status if check is None else check
    if callable(check):
        await check(response)
    elif check:
        response.raise_for_status()
    return response


# ---------------------------------------------------------------- the patch


def _patch(original: Callable[..., Awaitable[Any]]) -> Any:
    async def _request(session: Any, method: str, str_or_url: Any, **options: Any) -> Any:
        __tracebackhide__ = True  # see intercept.lookup
        handler = intercept.handling()
        if handler is None:
            return await original(session, method, str_or_url, **options)
        view = view_of(session, method, str_or_url, options)
        replay = intercept.lookup(handler, view)
        if replay is not None:
            await replay.await_head()
            replay.raise_if_failed(lambda failure: failure_of(failure, started=False))
            return await _replayed(session, view, replay, options)
        recording = handler.begin(view)
        recording.client(LIBRARY, {})
        with intercept.sent(recording, kind_of):
            response = await original(session, method, str_or_url, **options)
        decompress = options.get("auto_decompress")
        _record(response, recording, session._auto_decompress if decompress is None else decompress)
        return response

    return _request
