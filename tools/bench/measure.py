"""Timing: several runs after a warm-up, medians and ranges, ratios to peers, targets."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    """One measured case for one tool: seconds per run (or per request, per the unit)."""

    case: str
    tool: str
    times: list[float]
    unit: str = "s"
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "tool": self.tool,
            "unit": self.unit,
            "median": self.median,
            "min": min(self.times, default=float("nan")),
            "max": max(self.times, default=float("nan")),
            "runs": len(self.times),
            "note": self.note,
        }


@dataclass
class Target:
    name: str
    measured: float
    limit: float
    higher_is_better: bool
    detail: str = ""

    @property
    def met(self) -> bool:
        return self.measured >= self.limit if self.higher_is_better else self.measured <= self.limit

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "measured": self.measured,
            "limit": self.limit,
            "met": self.met,
            "detail": self.detail,
        }


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def find(self, case: str, tool: str) -> Figure | None:
        return next((f for f in self.figures if f.case == case and f.tool == tool), None)


@dataclass(frozen=True)
class Plan:
    """How often each case runs: ``runs`` timed runs (a cheap case a multiple of them), after warm-ups.

    A smoke run times each case once without warming up: it shows that every case runs and gives
    its figures, which then mean nothing.
    """

    runs: int = 3
    smoke: bool = False

    def times(self, factor: int = 1) -> int:
        """Timed runs of a case that takes ``factor`` times the usual number."""
        return 1 if self.smoke else self.runs * factor

    def warmups(self, usual: int = 1) -> int:
        return 0 if self.smoke else usual


def repeat(function: Callable[[], float | None], runs: int, *, warmup: int = 1) -> list[float]:
    """Wall times of ``runs`` calls after ``warmup`` untimed ones; a function may return its own time."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        own = function()
        times.append(own if own is not None else time.perf_counter() - started)
    return times
