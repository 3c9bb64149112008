"""The interception core every client adapter shares (adapters: :mod:`wiretape.clients`).

An adapter turns its library's request into a :class:`~wiretape.matching.RequestView`
and asks the active handler (a cassette):

- ``answer(view)``: a recording that answers it (replay; ``replay_plan``
  says which pieces to give, with which pauses, ended by which failure), or
  None: send it;
- ``begin(view)`` for a request it sends: a :class:`Recording`, told the
  response's head (:meth:`Recording.respond`, which gives the
  :class:`TeeRecord` the body's pieces go to as the client reads them) or the
  failure that came instead (:meth:`Recording.failed`).

Adapters send the real request inside :func:`sending`, so that the bypass
guard (:mod:`wiretape.bypass`) can tell their connections from those of a
client no adapter intercepts. Failures are recorded under one vocabulary of
kinds (httpx's exception names); each adapter maps its library's exceptions to
a kind and back.
"""

from __future__ import annotations

import contextlib
import contextvars
import http
import itertools
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from .errors import ConfigurationError
from .file import Chunk, RecordedFailure, RecordedResponse
from .matching import RequestView
from .spool import Spool, SpoolFile

#: The status of a recording whose request failed before any response came.
NO_RESPONSE = 0
#: What a client reading past the end of a recording that its recorder stopped reading gets.
READ_PAST_RECORDING = RecordedFailure(
    "ReadError", "the recording ends here: the client that recorded it stopped reading at this point"
)

Rechunk = Callable[[bytes, list[bytes]], list[bytes]]
#: An adapter's map from its library's exception to a failure kind (None: not a transport failure).
KindOf = Callable[[BaseException], "str | None"]
#: An adapter's map from a recorded failure back to its library's exception.
FailureOf = Callable[[RecordedFailure], BaseException]


class Handler(Protocol):
    def answer(self, request: RequestView) -> RecordedResponse | None: ...

    def begin(self, request: RequestView) -> Recording: ...

    def replay_plan(self, recorded: RecordedResponse) -> ReplayPlan: ...

    def client_bypassed(self, target: str) -> Exception: ...


_lock = threading.RLock()
_handlers: list[Handler] = []
_sending: contextvars.ContextVar[bool] = contextvars.ContextVar("wiretape_sending", default=False)


def install(handler: Handler) -> None:
    """Route every request of the intercepted clients through ``handler`` until :func:`uninstall`."""
    from . import bypass, clients

    with _lock:
        _handlers.append(handler)
        if len(_handlers) == 1:
            try:
                clients.install()
                bypass.install()
            except BaseException:  # a library found but broken: nothing stays patched, nor active
                _handlers.remove(handler)
                bypass.uninstall()
                clients.uninstall()
                raise


def uninstall(handler: Handler) -> None:
    from . import bypass, clients

    with _lock:
        _handlers.remove(handler)
        if not _handlers:
            bypass.uninstall()
            clients.uninstall()


def current() -> Handler | None:
    """The innermost active handler, if any."""
    return _handlers[-1] if _handlers else None


def handling() -> Handler | None:
    """The handler an adapter gives a request to; None when no cassette is active or when the request is
    the send of an exchange already intercepted (httpx-curl-cffi sends through a curl_cffi session)."""
    return None if _sending.get() else current()


@contextlib.contextmanager
def sending() -> Iterator[None]:
    """Mark the real send of an intercepted request: its connections are the adapter's own."""
    token = _sending.set(True)
    try:
        yield
    finally:
        _sending.reset(token)


def is_sending() -> bool:
    return _sending.get()


@contextlib.contextmanager
def sent(recording: Recording, kind_of: KindOf) -> Iterator[None]:
    """The real send of a recorded request (see :func:`sending`); a failure before any response is
    recorded under its kind, then raised on."""
    with sending():
        try:
            yield
        except Exception as exc:
            recording.failed(kind_of(exc), str(exc))
            raise


# ---------------------------------------------------------------- record


