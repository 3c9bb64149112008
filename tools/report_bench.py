"""The benchmark in the report: ``python -m tools bench --json FILE`` read back, as a table and a chart."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wiretape.html import badge, table, text

from .bench import duration

SCALING_CASE = re.compile(r"replay (\d+)$")
# Drawn in the scaling chart; each series has its own marker and line style and is named in text.
SERIES = {"wiretape": ("circle", ""), "vcrpy": ("square", "6 4")}
WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 110, 20, 44


class BenchFileError(ValueError):
    """A file that is not what ``bench --json`` writes; the message names it."""


@dataclass(frozen=True)
class BenchFigure:
    case: str
    tool: str
    median: float
    low: float
    high: float
    runs: int
    note: str


@dataclass(frozen=True)
class BenchTarget:
    name: str
    measured: float
    limit: float
    met: bool
    detail: str


@dataclass(frozen=True)
class Bench:
    figures: list[BenchFigure]
    targets: list[BenchTarget]


def load_bench(path: Path) -> Bench:
    """Read ``bench --json`` output, or raise :class:`BenchFileError` saying what is wrong with it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BenchFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except ValueError as error:
        raise BenchFileError(f"{path}: not JSON ({error})") from None
    try:
        return Bench(
            [_figure(item) for item in document["figures"]],
            [_target(item) for item in document.get("targets", [])],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BenchFileError(
            f"{path}: not the output of `python -m tools bench --json` ({type(error).__name__}: {error})"
        ) from None


def _figure(item: dict[str, Any]) -> BenchFigure:
    return BenchFigure(
        str(item["case"]),
        str(item["tool"]),
        float(item["median"]),
        float(item["min"]),
        float(item["max"]),
        int(item["runs"]),
        str(item.get("note", "")),
    )


def _target(item: dict[str, Any]) -> BenchTarget:
    return BenchTarget(
        str(item["name"]),
        float(item["measured"]),
        float(item["limit"]),
        bool(item["met"]),
        str(item.get("detail", "")),
    )


def scaling_points(bench: Bench) -> dict[str, list[tuple[int, float]]]:
    """Median replay time by interaction count, per charted tool (capped runs have none)."""
    points: dict[str, list[tuple[int, float]]] = {tool: [] for tool in SERIES}
    for figure in bench.figures:
        match = SCALING_CASE.match(figure.case)
        if match and figure.tool in points and figure.runs and math.isfinite(figure.median):
            points[figure.tool].append((int(match.group(1)), figure.median))
    return {tool: sorted(found) for tool, found in points.items()}


def _decades(low: float, high: float) -> list[int]:
    return list(range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1))


def _count(exponent: int) -> str:
    return f"{10**exponent:,}" if exponent >= 0 else f"{10.0**exponent:g}"


def scaling_chart(bench: Bench) -> str:
    """Replay time against N on log–log axes, one line per tool."""
    points = scaling_points(bench)
    every = [point for series in points.values() for point in series]
    if not every:
        return '<p class="muted">no replay-scaling figures in this benchmark</p>'
    xs = _decades(min(n for n, _ in every), max(n for n, _ in every))
    ys = _decades(min(t for _, t in every), max(t for _, t in every))
    if len(xs) < 2:
        xs.append(xs[0] + 1)
    if len(ys) < 2:
        ys.append(ys[0] + 1)

    def x(n: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (math.log10(n) - xs[0]) / (xs[-1] - xs[0])

    def y(seconds: float) -> float:
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (math.log10(seconds) - ys[0]) / (ys[-1] - ys[0])

    parts = [
        f'<svg class="chart" role="img" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">',
        "<title>replay time against the number of interactions, log–log</title>",
    ]
    for exponent in xs:
        at = x(10**exponent)
        parts.append(
            f'<line class="grid" x1="{at:.1f}" y1="{TOP}" x2="{at:.1f}" y2="{HEIGHT - BOTTOM}"/>'
            f'<text class="tick" x="{at:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{_count(exponent)}</text>"
        )
    for exponent in ys:
        at = y(10.0**exponent)
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{at:.1f}" x2="{WIDTH - RIGHT}" y2="{at:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{at + 4:.1f}" text-anchor="end">'
            f"{text(duration(10.0**exponent))}</text>"
        )
    parts.append(
        f'<text class="tick" x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle">'
        "interactions replayed (N)</text>"
    )
    for tool, series in points.items():
        if not series:
            continue
        marker, dashes = SERIES[tool]
        coordinates = [(x(n), y(t)) for n, t in series]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coordinates)
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        parts.append(f'<polyline class="series {tool}" points="{path}"{dash}/>')
        for (n, seconds), (px, py) in zip(series, coordinates, strict=True):
            tip = f"<title>{text(tool)}: N={n}, {text(duration(seconds))}</title>"
            if marker == "circle":
                parts.append(f'<circle class="point {tool}" cx="{px:.1f}" cy="{py:.1f}" r="4">{tip}</circle>')
            else:
                parts.append(
                    f'<rect class="point {tool}" x="{px - 4:.1f}" y="{py - 4:.1f}" width="8" height="8">'
                    f"{tip}</rect>"
                )
        last_x, last_y = coordinates[-1]
        parts.append(
            f'<text class="series-label {tool}" x="{last_x + 8:.1f}" y="{last_y + 4:.1f}">{tool}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bench_html(bench: Bench) -> str:
    """The benchmark section: the scaling chart, every figure, the targets met or not."""
    figures = table(
        ["case", "tool", "median", "min–max", "runs", "note"],
        [
            [
                text(figure.case),
                text(figure.tool),
                text(duration(figure.median)),
                text(f"{duration(figure.low)}–{duration(figure.high)}" if figure.runs else "-"),
                str(figure.runs),
                text(figure.note),
            ]
            for figure in bench.figures
        ],
    )
    targets = table(
        ["target", "measured", "limit", "met", "detail"],
        [
            [
                text(target.name),
                f"{target.measured:.3g}",
                f"{target.limit:g}",
                badge("met", "ok") if target.met else badge("NOT MET", "fail"),
                text(target.detail),
            ]
            for target in bench.targets
        ],
    )
    capped = [figure for figure in bench.figures if figure.tool == "vcrpy" and not figure.runs]
    note = (
        f'<p class="muted">vcrpy not drawn where it was capped: {text("; ".join(f.note for f in capped))}</p>'
        if capped
        else ""
    )
    return (
        '<h2 id="benchmark">Benchmark</h2><h3>Replay time against N (log–log)</h3>'
        f"{scaling_chart(bench)}{note}<h3>Figures</h3>{figures}<h3>Targets</h3>{targets}"
    )
