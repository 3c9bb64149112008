"""A fresh recording compared with the committed cassette: structural drift, or why it could not be compared.

``python -m tools diff`` and ``python -m tools report --emulate/--live`` both
re-record into a scratch directory and go through :func:`compare`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wiretape import CassetteFormatError, UnsafePathError, load

from .drift import drift
from .recording import RecordResult
from .scenarios import cassette_path


@dataclass(frozen=True)
class DriftCheck:
    """``compared`` False: ``reason`` says why; else ``lines`` is the drift (empty: none), and
    ``refused`` what ``record`` would have refused the fresh recording for (empty: nothing)."""

    compared: bool
    lines: list[str] = field(default_factory=list)
    reason: str = ""
    refused: str = ""

    @property
    def drifted(self) -> bool:
        return bool(self.lines or self.refused)


def compare(committed_root: Path, scratch: Path, fresh: RecordResult) -> DriftCheck:
    """The drift of ``fresh`` (recorded under ``scratch``, kept there even when ``record`` would refuse
    it) from the cassette under ``committed_root``."""
    if fresh.result == "crashed":
        return DriftCheck(False, reason=f"crashed: {fresh.detail}")
    try:
        committed = load(cassette_path(committed_root, fresh.scenario.id))
        recorded = load(cassette_path(scratch, fresh.scenario.id))
    except (CassetteFormatError, UnsafePathError) as error:
        return DriftCheck(False, reason=str(error))
    return DriftCheck(True, drift(committed, recorded), refused="" if fresh.ok else fresh.detail)