class TeeRecord:
    """Collects the pieces of one response body as the client reads them."""

    def __init__(
        self,
        response: RecordedResponse,
        started: float,
        *,
        relength: bool = False,
        spool_file: SpoolFile | None = None,
    ) -> None:
        self.response = response
        self.started = started
        self.relength = relength
        # Per piece only its bytes (spooled: a large body waits in a file, not in memory), its size and
        # when it came: the body and its chunk list are built once, by complete(). More bookkeeping per
        # piece slows a large stream.
        self._spool = Spool(file=spool_file)
        self.sizes: list[int] = []
        self.arrivals: list[float] = []
        self.finished = False
        self._closed = False
        # The cassette may be written (complete(), close()) while another thread still reads the body.
        self._lock = threading.Lock()

    def chunk(self, data: bytes) -> None:
        with self._lock:
            if self._closed:  # read after the cassette was written (or dropped): not recorded
                return
            self._spool.add(data)
            self.sizes.append(len(data))
            self.arrivals.append(time.perf_counter())

    def error(self, kind: str | None, message: str) -> None:
        """The body ended with a transport failure (``kind`` None: not one a recording can hold)."""
        if kind is not None:
            self.response.error = RecordedFailure(kind=kind, message=message)
        self.finished = True

    def finish(self) -> None:
        """The body was read to its end (a library may close the response just before it says so)."""
        self.response.truncated_by_client = False
        self.finished = True

    def stopped(self) -> None:
        """The client closed the response: what it did not read is not recorded (nor read), and the
        recording says that it ends there."""
        if not self.finished and self.response.error is None:
            self.response.truncated_by_client = True
        self.finished = True

    def complete(self) -> None:
        """Put what was read so far into the recorded response: once, when the cassette is written,
        not while the client is waiting for its call to end."""
        with self._lock:
            if len(self.response.chunks) == len(self.sizes):
                return
            self.response.body = self._spool.read()
            if self.relength:
                length = str(len(self.response.body))
                self.response.headers = [
                    (name, length if name.lower() == "content-length" else value)
                    for name, value in self.response.headers
                ]
            times = itertools.pairwise([self.started, *self.arrivals])
            self.response.chunks = [
                Chunk(size=size, delay=arrival - previous)
                for size, (previous, arrival) in zip(self.sizes, times, strict=True)
            ]

    def close(self) -> None:
        """Let go of the spooled body (the cassette is written, or will not be); pieces read after it
        are not recorded."""
        with self._lock:
            self._closed = True
            self._spool.close()


class Recording:
    """One exchange being recorded: created when the request is sent."""

    def __init__(
        self,
        response: RecordedResponse,
        on_response: Callable[[TeeRecord], None],
        spool_file: SpoolFile | None = None,
    ) -> None:
        self.response = response
        self.started = time.perf_counter()
        self._on_response = on_response
        self._spool_file = spool_file  # where a large body waits: shared by the cassette's recordings

    def respond(
        self, status: int, reason: str, headers: list[tuple[str, str]], *, decoded_by_client: bool = False
    ) -> TeeRecord:
        """The response's head arrived; the returned record takes its body's pieces.

        ``decoded_by_client``: the client hands over the body already decoded (curl, urllib3,
        aiohttp do): ``content-encoding`` is left out and ``content-length`` becomes the stored
        body's length."""
        now = time.perf_counter()
        self.response.status = status
        self.response.reason = reason
        compressed = decoded_by_client and any(name.lower() == "content-encoding" for name, _ in headers)
        if compressed:
            headers = [(name, value) for name, value in headers if name.lower() != "content-encoding"]
        self.response.headers = headers
        self.response.header_delay = now - self.started
        record = TeeRecord(self.response, now, relength=compressed, spool_file=self._spool_file)
        self._on_response(record)
        return record

    def client(self, library: str, details: Mapping[str, str | None]) -> None:
        """Provenance: the library that sent the request, with settings that shape it on the wire
        (an impersonated browser); kept in the recording, never matched on."""
        self.response.client = {
            "library": library,
            **{name: value for name, value in details.items() if value is not None},
        }

    def failed(self, kind: str | None, message: str) -> None:
        """The request failed before any response (status 0 and the failure are recorded)."""
        if kind is not None:
            self.response.error = RecordedFailure(kind=kind, message=message)
            self._on_response(TeeRecord(self.response, time.perf_counter()))


def teed(pieces: Iterator[bytes], record: TeeRecord, kind_of: KindOf) -> Iterator[bytes]:
    """Hands each piece on as it arrives and records it; a failure is recorded, then raised on."""
    try:
        for data in pieces:
            if data:
                record.chunk(data)
                yield data
    except Exception as exc:
        record.error(kind_of(exc), str(exc))
        raise
    record.finish()


