"""Recording scenarios into cassettes (against the emulators or the live upstreams) and replaying them.

Both the CLI and the test suite go through these functions, so ``python -m
tools verify`` and ``pytest`` check exactly the same thing.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import providers
from providers.masking import MASK
from wiretape import (
    Cassette,
    CassetteData,
    CassetteError,
    CassetteFormatError,
    NetworkBlockedError,
    RecordMode,
    UnsafePathError,
    load,
    loads,
)
from wiretape.file import write_atomically
from wiretape.sanitize import is_placeholder

from .drift import drift, stable_headers
from .emulators import EmulatedUpstreams, emulated_upstreams
from .outcome import Outcome, run
from .scenarios import Scenario, cassette_path
from .verdict import violation

LIVE_CONNECT_TIMEOUT = 5.0
# How wiretape words a recorded transport failure it raises again on replay.
REPLAY_MARKER = "(replayed) "
Source = Literal["emulated", "live"]


class UnreachableUpstreamError(ConnectionError):
    """A live upstream that cannot be reached; the message suggests --emulate."""


@dataclass
class Upstreams:
    """Where recordings are made: the running emulators, or the live services."""

    source: Source
    emulators: EmulatedUpstreams | None = None

    @property
    def live(self) -> bool:
        return self.source == "live"


@contextlib.contextmanager
def upstreams(source: Source) -> Iterator[Upstreams]:
    """The emulators, started and routed to for the block; or the live services, as they are."""
    if source == "live":
        yield Upstreams("live")
        return
    with emulated_upstreams() as emulators, emulators.overrides():
        yield Upstreams("emulated", emulators)


def check_reachable(scenarios: list[Scenario], timeout: float = LIVE_CONNECT_TIMEOUT) -> None:
    """Fail fast, before any recording, when a live upstream cannot be reached."""
    hosts = sorted({urlsplit(providers.get(s.provider).url).hostname or "" for s in scenarios} - {""})
    for host in hosts:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                pass
        except (OSError, NetworkBlockedError) as error:
            raise UnreachableUpstreamError(
                f"cannot reach {host}:443 ({error}); to record without the live service, "
                "use --emulate (the built-in emulated upstreams)"
            ) from error


@dataclass
class RecordResult:
    scenario: Scenario
    result: Literal["recorded", "unexpected", "crashed"]
    outcome: Outcome | None = None
    detail: str = ""
    exchanges: int = 0
    chunks: int = 0
    bytes: int = 0
    # None: there was no cassette before; else whether its structure or content changed.
    changed: bool | None = None
    drift: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result == "recorded"


def _previous(path: Path) -> tuple[str, CassetteData] | None:
    """The cassette already at ``path``, as text and as data; None if missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
        return text, loads(text, source=str(path))
    except (OSError, UnicodeDecodeError, CassetteFormatError):
        return None


def _content_changed(before: CassetteData, after: CassetteData) -> bool:
    """Whether the cassettes differ in anything but timing and headers that vary per fetch (date…):
    the exchanges, how the client ended each answer, and the call's recorded outcome."""

    def content(data: CassetteData) -> tuple[object, ...]:
        exchanges = [
            (
                i.request.method,
                i.request.uri,
                i.request.body,
                stable_headers(i.request.headers),
                i.response.status,
                stable_headers(i.response.headers),
                i.response.body,
                i.response.error,
                i.response.truncated_by_client,
            )
            for i in data.interactions
        ]
        return (exchanges, data.metadata.get("outcome"))

    return content(before) != content(after)


