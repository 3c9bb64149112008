"""curl_cffi's own sessions: ``curl_cffi.requests.Session.request`` and ``AsyncSession.request``.

The request is seen as the session would build it (its params, base URL,
headers and body merged as ``curl_cffi`` merges them); the headers libcurl
adds for an impersonated browser never reach Python, so they are not part of
the match: the impersonation is kept as the recording's provenance instead.
A replayed answer is the session's own ``Response``; a streamed one gives its
pieces through ``iter_content`` / ``aiter_content`` (and so ``iter_lines``,
``aiter_lines``, ``atext``).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import AsyncIterator, Iterator
from http.cookies import CookieError, SimpleCookie
from json import dumps
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from .. import intercept
from ..file import RecordedFailure
from ..intercept import Replay, TeeRecord
from ..matching import RequestView
from .patching import Patches, importable

LIBRARY = "curl_cffi"
#: libcurl's error codes by failure kind, for a recording that does not name its own code.
CODES = {
    "ConnectError": 7,  # CURLE_COULDNT_CONNECT
    "ConnectTimeout": 28,  # CURLE_OPERATION_TIMEDOUT
    "ReadTimeout": 28,
    "TimeoutException": 28,
    "ReadError": 56,  # CURLE_RECV_ERROR
    "NetworkError": 56,
    "WriteError": 55,  # CURLE_SEND_ERROR
    "RemoteProtocolError": 18,  # CURLE_PARTIAL_FILE
}
KINDS = {
    6: "ConnectError",  # CURLE_COULDNT_RESOLVE_HOST
    7: "ConnectError",
    35: "ConnectError",  # CURLE_SSL_CONNECT_ERROR
    28: "ReadTimeout",
    55: "WriteError",
    56: "ReadError",
    16: "RemoteProtocolError",  # CURLE_HTTP2
    18: "RemoteProtocolError",
    52: "RemoteProtocolError",  # CURLE_GOT_NOTHING
    92: "RemoteProtocolError",  # CURLE_HTTP2_STREAM
}
_CURL_CODE = re.compile(r"curl: \((\d+)\)")

_patches = Patches()


def available() -> bool:
    return importable("curl_cffi")


def install() -> None:
    if not available():
        return
    from curl_cffi.requests import AsyncSession, Session

    _patches.replace(Session, "request", _sync_patch)
    _patches.replace(AsyncSession, "request", _async_patch)


def uninstall() -> None:
    _patches.restore()


# ---------------------------------------------------------------- the request


def view_of(session: Any, method: str, url: str, options: dict[str, Any]) -> RequestView:
    from curl_cffi.requests import Headers
    from curl_cffi.requests.utils import requote_uri, update_url_params

    for params in (session.params, options.get("params")):
        if params:
            url = update_url_params(url, params)
    if session.base_url:
        url = urljoin(session.base_url, url)
    if options.get("quote", "") is not False:
        url = requote_uri(url)
    headers = Headers(session.headers)
    headers.update(options.get("headers"))
    pairs = [(name.lower(), value) for name, value in headers.multi_items() if value is not None]
    if options.get("json") is not None and not any(name == "content-type" for name, _ in pairs):
        pairs.append(("content-type", "application/json"))
    return RequestView(method.upper(), url, pairs, _body(options))


def _body(options: dict[str, Any]) -> bytes:
    """The body as curl_cffi sends it (a file-like or iterable upload is not read: it is not replayable)."""
    if options.get("json") is not None:
        return dumps(options["json"], separators=(",", ":")).encode()
    data = options.get("content")
    if data is None:
        data = options.get("data")
    if isinstance(data, (dict, list, tuple)):
        return urlencode(data).encode()
    if isinstance(data, str):
        return data.encode()
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    return b""


def _impersonation(session: Any, options: dict[str, Any]) -> dict[str, str | None]:
    impersonate = options.get("impersonate") or session.impersonate
    return {
        "impersonate": None if impersonate is None else str(impersonate),
        "ja3": options.get("ja3") or getattr(session, "ja3", None),
        "akamai": options.get("akamai") or getattr(session, "akamai", None),
    }


# ---------------------------------------------------------------- failures


def kind_of(exc: BaseException) -> str | None:
    from curl_cffi import CurlError

    if not isinstance(exc, CurlError):
        return None
    return KINDS.get(int(exc.code or 0), "ReadError")


def failure_of(failure: RecordedFailure) -> BaseException:
    from curl_cffi.requests.exceptions import code2error

    error_class: Any = code2error  # typed for libcurl's enum; a recorded code is a plain number
    message = f"(replayed) {failure.message or failure.kind}"
    named = _CURL_CODE.search(failure.message)
    code = int(named.group(1)) if named else CODES.get(failure.kind, 56)
    error: BaseException = error_class(code, message)(message, code)
    return error


# ---------------------------------------------------------------- record


def _record_head(response: Any, recording: intercept.Recording) -> TeeRecord:
    return recording.respond(
        response.status_code, response.reason or "", response.headers.multi_items(), decoded_by_client=True
    )


def _tee_sync(response: Any, record: TeeRecord) -> None:
    iter_content, close = response.iter_content, response.close

    def teed_content(chunk_size: Any = None, decode_unicode: bool = False) -> Iterator[bytes]:
        return intercept.teed(iter_content(chunk_size, decode_unicode), record, kind_of)

    def closed() -> None:
        record.stopped()
        close()

    response.iter_content, response.close = teed_content, closed


def _tee_async(response: Any, record: TeeRecord) -> None:
    aiter_content, aclose = response.aiter_content, response.aclose

    def teed_content(chunk_size: Any = None, decode_unicode: bool = False) -> AsyncIterator[bytes]:
        return intercept.ateed(aiter_content(chunk_size, decode_unicode), record, kind_of)

    async def closed() -> None:
        record.stopped()
        await aclose()

    response.aiter_content, response.aclose = teed_content, closed


def _record_whole(response: Any, record: TeeRecord) -> None:
    if response.content:
        record.chunk(response.content)
    record.finish()


# ---------------------------------------------------------------- replay


def _replayed(session: Any, view: RequestView, replay: Replay, options: dict[str, Any]) -> Any:
    from curl_cffi.requests import Headers
    from curl_cffi.requests.models import Request

    recorded = replay.recorded
    response = session.response_class(None, Request(view.uri, Headers(view.headers), view.method, view.body))
    response.url = view.uri
    response.status_code = recorded.status
    response.reason = intercept.reason_phrase(recorded)
    response.ok = recorded.status < 400
    response.headers = Headers(recorded.headers)
    response.default_encoding = options.get("default_encoding", "utf-8")
    _take_cookies(session, response, view.uri)
    if options.get("stream"):
        plan = replay.plan
        response.iter_content = lambda chunk_size=None, decode_unicode=False: intercept.paced(
            plan, failure_of
        )
        response.aiter_content = lambda chunk_size=None, decode_unicode=False: intercept.apaced(
            plan, failure_of
        )
    else:
        # A whole answer was read whole: a failure that ended it is raised now, as curl would.
        response.content = b"".join(intercept.paced(replay.plan, failure_of))
    if session.raise_for_status:
        response.raise_for_status()
    return response


def _take_cookies(session: Any, response: Any, url: str) -> None:
    domain = urlsplit(url).hostname or ""
    for header in response.headers.get_list("set-cookie"):
        try:
            cookies = SimpleCookie(header)
        except CookieError:
            continue  # a cookie curl would not take either
        for name, morsel in cookies.items():
            for jar in (response.cookies, session.cookies):
                jar.set(name, morsel.value, domain=morsel["domain"] or domain, path=morsel["path"] or "/")


# ---------------------------------------------------------------- the patches


#: curl_cffi's request signatures have some forty parameters: read once, when first needed.
_signature = functools.lru_cache(maxsize=8)(inspect.signature)


def _options(original: Any) -> Any:
    def named(session: Any, method: str, url: str, args: Any, options: dict[str, Any]) -> dict[str, Any]:
        """Every argument by name (a caller may pass ``params`` or ``data`` by position)."""
        if not args:
            return options
        bound = _signature(original).bind(session, method, url, *args, **options).arguments
        return dict(list(bound.items())[3:])

    return named


def _sync_patch(original: Any) -> Any:
    named = _options(original)

    def request(session: Any, method: str, url: str, *args: Any, **options: Any) -> Any:
        __tracebackhide__ = True  # see intercept.lookup
        handler = intercept.handling()
        if handler is None:
            return original(session, method, url, *args, **options)
        options = named(session, method, url, args, options)
        view = view_of(session, method, url, options)
        replay = intercept.lookup(handler, view)
        if replay is not None:
            replay.wait_for_head()
            replay.raise_if_failed(failure_of)
            return _replayed(session, view, replay, options)
        recording = handler.begin(view)
        recording.client(LIBRARY, _impersonation(session, options))
        with intercept.sent(recording, kind_of):
            response = original(session, method, url, **options)
        record = _record_head(response, recording)
        if options.get("stream"):
            _tee_sync(response, record)
        else:
            _record_whole(response, record)
        return response

    return request


def _async_patch(original: Any) -> Any:
    named = _options(original)

    async def request(session: Any, method: str, url: str, *args: Any, **options: Any) -> Any:
        __tracebackhide__ = True  # see intercept.lookup
        handler = intercept.handling()
        if handler is None:
            return await original(session, method, url, *args, **options)
        options = named(session, method, url, args, options)
        view = view_of(session, method, url, options)
        replay = intercept.lookup(handler, view)
        if replay is not None:
            await replay.await_head()
            replay.raise_if_failed(failure_of)
            return _replayed(session, view, replay, options)
        recording = handler.begin(view)
        recording.client(LIBRARY, _impersonation(session, options))
        with intercept.sent(recording, kind_of):
            response = await original(session, method, url, **options)
        record = _record_head(response, recording)
        if options.get("stream"):
            _tee_async(response, record)
        else:
            _record_whole(response, record)
        return response

    return request
