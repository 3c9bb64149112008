"""requests: ``requests.adapters.HTTPAdapter.send`` (every ``Session.send``; urllib3 below).

The body reaches the caller through ``response.raw`` (``iter_content``,
``iter_lines`` and ``content`` all read ``raw.stream``): while recording,
``raw`` is wrapped so that each piece is recorded as the caller reads it;
while replaying, ``raw`` gives the recorded pieces (none longer than the
caller asked for) and ends with the recorded failure as urllib3's exception,
which requests turns into its own (``ChunkedEncodingError``, ``ConnectionError``)
as it does for a live answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.client import HTTPMessage
from typing import Any

from .. import intercept
from ..file import RecordedFailure
from ..intercept import Replay, ReplayPlan, TeeRecord
from ..matching import RequestView
from .patching import Patches, importable

LIBRARY = "requests"

_patches = Patches()


def available() -> bool:
    return importable("requests")


def install() -> None:
    if not available():
        return
    from requests.adapters import HTTPAdapter

    _patches.replace(HTTPAdapter, "send", _patch)


def uninstall() -> None:
    _patches.restore()


def view_of(request: Any) -> RequestView:
    body = request.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, (bytes, bytearray)):
        body = b""  # none, or a stream or generator: not replayable
    headers = [(name.lower(), value) for name, value in request.headers.items()]
    return RequestView(request.method, request.url, headers, bytes(body))


# ---------------------------------------------------------------- failures


def kind_of(exc: BaseException) -> str | None:
    """The kind of a failure before the response (requests' exceptions) or in its body (urllib3's)."""
    from requests import exceptions
    from urllib3 import exceptions as urllib3_exceptions

    if isinstance(exc, exceptions.ConnectTimeout):
        return "ConnectTimeout"
    if isinstance(exc, (exceptions.ReadTimeout, urllib3_exceptions.ReadTimeoutError)):
        return "ReadTimeout"
    if isinstance(exc, exceptions.Timeout):
        return "TimeoutException"
    if isinstance(exc, urllib3_exceptions.ProtocolError):
        cut_short = "IncompleteRead" in str(exc) or "InvalidChunkLength" in str(exc)
        return "RemoteProtocolError" if cut_short else "ReadError"
    if isinstance(exc, exceptions.ConnectionError):
        sent = any(isinstance(arg, urllib3_exceptions.ProtocolError) for arg in exc.args)
        return "RemoteProtocolError" if sent else "ConnectError"
    if isinstance(exc, (exceptions.RequestException, urllib3_exceptions.HTTPError)):
        return "NetworkError"
    return None


def failure_before_response(failure: RecordedFailure, request: Any) -> BaseException:
    from requests import exceptions

    message = f"(replayed) {failure.message or failure.kind}"
    error_class = {
        "ConnectTimeout": exceptions.ConnectTimeout,
        "ReadTimeout": exceptions.ReadTimeout,
        "TimeoutException": exceptions.Timeout,
    }.get(failure.kind, exceptions.ConnectionError)
    return error_class(message, request=request)


def failure_in_body(failure: RecordedFailure) -> BaseException:
    """urllib3's exception, which requests turns into its own where the body is read."""
    from urllib3 import exceptions

    message = f"(replayed) {failure.message or failure.kind}"
    if failure.kind in ("ReadTimeout", "TimeoutException"):
        return exceptions.ReadTimeoutError(None, None, message)  # type: ignore[arg-type]
    return exceptions.ProtocolError(message)


# ---------------------------------------------------------------- the raw bodies


def _slices(piece: bytes, amt: int | None) -> Iterator[bytes]:
    if not amt:
        yield piece
        return
    for start in range(0, len(piece), amt):
        yield piece[start : start + amt]


class _RawBody:
    """What both raw bodies share: ``read`` on top of ``stream`` (requests itself only streams)."""

    def __init__(self) -> None:
        self._rest: Iterator[bytes] | None = None

    def stream(self, amt: int | None = None, decode_content: bool | None = None) -> Iterator[bytes]:
        raise NotImplementedError

    def read(self, amt: int | None = None, decode_content: bool | None = None, **_: Any) -> bytes:
        if amt is None:
            return b"".join(self.stream(None))
        if self._rest is None:
            self._rest = self.stream(amt)
        return next(self._rest, b"")


class TeeRaw(_RawBody):
    """urllib3's response, its body recorded piece by piece as the caller reads it."""

    def __init__(self, inner: Any, record: TeeRecord) -> None:
        super().__init__()
        self._inner = inner
        self._record = record

    def stream(self, amt: int | None = None, decode_content: bool | None = None) -> Iterator[bytes]:
        return intercept.teed(self._inner.stream(amt, decode_content=decode_content), self._record, kind_of)

    def close(self) -> None:
        self._record.stopped()
        self._inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ReplayRaw(_RawBody):
    """A recorded answer in place of urllib3's response."""

    def __init__(self, replay: Replay) -> None:
        from urllib3 import HTTPHeaderDict

        super().__init__()
        recorded = replay.recorded
        self._plan: ReplayPlan = replay.plan
        self.status = recorded.status
        self.reason = intercept.reason_phrase(recorded)
        self.headers = HTTPHeaderDict()
        for name, value in recorded.headers:
            self.headers.add(name, value)
        # What requests reads the cookies from (it skips a response without one).
        self._original_response = _original(recorded.headers)
        self.closed = False

    def stream(self, amt: int | None = None, decode_content: bool | None = None) -> Iterator[bytes]:
        for piece in intercept.paced(self._plan, failure_in_body):
            yield from _slices(piece, amt)

    def close(self) -> None:
        self.closed = True

    def release_conn(self) -> None:
        pass


class _Original:
    def __init__(self, msg: HTTPMessage) -> None:
        self.msg = msg


def _original(headers: list[tuple[str, str]]) -> _Original | None:
    if not any(name.lower() == "set-cookie" for name, _ in headers):
        return None
    message = HTTPMessage()
    for name, value in headers:
        message[name] = value
    return _Original(message)


# ---------------------------------------------------------------- the patch


def _patch(original: Any) -> Any:
    def send(adapter: Any, request: Any, *args: Any, **options: Any) -> Any:
        __tracebackhide__ = True  # see intercept.lookup
        handler = intercept.handling()
        if handler is None:
            return original(adapter, request, *args, **options)
        view = view_of(request)
        replay = intercept.lookup(handler, view)
        if replay is not None:
            replay.wait_for_head()
            replay.raise_if_failed(lambda failure: failure_before_response(failure, request))
            return adapter.build_response(request, ReplayRaw(replay))
        recording = handler.begin(view)
        recording.client(LIBRARY, {})
        with intercept.sent(recording, kind_of):
            response = original(adapter, request, *args, **options)
        raw = response.raw
        # urllib3 decodes the body as it is read (requests asks it to): what is recorded is decoded.
        record = recording.respond(
            response.status_code, response.reason or "", list(raw.headers.items()), decoded_by_client=True
        )
        response.raw = TeeRaw(raw, record)
        return response

    return send
