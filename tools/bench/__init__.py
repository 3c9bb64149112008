"""``python -m tools bench``: wiretape side by side with vcrpy and respx, and the targets it must meet."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import cases, clients
from .measure import Figure, Plan, Report, Target

DEFAULT_SIZES = (10, 100, 500, 1000, 5000)
DEFAULT_BIG = (1, 10)
DEFAULT_RECORD_MB = 100
ROOT = Path(__file__).resolve().parents[2]


#: The cases, by the name ``--case`` takes, in the order they run.
CASES = (
    "replay-scaling",
    "per-request",
    "streamed-replay",
    "big-bodies",
    "recording-overhead",
    "recording-throughput",
    "per-client",
    "imports",
    "suite",
)


def run(
    *,
    sizes: tuple[int, ...] = DEFAULT_SIZES,
    runs: int = 3,
    vcrpy_cap: float = 60.0,
    suite: bool = True,
    big: tuple[int, ...] = DEFAULT_BIG,
    record_mb: int = DEFAULT_RECORD_MB,
    only: tuple[str, ...] = (),
    smoke: bool = False,
    console: Console | None = None,
) -> Report:
    """Run every case (or those named in ``only``, see :data:`CASES`); ``runs`` timed repetitions each,
    after a warm-up (``smoke``: each case once, without warming up, to show that every case runs).
    Run in part, the report has only the targets those cases measure."""
    console = console or Console()
    report = Report()
    plan = Plan(runs, smoke)
    with cases.workdir() as directory:
        steps: dict[str, Callable[[], None]] = {
            "replay-scaling": lambda: cases.replay_scaling(report, directory, list(sizes), plan, vcrpy_cap),
            "per-request": lambda: cases.per_request(report, directory, plan, min(200, max(sizes))),
            "streamed-replay": lambda: cases.streamed_replay(report, directory, plan),
            "big-bodies": lambda: cases.big_bodies(report, directory, plan, big),
            "recording-overhead": lambda: cases.recording_overhead(report, directory, plan),
            "recording-throughput": lambda: cases.recording_throughput(report, directory, plan, record_mb),
            "per-client": lambda: clients.per_client(report, directory, plan),
            "imports": lambda: cases.imports(report, plan),
            "suite": lambda: cases.test_suite(report, ROOT),
        }
        chosen = only or tuple(name for name in CASES if suite or name != "suite")
        for name in chosen:
            with console.status(f"benchmark: {name}"):
                steps[name]()
    found = targets(report, sizes, big, record_mb)
    report.targets = [target for target in found if not math.isnan(target.measured)] if only else found
    return report


def _median(report: Report, case: str, tool: str) -> float:
    figure = report.find(case, tool)
    return figure.median if figure is not None and figure.times else math.nan


def _ratio_target(
    name: str, report: Report, measured: tuple[str, str], reference: tuple[str, str], limit: float
) -> Target:
    """A target on median(measured) / median(reference), met at or below ``limit``."""
    return Target(
        name, _median(report, *measured) / _median(report, *reference), limit, higher_is_better=False
    )


def _difference_target(name: str, report: Report, module: str, limit: float) -> Target:
    """A target on median(import module) - median(import httpx), in seconds, met at or below ``limit``."""
    case = "python -c 'import X'"
    return Target(
        name, _median(report, case, module) - _median(report, case, "httpx"), limit, higher_is_better=False
    )


def targets(
    report: Report,
    sizes: tuple[int, ...],
    big: tuple[int, ...] = DEFAULT_BIG,
    record_mb: int = DEFAULT_RECORD_MB,
) -> list[Target]:
    found: list[Target] = []
    if 500 in sizes and 5000 in sizes:
        found.append(
            _ratio_target(
                "scaling: time(5000) / time(500)",
                report,
                ("replay 5000", "wiretape"),
                ("replay 500", "wiretape"),
                11.0,
            )
        )
    if 1000 in sizes:
        ours = _median(report, "replay 1000", "wiretape")
        theirs = _median(report, "replay 1000", "vcrpy")
        detail = ""
        if math.isnan(theirs) and "vcrpy lower bound 1000" in report.facts:
            theirs = report.facts["vcrpy lower bound 1000"]
            detail = "vcrpy capped: a lower bound"
        found.append(Target("vcrpy / wiretape at 1,000 interactions", theirs / ours, 100.0, True, detail))
    found += [
        _ratio_target(
            "per-request replay / respx", report, ("per request", "wiretape"), ("per request", "respx"), 1.0
        ),
        _ratio_target(
            "per-request replay, match_on configured / respx",
            report,
            ("per request", "wiretape, match_on configured"),
            ("per request", "respx"),
            1.0,
        ),
        _ratio_target(
            "open + 1 request / vcrpy",
            report,
            ("open + 1 request", "wiretape"),
            ("open + 1 request", "vcrpy"),
            0.5,
        ),
        *(
            target
            for name in cases.big_body_cases(big)
            for target in (
                _ratio_target(
                    f"{name}, open + replay / vcrpy",
                    report,
                    (f"replay, {name}", "wiretape"),
                    (f"replay, {name}", "vcrpy"),
                    0.5,
                ),
                _ratio_target(
                    f"{name}, one request / respx",
                    report,
                    (f"one request, {name}", "wiretape"),
                    (f"one request, {name}", "respx"),
                    1.2,
                ),
            )
        ),
        _ratio_target(
            f"tee: a {record_mb} MB answer, time recording / not (speed >= 0.9x)",
            report,
            (f"streamed {record_mb} MB", "recording tee"),
            (f"streamed {record_mb} MB", "no tee"),
            1 / 0.9,
        ),
        _difference_target("import providers - import httpx (process)", report, "providers", 0.030),
        # wiretape alone does not import httpx (its adapters come with the first cassette): what it adds
        # to a process that has httpx is what a test run pays.
        _difference_target(
            "import httpx, wiretape - import httpx (process)", report, "httpx, wiretape", 0.040
        ),
        _ratio_target(
            "tee: time to first chunk, recording / not",
            report,
            ("time to first chunk", "recording tee"),
            ("time to first chunk", "no tee"),
            1.05,
        ),
    ]
    return found


def duration(value: float) -> str:
    if math.isnan(value):
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def render(report: Report, console: Console) -> None:
    table = Table(title="benchmarks (median of the runs; min–max)")
    for column in ("case", "tool", "median", "min–max", "runs", "vs wiretape", "note"):
        table.add_column(column)
    for figure in report.figures:
        ours = report.find(figure.case, "wiretape")
        ratio = ""
        if ours is not None and ours is not figure and figure.times and ours.times:
            ratio = f"{figure.median / ours.median:.2f}x"
        spread = f"{duration(min(figure.times))}–{duration(max(figure.times))}" if figure.times else "-"
        table.add_row(
            figure.case,
            figure.tool,
            duration(figure.median),
            spread,
            str(len(figure.times)),
            ratio,
            figure.note,
        )
    console.print(table)
    goals = Table(title="targets")
    for column in ("target", "measured", "limit", "met", "detail"):
        goals.add_column(column)
    for target in report.targets:
        bound = ">=" if target.higher_is_better else "<="
        goals.add_row(
            target.name,
            f"{target.measured:.3g}",
            f"{bound} {target.limit:g}",
            "yes" if target.met else "NO",
            target.detail,
        )
    console.print(goals)


def write_json(report: Report, path: Path) -> None:
    document = {
        "figures": [figure.to_json() for figure in report.figures],
        "targets": [target.to_json() for target in report.targets],
    }
    path.write_text(json.dumps(document, indent=2, allow_nan=True) + "\n")


__all__ = ["CASES", "DEFAULT_SIZES", "Figure", "Report", "Target", "duration", "render", "run", "write_json"]
