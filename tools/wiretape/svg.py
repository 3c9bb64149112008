"""A streamed response drawn as inline SVG: one bar per chunk at its arrival time, as wide as its size."""

from __future__ import annotations

from html import escape

from .file import RecordedResponse
from .show import Piece, timeline

WIDTH = 1000
TICKS = 5
LEFT, RIGHT = 8, 16
LANE_HEIGHT, LANE_GAP, TOP, AXIS = 14, 4, 22, 26
MIN_BAR, MAX_BAR = 3.0, 48.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _lanes(spans: list[tuple[float, float]]) -> list[int]:
    """A lane per bar, so that bars arriving close together stack instead of hiding each other."""
    ends: list[float] = []
    lanes = []
    for start, end in spans:
        lane = next((number for number, last in enumerate(ends) if last + 1 <= start), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        lanes.append(lane)
    return lanes


def stream_timeline(response: RecordedResponse) -> str:
    """The response's chunks (``wiretape.show.timeline``) on a time axis from the request, in SVG.

    Marked: when the headers came (a dashed line) and, when the stream ended in
    an error, where it did (after the last chunk). Each bar carries its figures
    in a ``<title>`` (a tooltip), and the axis is labelled in text.
    """
    pieces: list[Piece] = timeline(response)
    end = max([response.header_delay, *(piece.offset for piece in pieces)])
    span = end * 1.08 or 0.001
    plot = WIDTH - LEFT - RIGHT
    largest = max((piece.size for piece in pieces), default=1) or 1

    def x(seconds: float) -> float:
        return LEFT + plot * seconds / span

    bars = [(x(piece.offset), max(MIN_BAR, MAX_BAR * piece.size / largest), piece) for piece in pieces]
    lanes = _lanes([(left, left + width) for left, width, _ in bars])
    height = TOP + (max(lanes, default=0) + 1) * (LANE_HEIGHT + LANE_GAP) + AXIS
    axis_y = height - AXIS + 4
    parts = [
        f'<svg class="timeline" role="img" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">',
        f"<title>{len(pieces)} chunk(s) over {_ms(end)}</title>",
        f'<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}"/>',
    ]
    for tick in range(TICKS + 1):
        at = span * tick / TICKS
        anchor = "start" if tick == 0 else "end" if tick == TICKS else "middle"
        parts.append(
            f'<line class="axis" x1="{x(at):.1f}" y1="{axis_y}" x2="{x(at):.1f}" y2="{axis_y + 4}"/>'
            f'<text class="tick" x="{x(at):.1f}" y="{height - 4}" text-anchor="{anchor}">{_ms(at)}</text>'
        )
    if response.status:
        headers_x = x(response.header_delay)
        parts += [
            f'<line class="headers" x1="{headers_x:.1f}" y1="4" x2="{headers_x:.1f}" y2="{axis_y}">'
            f"<title>headers after {_ms(response.header_delay)}</title></line>",
            f'<text class="mark" x="{headers_x + 3:.1f}" y="12">headers {_ms(response.header_delay)}</text>',
        ]
    for number, ((left, width, piece), lane) in enumerate(zip(bars, lanes, strict=True)):
        top = TOP + lane * (LANE_HEIGHT + LANE_GAP)
        parts.append(
            f'<rect class="chunk" x="{left:.1f}" y="{top}" width="{width:.1f}" height="{LANE_HEIGHT}">'
            f"<title>chunk {number}: {piece.size} bytes at {_ms(piece.offset)} "
            f"({_ms(piece.delay)} after the previous)</title></rect>"
        )
    if response.error is not None:
        # After the last chunk: a failure is recorded with the response, not with a time of its own.
        error_x = max([x(end), *(left + width + 2 for left, width, _ in bars)])
        # The label goes on the side of the line where there is room for it.
        anchor, label_x = ("end", error_x - 3) if error_x > WIDTH / 2 else ("start", error_x + 3)
        what = escape(f"{response.error.kind}: {response.error.message}")
        parts += [
            f'<line class="error" x1="{error_x:.1f}" y1="4" x2="{error_x:.1f}" y2="{axis_y}">'
            f"<title>{what}</title></line>",
            f'<text class="mark error-label" x="{label_x:.1f}" y="12" text-anchor="{anchor}">'
            f"✕ {escape(response.error.kind)}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)
