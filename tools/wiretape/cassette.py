"""The cassette API: ``with cassette(path, mode=...)`` records or replays every request made inside.

Modes (:class:`RecordMode`):

- ``none`` (default): replay only; a request without a recording raises :class:`CassetteMissError`.
- ``once``: replay if the file exists, otherwise record everything.
- ``new_episodes``: replay what is recorded, record what is not, keep both.
- ``all``: send every request and record it; the file is replaced, not appended to.
- ``rewrite``: like ``all``, and the cassette's provenance is started afresh.

The file is written only when the block ends without an exception, sanitised,
atomically (temp file then rename) and under a file lock, so an interrupted or
failed re-recording leaves the previous cassette untouched.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import logging
import platform
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import bypass, intercept
from .errors import (
    CassetteFormatError,
    CassetteMissError,
    CassetteNotFoundError,
    ClientNotInterceptedError,
    ConfigurationError,
)
from .file import (
    CassetteData,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    load,
    remove_stale_temporaries,
    write_cassette,
)
from .matching import (
    DEFAULT_MATCH_ON,
    CustomMatcher,
    MatchConfig,
    RequestIndex,
    RequestView,
    client_only,
    client_patterns,
)
from .rules import SecretRules
from .sanitize import mask_uri, sanitize
from .spool import SpoolFile
from .terminal import escaped

if TYPE_CHECKING:
    from filelock import FileLock

logger = logging.getLogger("wiretape")
LOCK_TIMEOUT = 600.0
#: A recorded body at least this large is cut into its recorded pieces when the cassette opens.
CUT_AT_OPEN_BYTES = 64 << 10
#: The status of a recording whose request failed before any response came.
NO_RESPONSE = 0


class RecordMode(str, enum.Enum):
    NONE = "none"
    ONCE = "once"
    NEW_EPISODES = "new_episodes"
    ALL = "all"
    REWRITE = "rewrite"

    @classmethod
    def parse(cls, value: RecordMode | str) -> RecordMode:
        """The mode named ``value``; a wrong name is a :class:`ConfigurationError` listing the right ones."""
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(mode.value for mode in cls)
            raise ConfigurationError(f"unknown record mode {value!r}; one of: {names}") from None


class Cassette:
    """One cassette file, active between ``__enter__`` and ``__exit__``."""

    def __init__(
        self,
        path: str | Path,
        *,
        mode: RecordMode | str = RecordMode.NONE,
        rules: SecretRules | None = None,
        match_on: Iterable[str | CustomMatcher] = DEFAULT_MATCH_ON,
        ignore_headers: Iterable[str] = (),
        realtime: bool = False,
        rechunk: intercept.Rechunk | None = None,
        metadata: Mapping[str, Any] | None = None,
        allow_repeats: bool = False,
    ) -> None:
        self.path = Path(path)
        self.mode = RecordMode.parse(mode)
        self.config = MatchConfig(
            rules=rules or SecretRules(), match_on=tuple(match_on), ignore_headers=tuple(ignore_headers)
        )
        self.realtime = realtime
        self.rechunk = rechunk
        self.metadata = dict(metadata or {})
        self.allow_repeats = allow_repeats
        # Guards _tees against a response head that arrives (on a client's thread) as the block ends.
        self._tees_lock = threading.Lock()
        self._block: object | None = None  # the `with` block now open: what a recording belongs to
        self._lock: FileLock | None = None
        self._replaying = True
        self._recording = False
        self._start_afresh()

    def _start_afresh(self) -> None:
        """What one `with` block builds up: each block (the same object entered again) starts from the
        file, its recordings each playing once."""
        self.data = CassetteData()
        self.index = RequestIndex(self.config, allow_repeats=self.allow_repeats)
        self.recorded: list[Interaction] = []
        self._tees: list[intercept.TeeRecord] = []
        self._spool_file = SpoolFile()
        self.played = 0
        self._bypassed: ClientNotInterceptedError | None = None
        # Keyed by id(): entries of an earlier block could name new recordings that reuse an id.
        self._plans: dict[int, intercept.ReplayPlan] = {}

    # ------------------------------------------------------------ lifecycle

    @property
    def will_record(self) -> bool:
        """Whether entering the cassette now would send (and record) requests it cannot answer."""
        return self.mode is not RecordMode.NONE and not (self.mode is RecordMode.ONCE and self.path.exists())

    def __enter__(self) -> Cassette:
        with self._tees_lock:
            self._start_afresh()
        if self.mode is not RecordMode.NONE:
            from filelock import FileLock  # here, not at module level: mode 'none' takes no lock

            # Whether the file exists is decided under the lock: a concurrent recorder may be writing it.
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(lock_path(self.path), timeout=LOCK_TIMEOUT)
            self._lock.acquire()
        try:
            exists = self.path.exists()
            if self.mode is RecordMode.NONE and not exists:
                raise CassetteNotFoundError(
                    f"{self.path}: no such cassette, and record mode 'none' only replays; "
                    "record it first: pytest --record-mode=once, or cassette(path, mode='once')"
                )
            self._recording = self.will_record
            self._replaying = self.mode not in (RecordMode.ALL, RecordMode.REWRITE)
            if not self._recording:
                self._release()
            if exists and self.mode is not RecordMode.REWRITE:
                self.data = _load_or_say_how_to_replace(self.path)
            if self._replaying:
                for interaction in self.data.interactions:
                    self.index.add(_view_of_recording(interaction.request))
                    if self.rechunk is None and len(interaction.response.body) >= CUT_AT_OPEN_BYTES:
                        # A large body is cut into its pieces now, as a mock holding its pieces is set up
                        # before the test: its first request copies nothing.
                        self.replay_plan(interaction.response)
            intercept.install(self)
        except BaseException:
            self._release()
            raise
        with self._tees_lock:
            self._block = object()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        intercept.uninstall(self)
        try:
            if exc_type is None:
                self.raise_if_bypassed()
            if exc_type is None and self._recording:
                self.write()
        finally:
            with self._tees_lock:
                self._block = None
            for record in self._tees:
                record.close()
            self._spool_file.close()
            self._release()

    def raise_if_bypassed(self) -> None:
        """Raise the refusal of a client wiretape does not intercept, if one was refused in the block
        (a library may have swallowed it)."""
        if self._bypassed is not None:
            raise self._bypassed

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def write(self) -> None:
        """Write the cassette (sanitised, atomically): the kept recordings plus the new ones."""
        for record in self._tees:
            record.complete()
        kept = self.data.interactions if self.mode is RecordMode.NEW_EPISODES else []
        metadata = {} if self.mode is RecordMode.REWRITE else dict(self.data.metadata)
        metadata.update(self.metadata)
        metadata.update(_provenance())
        data = CassetteData(interactions=[*kept, *self.recorded], metadata=metadata)
        remove_stale_temporaries(self.path)
        write_cassette(self.path, sanitize(data, self.config.rules))
        logger.debug(
            "wrote %s: %d interaction(s), %d new", self.path, len(data.interactions), len(self.recorded)
        )

    # ------------------------------------------------------------ the handler (see wiretape.intercept)

    def answer(self, request: RequestView) -> RecordedResponse | None:
        """The recording that answers ``request``; None when it is to be sent and recorded."""
        if not self._replaying:
            return None
        position = self.index.take(request)
        if position is not None:
            self.played += 1
            response = self.data.interactions[position].response
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "replayed %s %s -> %s, %d bytes (%s #%d)",
                    request.method,
                    mask_uri(request.uri, self.config.rules),
                    response.status or (response.error and response.error.kind),
                    len(response.body),
                    self.path.name,
                    position,
                )
            return response
        if not self._recording:
            logger.debug(
                "miss: %s %s (%s)", request.method, mask_uri(request.uri, self.config.rules), self.path
            )
            raise CassetteMissError(self._miss_message(request))
        return None

    def begin(self, request: RequestView) -> intercept.Recording:
        """A request sent for recording: its interaction is kept once a response (or failure) comes."""
        response = RecordedResponse(status=intercept.NO_RESPONSE, reason="", headers=[], body=b"")
        interaction = Interaction(
            request=RecordedRequest(request.method, request.uri, list(request.headers), request.body),
            response=response,
        )

        block = self._block

        def keep(record: intercept.TeeRecord) -> None:
            with self._tees_lock:
                if block is not self._block:  # the answer came after its block ended: nothing is kept
                    record.close()
                    return
                self.recorded.append(interaction)
                self._tees.append(record)
            logger.debug(
                "recording %s %s -> %s after %.1f ms",
                request.method,
                mask_uri(request.uri, self.config.rules),
                response.status or (response.error and response.error.kind),
                response.header_delay * 1000,
            )

        return intercept.Recording(response, keep, self._spool_file)

    def replay_plan(self, recorded: RecordedResponse) -> intercept.ReplayPlan:
        if len(recorded.body) < CUT_AT_OPEN_BYTES:
            # A small body is cut afresh, cheaply: kept, the plans of a cassette whose recordings play
            # once each would stay alive until it closes, only for the garbage collector to go over.
            return intercept.replay_plan(recorded, realtime=self.realtime, rechunk=self.rechunk)
        # Cut once per recording: a repeated replay of a large body does not copy it again.
        plan = self._plans.get(id(recorded))
        if plan is None:
            plan = self._plans[id(recorded)] = intercept.replay_plan(
                recorded, realtime=self.realtime, rechunk=self.rechunk
            )
        return plan

    def client_bypassed(self, target: str) -> ClientNotInterceptedError:
        error = bypass.error(target)
        self._bypassed = self._bypassed or error
        return error

    # ------------------------------------------------------------ errors

    def _miss_message(self, request: RequestView) -> str:
        rules = self.config.rules
        sent = escaped(f"{request.method} {mask_uri(request.uri, rules)}")
        mode = self.mode.value
        lines = [f"{self.path}: no recording matches {sent} (record mode '{mode}' does not send requests)"]
        again = self.index.played_before(request)
        if again is not None:
            lines.append(
                f"  interaction #{again} matches but was already played; each recording plays once "
                "(record the repeated request, or pass allow_repeats=True)"
            )
            return "\n".join(lines)
        nearest = self.index.nearest(request)
        if nearest is None:
            lines.append("  the cassette holds no interactions")
        else:
            position, differences = nearest
            recorded = self.data.interactions[position].request
            shown = escaped(f"{recorded.method} {mask_uri(recorded.uri, rules)}")
            lines.append(f"  nearest recording: interaction #{position} ({shown})")
            lines += [f"    {line}" for line in differences]
            client = client_only(differences)
            if client:
                lines.append(
                    f"  only headers that identify the client differ ({', '.join(client)}): the client "
                    f"changed (an upgrade, another machine); to replay anyway, "
                    f"ignore_headers={client_patterns(client)!r}"
                )
                return "\n".join(lines)
        lines.append(
            "  if the upstream changed, re-record: pytest --record-mode=all, or cassette(path, mode='all')"
        )
        return "\n".join(lines)

    # ------------------------------------------------------------ facts for tests and tools

    @property
    def all_played(self) -> bool:
        return self.played == len(self.index)


def cassette(path: str | Path, **options: Any) -> Cassette:
    """``with cassette("cassettes/easychat/stream.yaml", mode="none"):`` — see :class:`Cassette`."""
    check_options(options)
    return Cassette(path, **options)


def check_options(options: Mapping[str, Any]) -> None:
    """Refuse a keyword :class:`Cassette` does not take (a typo) with the ones it does."""
    known = [name for name in inspect.signature(Cassette.__init__).parameters if name not in ("self", "path")]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ConfigurationError(
            f"unknown cassette option(s) {', '.join(unknown)}; one of: {', '.join(known)}"
        )


def _load_or_say_how_to_replace(path: Path) -> CassetteData:
    try:
        return load(path)
    except CassetteFormatError as exc:
        # Every mode but rewrite keeps something of the old file: it must be read first.
        raise CassetteFormatError(
            f"{exc}; fix or delete the file, or record it afresh: pytest --record-mode=rewrite, "
            "or cassette(path, mode='rewrite')"
        ) from None


def _view_of_recording(request: RecordedRequest) -> RequestView:
    return RequestView(request.method, request.uri, request.headers, request.body)


def lock_path(path: Path) -> Path:
    """The lock file of a cassette: beside it, so every recorder of that file finds the same one."""
    return path.parent / f".{path.name}.lock"


def _provenance() -> dict[str, Any]:
    from . import __version__

    return {
        "recorded_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "tool": f"wiretape {__version__}",
        "python": platform.python_version(),
    }
