"""A cassette for people: its interactions as a table, and each streamed response as a timeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .file import CassetteData, RecordedResponse
from .terminal import escaped


@dataclass(frozen=True)
class Piece:
    """One recorded chunk: when it arrived (from the request), its size, the pause before it."""

    offset: float
    size: int
    delay: float


def timeline(response: RecordedResponse) -> list[Piece]:
    """The response's chunks with their arrival times, counted from the moment the request was sent."""
    pieces, at = [], response.header_delay
    for chunk in response.chunks:
        at += chunk.delay
        pieces.append(Piece(offset=at, size=chunk.size, delay=chunk.delay))
    return pieces


def _table(rows: list[list[str]], right: frozenset[int] = frozenset()) -> Iterator[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        yield "  ".join(cells).rstrip()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def render(path: Path, data: CassetteData, *, chunks: bool = True) -> list[str]:
    """The lines ``wiretape show`` prints."""
    metadata = data.metadata
    provenance = ", ".join(f"{key} {metadata[key]}" for key in ("recorded_at", "tool") if key in metadata)
    lines = [
        f"{path}: {len(data.interactions)} interaction(s)"
        + (f"; {escaped(provenance)}" if provenance else "")
    ]
    if not data.interactions:
        return lines
    rows = [["#", "request", "sent", "status", "received", "chunks", "first byte ms", "ended by"]]
    for index, interaction in enumerate(data.interactions):
        request, response = interaction.request, interaction.response
        status = "no response" if response.status == 0 else f"{response.status} {response.reason}".strip()
        rows.append(
            [
                str(index),
                escaped(f"{request.method} {request.uri}"),
                str(len(request.body)),
                escaped(status),
                str(len(response.body)),
                str(len(response.chunks)),
                _ms(response.header_delay),
                escaped(response.error.kind) if response.error else "complete",
            ]
        )
    lines += _table(rows, right=frozenset({0, 2, 4, 5, 6}))
    for index, interaction in enumerate(data.interactions):
        response = interaction.response
        if not chunks or (len(response.chunks) < 2 and response.error is None):
            continue
        lines += ["", f"#{index} stream: headers after {_ms(response.header_delay)} ms"]
        piece_rows = [["chunk", "at ms", "bytes", "after ms"]]
        piece_rows += [
            [str(number), _ms(piece.offset), str(piece.size), _ms(piece.delay)]
            for number, piece in enumerate(timeline(response))
        ]
        lines += [f"  {line}" for line in _table(piece_rows, right=frozenset({0, 1, 2, 3}))]
        if response.error is not None:
            lines.append(escaped(f"  then {response.error.kind}: {response.error.message}"))
    return lines