def record_scenario(
    scenario: Scenario, root: Path, where: Upstreams, *, keep_unexpected: bool = False
) -> RecordResult:
    """Record one scenario into ``root/<provider>/<name>.yaml``; kept only if the outcome is the expected one.

    The cassette is written atomically when the call ends; an unexpected
    outcome or a crash leaves the previous cassette as it was, unless
    ``keep_unexpected`` (a scratch recording, compared by ``diff`` to find the cause).
    """
    try:
        path = cassette_path(root, scenario.id)
    except UnsafePathError as error:
        return RecordResult(scenario, "crashed", detail=str(error))
    previous = _previous(path)
    metadata = {
        "scenario": scenario.id,
        "behaviour": scenario.behaviour.value,
        "source": where.source,
        "provider_version": providers.__version__,
    }
    try:
        with contextlib.ExitStack() as stack:
            if where.emulators is not None:
                stack.enter_context(where.emulators.behaving(scenario.behaviour))
            active = stack.enter_context(Cassette(path, mode=RecordMode.REWRITE, metadata=metadata))
            outcome = run(scenario, live=where.live)
            # Written as metadata: the cassette's sanitiser gives its secrets the same placeholders
            # as in the exchanges.
            verdict = violation(scenario, outcome, emulated=not where.live)
            if verdict is not None and not keep_unexpected:
                # Raised inside the cassette block, so nothing is written.
                raise _Unexpected(outcome, verdict)
            active.metadata["outcome"] = outcome.to_metadata()
    except _Unexpected as unexpected:
        return RecordResult(scenario, "unexpected", unexpected.outcome, detail=unexpected.verdict)
    except (CassetteError, OSError) as error:
        return RecordResult(scenario, "crashed", detail=f"{type(error).__name__}: {error}")
    after = load(path)
    responses = [interaction.response for interaction in after.interactions]
    result = RecordResult(
        scenario,
        "recorded" if verdict is None else "unexpected",
        outcome,
        detail=verdict or "",
        exchanges=len(after.interactions),
        chunks=sum(len(response.chunks) for response in responses),
        bytes=sum(len(response.body) for response in responses),
    )
    if previous is not None:
        before_text, before = previous
        result.drift = drift(before, after)
        result.changed = bool(result.drift) or _content_changed(before, after)
        if not result.changed and result.ok:
            # Same exchanges: keep the file as it was, so an unchanged upstream leaves no diff in git.
            write_atomically(path, before_text)
    return result


class _Unexpected(Exception):
    def __init__(self, outcome: Outcome, verdict: str) -> None:
        super().__init__(verdict)
        self.outcome = outcome
        self.verdict = verdict


@dataclass
class VerifyResult:
    scenario: Scenario
    problems: list[str]
    outcome: Outcome | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_scenario(scenario: Scenario, root: Path) -> VerifyResult:
    """Replay a scenario offline from its cassette; it must give the recorded, expected outcome."""
    try:
        path = cassette_path(root, scenario.id)
    except UnsafePathError as error:
        return VerifyResult(scenario, [str(error)])
    if not path.exists():
        return VerifyResult(
            scenario, [f"no cassette at {path}; record it with python -m tools record {scenario.id}"]
        )
    try:
        with Cassette(path, mode=RecordMode.NONE) as active:
            outcome = run(scenario)
            unplayed = len(active.index) - active.played
    except (CassetteError, CassetteFormatError) as error:
        return VerifyResult(scenario, [str(error)])
    recorded_data = active.data.metadata.get("outcome")
    if not isinstance(recorded_data, dict):
        return VerifyResult(scenario, [f"{path}: no recorded outcome in its metadata"], outcome)
    recorded = Outcome.from_metadata(recorded_data)
    problems = []
    verdict = violation(scenario, recorded, emulated=active.data.metadata.get("source") != "live")
    if verdict is not None:
        problems.append(f"recorded outcome: {verdict}")
    if outcome.kind != recorded.kind:
        problems.append(f"replay gave {outcome.summary()}, recorded {recorded.summary()}")
    elif not _same_message(replayed=outcome.message, recorded=recorded.message):
        problems.append(f"replay gave message {outcome.message!r}, recorded {recorded.message!r}")
    if outcome.chunks != recorded.chunks:
        problems.append(f"replay gave chunks {outcome.chunks!r}, recorded {recorded.chunks!r}")
    if unplayed:
        problems.append(f"{unplayed} recorded exchange(s) were not requested on replay")
    return VerifyResult(scenario, problems, outcome)


def _same_message(*, replayed: str, recorded: str) -> bool:
    """Equal but for secrets; or, for a replayed transport failure, equal up to the HTTP client's
    own words.

    A secret shows as a placeholder or as the provider's own mask, depending on whether the
    provider sent the value itself (a replayed call sends fresh client ids); either way it is a
    secret. The client's words (curl's or httpx's, which vary with the Python and TLS stack) are
    what wiretape marks "(replayed)" when it raises the recorded failure again.
    """
    replayed, recorded = _secrets_as_one(replayed), _secrets_as_one(recorded)
    before, marker, _ = replayed.partition(REPLAY_MARKER)
    return recorded.startswith(before) if marker else replayed == recorded


def _secrets_as_one(message: str) -> str:
    return " ".join(
        "<secret>" if word == MASK or is_placeholder(word) else word for word in message.split(" ")
    )
