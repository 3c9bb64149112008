"""What the contract report shows: each scenario's recording, replay and drift; each provider's status.

The figures come from the same functions as the other commands: replay is
:func:`tools.recording.verify_scenario`, drift is :func:`tools.rerecord.compare`
(``tools.drift``). Rendering is in ``tools.report_pages``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import providers
from wiretape import CassetteData, CassetteFormatError, load

from .outcome import Outcome
from .recording import VerifyResult, verify_scenario
from .rerecord import DriftCheck
from .scenarios import Scenario, cassette_path

Mode = Literal["cassettes", "emulated", "live"]
Status = Literal["working", "failing", "stale"]
# A provider whose newest recording is older than this has not been seen answering recently.
STALE_AFTER = dt.timedelta(days=30)
# The class attributes a provider declares, and how the report names them.
FLAGS = {
    "working": "working",
    "needs_auth": "needs auth",
    "supports_stream": "stream",
    "supports_message_history": "history",
    "supports_system_message": "system message",
    "supports_gpt_35_turbo": "gpt-3.5-turbo",
    "supports_gpt_4": "gpt-4",
}
_NOT_CHECKED = {
    "cassettes": "not checked (--cassettes-only)",
    "emulated": "not checked (not re-recorded)",
    "live": "not checked (only the emulators produce this behaviour)",
}


@dataclass(frozen=True)
class Label:
    """A cell's verdict: the text that carries it, and a style that only repeats it."""

    text: str
    kind: Literal["ok", "fail", "warn", "skip"]


@dataclass
class ScenarioRow:
    scenario: Scenario
    cassette: Path
    verify: VerifyResult
    data: CassetteData | None
    # None: no fresh recording to compare with; ``not_checked`` says why.
    drift: DriftCheck | None
    not_checked: str

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self.data.metadata if self.data is not None else {}

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", "unknown"))

    @property
    def recorded_at(self) -> dt.datetime | None:
        try:
            when = dt.datetime.fromisoformat(str(self.metadata.get("recorded_at")))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)

    @property
    def recorded(self) -> Outcome | None:
        outcome = self.metadata.get("outcome")
        return Outcome.from_metadata(outcome) if isinstance(outcome, Mapping) else None

    @property
    def label(self) -> Label:
        if not self.verify.ok:
            return Label("FAIL", "fail")
        if self.drift is not None and self.drift.drifted:
            return Label("drift", "warn")
        if self.drift is not None and not self.drift.compared:
            return Label("not compared", "skip")
        return Label("ok", "ok")

    @property
    def drift_text(self) -> str:
        """The drift in full words: what changed in number, or why nothing was compared."""
        if self.drift is None:
            return self.not_checked
        if not self.drift.compared:
            return f"not compared: {self.drift.reason}"
        return f"{len(self.drift.lines)} change(s)" if self.drift.drifted else "none"

    @property
    def drift_short(self) -> str:
        """The drift in a matrix cell; the reasons are in its tooltip."""
        if self.drift is None:
            return "not checked"
        return self.drift_text if self.drift.compared else "not compared"

    def reasons(self) -> list[str]:
        """Why the cell says what it says, for its tooltip."""
        lines = [f"replay: {problem}" for problem in self.verify.problems] or ["replay: ok"]
        lines.append(f"drift: {self.drift_text}")
        if self.drift is not None:
            lines += self.drift.lines
        recorded = self.recorded
        if recorded is not None:
            lines.append(f"recorded outcome: {recorded.summary()}")
        return lines


@dataclass
class ProviderStatus:
    name: str
    status: Status
    basis: str
    flags: dict[str, bool] = field(default_factory=dict)


@dataclass
class Report:
    cassettes: Path
    mode: Mode
    generated_at: dt.datetime
    rows: list[ScenarioRow]
    providers: list[ProviderStatus]


def _cassette(path: Path) -> CassetteData | None:
    try:
        return load(path)
    except CassetteFormatError:
        return None  # verify_scenario reports the same error as the scenario's failure


def _as_given(root: Path, path: Path) -> Path:
    """``path`` under ``root`` as the user named it (relative stays relative), else as it is."""
    try:
        return root / path.relative_to(root.resolve())
    except ValueError:
        return path


def scenario_rows(
    root: Path, scenarios: Iterable[Scenario], checks: Mapping[str, DriftCheck] | None, mode: Mode
) -> list[ScenarioRow]:
    rows = []
    for scenario in scenarios:
        path = cassette_path(root, scenario.id)
        rows.append(
            ScenarioRow(
                scenario,
                _as_given(root, path),
                verify_scenario(scenario, root),
                _cassette(path) if path.exists() else None,
                (checks or {}).get(scenario.id),
                _NOT_CHECKED[mode],
            )
        )
    return rows


def age(when: dt.datetime | None, now: dt.datetime) -> str:
    if when is None:
        return "age unknown"
    hours = (now - when).total_seconds() / 3600
    if hours < 1:
        return f"{max(0, round(hours * 60))} min ago"
    return f"{round(hours)} h ago" if hours < 48 else f"{round(hours / 24)} d ago"


def provider_status(name: str, rows: list[ScenarioRow], mode: Mode, now: dt.datetime) -> ProviderStatus:
    """Working, failing or stale, from the latest live recordings if any, else from the emulated ones.

    A fresh recording made for this report (``--live``/``--emulate``) counts as
    the latest of its source; a scenario whose fresh recording failed, or whose
    cassette no longer replays, makes the provider failing.
    """
    provider = providers.get(name)
    flags = {flag: bool(getattr(provider, flag, False)) for flag in FLAGS}
    live = [row for row in rows if row.source == "live" or (mode == "live" and row.drift is not None)]
    evidence, source = (live, "live") if live else (rows, "emulated")
    fresh = mode == source and any(row.drift is not None for row in evidence)
    failed = [
        row.scenario.name
        for row in evidence
        if not row.verify.ok or (row.drift is not None and not row.drift.compared)
    ]
    dates = [when for when in (row.recorded_at for row in evidence) if when is not None]
    newest = max(dates, default=None)
    basis = f"{len(evidence)} {source} recording(s)" + (
        ", re-recorded for this report" if fresh else f", newest {age(newest, now)}"
    )
    if failed:
        return ProviderStatus(name, "failing", f"{basis}; failing: {', '.join(failed)}", flags)
    if not fresh and (newest is None or now - newest > STALE_AFTER):
        return ProviderStatus(name, "stale", f"{basis}; older than {STALE_AFTER.days} days", flags)
    return ProviderStatus(name, "working", basis, flags)


def build(
    root: Path,
    scenarios: Iterable[Scenario],
    *,
    checks: Mapping[str, DriftCheck] | None = None,
    mode: Mode = "cassettes",
    now: dt.datetime | None = None,
) -> Report:
    """Replay every scenario's cassette, attach the drift checks, and derive each provider's status."""
    now = now or dt.datetime.now(dt.timezone.utc)
    rows = scenario_rows(root, scenarios, checks, mode)
    names = list(dict.fromkeys(row.scenario.provider for row in rows))
    statuses = [
        provider_status(name, [row for row in rows if row.scenario.provider == name], mode, now)
        for name in names
    ]
    return Report(root, mode, now, rows, statuses)
