"""Compressed response bodies are stored decoded, so that the sanitiser can see what they hold.

A gzip, deflate (zlib-wrapped or raw) or brotli body, or one with several
codings applied in turn, is decoded piece by piece: each recorded wire
piece becomes the decoded bytes it produced, with the same delay, so the
timeline survives. ``content-encoding`` is dropped and ``content-length``
set to the decoded size (as vcrpy's ``decode_compressed_response`` does), and
the interaction says what it was decoded from.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import replace

from .file import Chunk, Headers, RecordedResponse

#: The most a recorded body may grow to when decoded (a compression bomb is left as it was).
MAX_DECODED_BYTES = 256 << 20


class _TooLarge(Exception):
    """A piece decodes past :data:`MAX_DECODED_BYTES`."""


class _Zlib:
    """gzip, or deflate zlib-wrapped or raw (told apart by its first two bytes, as clients do)."""

    def __init__(self, wbits: int | None) -> None:
        self._inflate = None if wbits is None else zlib.decompressobj(wbits)
        self._start = b""

    def decode(self, data: bytes) -> bytes:
        if self._inflate is None:
            self._start += data
            if len(self._start) < 2:
                return b""
            data, self._start = self._start, b""
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS if _zlib_wrapped(data) else -zlib.MAX_WBITS)
        # Read when called, so that a bound set on this module holds.
        out = self._inflate.decompress(data, MAX_DECODED_BYTES + 1)
        if self._inflate.unconsumed_tail:
            raise _TooLarge
        return out

    def flush(self) -> bytes:
        rest = self._inflate.flush() if self._inflate is not None else b""
        if self._inflate is None or not self._inflate.eof:
            # Cut short: zlib would hand over what it had without a word.
            raise zlib.error("compressed body ended early")
        return rest


def _zlib_wrapped(start: bytes) -> bool:
    """Whether deflate data starts with a zlib header (RFC 1950), checked as zlib checks it.

    The providers' decoder asks the same (``providers.decoding``); the library may not import it."""
    method, window = start[0] & 0x0F, start[0] >> 4
    return method == zlib.DEFLATED and window <= 7 and (start[0] << 8 | start[1]) % 31 == 0


class _Brotli:
    def __init__(self) -> None:
        try:
            import brotli  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            import brotlicffi as brotli  # type: ignore[import-not-found,unused-ignore,no-redef]
        self._decoder = brotli.Decompressor()

    def decode(self, data: bytes) -> bytes:
        return bytes(self._decoder.process(data))

    def flush(self) -> bytes:
        return b""


_Stage = _Zlib | _Brotli

_STAGES: dict[str, Callable[[], _Stage]] = {
    "gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "deflate": lambda: _Zlib(None),
    "br": _Brotli,
}


def _codings(headers: Headers) -> list[str]:
    """The codings applied, in order (several headers, or one listing several), identity left out."""
    return [
        coding
        for name, value in headers
        if name.lower() == "content-encoding"
        for coding in (part.strip().lower() for part in value.split(","))
        if coding not in ("", "identity")
    ]


def _through(stages: list[_Stage], start: int, data: bytes) -> bytes:
    for stage in stages[start:]:
        data = stage.decode(data)
    return data


def _decode_within_bound(pieces: list[bytes], codings: list[str]) -> list[bytes] | None:
    """Each piece decoded (the last coding applied undone first), or None as soon as the total
    passes :data:`MAX_DECODED_BYTES`."""
    stages = [_STAGES[coding]() for coding in reversed(codings)]
    out: list[bytes] = []
    total = 0
    try:
        for piece in pieces:
            out.append(_through(stages, 0, piece))
            total += len(out[-1])
            if total > MAX_DECODED_BYTES:
                return None
        rest = b"".join(_through(stages, index + 1, stage.flush()) for index, stage in enumerate(stages))
    except _TooLarge:
        return None
    if total + len(rest) > MAX_DECODED_BYTES:
        return None
    out[-1] += rest
    return out


def decoded(response: RecordedResponse) -> RecordedResponse:
    """``response`` with its body decoded, or unchanged when it is not compressed, cannot be
    decoded here (an unknown coding, brotli not installed, corrupt data) or decodes too large."""
    codings = _codings(response.headers)
    if not codings or not response.body or any(coding not in _STAGES for coding in codings):
        return response
    try:
        out = _decode_within_bound(response.pieces(), codings)
    except (ImportError, zlib.error, ValueError, OSError):
        return response
    if out is None:
        return response
    body = b"".join(out)
    chunks: list[Chunk] = []
    waited = 0.0
    for piece, chunk in zip(out, response.chunks, strict=False):
        # A piece that decodes to nothing (a gzip header alone) lends its pause to the next one.
        waited += chunk.delay
        if piece:
            chunks.append(Chunk(len(piece), waited))
            waited = 0.0
    headers = [(name, value) for name, value in response.headers if name.lower() != "content-encoding"]
    headers = [
        (name, str(len(body)) if name.lower() == "content-length" else value) for name, value in headers
    ]
    return replace(response, headers=headers, body=body, chunks=chunks, decoded_from=", ".join(codings))