async def ateed(pieces: AsyncIterator[bytes], record: TeeRecord, kind_of: KindOf) -> AsyncIterator[bytes]:
    try:
        async for data in pieces:
            if data:
                record.chunk(data)
                yield data
    except Exception as exc:
        record.error(kind_of(exc), str(exc))
        raise
    record.finish()


# ---------------------------------------------------------------- replay


@dataclass(frozen=True)
class ReplayPlan:
    """What a replayed response gives: its pieces, the pause before each, then how it ends."""

    status: int
    header_delay: float
    pieces: list[bytes]
    delays: list[float]
    ending: RecordedFailure | None

    @property
    def paused(self) -> bool:
        """Whether any piece waits before it (real-time replay); else the pieces go out at once."""
        return any(self.delays)

    @property
    def failed_before_response(self) -> bool:
        """The recorded request got no response: replay raises the recorded failure at once."""
        return self.status == NO_RESPONSE and self.ending is not None


@dataclass(frozen=True)
class Replay:
    """A recording that answers a request, and how to give it."""

    recorded: RecordedResponse
    plan: ReplayPlan

    def wait_for_head(self) -> None:
        """The recorded pause before the response's head (none unless replaying in real time)."""
        if self.plan.header_delay:
            time.sleep(self.plan.header_delay)

    async def await_head(self) -> None:
        if self.plan.header_delay:
            import asyncio  # here, not at module level: `import wiretape` stays light

            await asyncio.sleep(self.plan.header_delay)

    def raise_if_failed(self, failure_of: FailureOf) -> None:
        """A recorded request that got no response fails again, as its library's exception."""
        if self.plan.failed_before_response and self.plan.ending is not None:
            raise failure_of(self.plan.ending)


def lookup(handler: Handler, request: RequestView) -> Replay | None:
    """The replay that answers ``request``, or None: send it (``handler.begin``) and record it."""
    # A miss raised below is the user's: pytest shows the client's frames, then Cassette.answer, the
    # last, with its arguments (a masked RequestView: the client's own Request would show secrets).
    # pytest --full-trace shows this frame and the patched transports'.
    __tracebackhide__ = True
    recorded = handler.answer(request)
    return None if recorded is None else Replay(recorded, handler.replay_plan(recorded))


def paced(plan: ReplayPlan, failure_of: FailureOf) -> Iterator[bytes]:
    """The planned pieces, each after its pause, then the planned ending raised as ``failure_of`` says."""
    if plan.paused:
        for piece, delay in zip(plan.pieces, plan.delays, strict=True):
            if delay > 0:
                time.sleep(delay)
            yield piece
    else:
        yield from plan.pieces
    if plan.ending is not None:
        raise failure_of(plan.ending)


async def apaced(plan: ReplayPlan, failure_of: FailureOf) -> AsyncIterator[bytes]:
    import asyncio  # here, not at module level: `import wiretape` stays light

    for piece, delay in zip(plan.pieces, plan.delays, strict=True):
        if delay > 0:
            await asyncio.sleep(delay)
        yield piece
    if plan.ending is not None:
        raise failure_of(plan.ending)


def replay_plan(recorded: RecordedResponse, *, realtime: bool, rechunk: Rechunk | None) -> ReplayPlan:
    pieces = recorded.pieces()
    delays = (
        [chunk.delay for chunk in recorded.chunks] if realtime and recorded.chunks else [0.0] * len(pieces)
    )
    if rechunk is not None:
        pieces = [piece for piece in rechunk(recorded.body, pieces) if piece]
        if b"".join(pieces) != recorded.body:
            raise ConfigurationError("a rechunk hook must cut the body, not change it")
        delays = [0.0] * len(pieces)
    ending = recorded.error or (READ_PAST_RECORDING if recorded.truncated_by_client else None)
    return ReplayPlan(
        status=recorded.status,
        header_delay=recorded.header_delay if realtime else 0.0,
        pieces=pieces,
        delays=delays,
        ending=ending,
    )


def reason_phrase(recorded: RecordedResponse) -> str:
    """The recorded reason, or the status's standard phrase where none was recorded (``message: ''``)."""
    if recorded.reason:
        return recorded.reason
    try:
        return http.HTTPStatus(recorded.status).phrase
    except ValueError:
        return ""
