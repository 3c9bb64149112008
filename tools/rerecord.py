"""A fresh recording compared with the committed cassette: structural drift, or why it could not be compared.

``python -m tools diff`` and ``python -m tools report --emulate/--live`` both
re-record into a scratch directory and go through :func:`compare`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wiretape import CassetteFormatError, load

from .drift import drift
from .recording import RecordResult
from .scenarios import cassette_path


@dataclass(frozen=True)
class DriftCheck:
    """``compared`` False: ``reason`` says why; else ``lines`` is the drift (empty: none)."""

    compared: bool
    lines: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def drifted(self) -> bool:
        return bool(self.lines)


def compare(committed_root: Path, scratch: Path, fresh: RecordResult) -> DriftCheck:
    """The drift of ``fresh`` (recorded under ``scratch``) from the cassette under ``committed_root``."""
    if not fresh.ok:
        return DriftCheck(False, reason=f"{fresh.result}: {fresh.detail}")
    try:
        committed = load(cassette_path(committed_root, fresh.scenario.id))
    except CassetteFormatError as error:
        return DriftCheck(False, reason=str(error))
    return DriftCheck(True, drift(committed, load(cassette_path(scratch, fresh.scenario.id))))
