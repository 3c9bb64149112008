"""Compressed response bodies are stored decoded, so that the sanitiser can see what they hold.

A gzip, deflate or brotli body is decoded piece by piece: each recorded wire
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

Decoder = Callable[[bytes], bytes]


def _zlib(wbits: int) -> Callable[[], tuple[Decoder, Callable[[], bytes]]]:
    def start() -> tuple[Decoder, Callable[[], bytes]]:
        decoder = zlib.decompressobj(wbits)

        def flush() -> bytes:
            rest = decoder.flush()
            if not decoder.eof:  # cut short: zlib would hand over what it had without a word
                raise zlib.error("compressed body ended early")
            return rest

        # Read when called, so that a bound set on this module holds.
        return (lambda data: decoder.decompress(data, MAX_DECODED_BYTES + 1)), flush

    return start


def _brotli() -> tuple[Decoder, Callable[[], bytes]]:
    try:
        import brotli  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        import brotlicffi as brotli  # type: ignore[import-not-found,unused-ignore,no-redef]
    decoder = brotli.Decompressor()
    return (lambda data: bytes(decoder.process(data))), (lambda: b"")


_DECODERS: dict[str, Callable[[], tuple[Decoder, Callable[[], bytes]]]] = {
    "gzip": _zlib(16 + zlib.MAX_WBITS),
    "x-gzip": _zlib(16 + zlib.MAX_WBITS),
    "deflate": _zlib(zlib.MAX_WBITS),
    "br": _brotli,
}


def _encoding(headers: Headers) -> str:
    return next((value.strip().lower() for name, value in headers if name.lower() == "content-encoding"), "")


def _decode_within_bound(
    pieces: list[bytes], start: Callable[[], tuple[Decoder, Callable[[], bytes]]]
) -> list[bytes] | None:
    """Each piece decoded, or None as soon as the total passes :data:`MAX_DECODED_BYTES`."""
    decode, flush = start()
    out: list[bytes] = []
    total = 0
    for piece in pieces:
        out.append(decode(piece))
        total += len(out[-1])
        if total > MAX_DECODED_BYTES:
            return None
    rest = flush()
    if total + len(rest) > MAX_DECODED_BYTES:
        return None
    out[-1] += rest
    return out


def decoded(response: RecordedResponse) -> RecordedResponse:
    """``response`` with its body decoded, or unchanged when it is not compressed, cannot be
    decoded here (an unknown coding, brotli not installed, corrupt data) or decodes too large."""
    encoding = _encoding(response.headers)
    start = _DECODERS.get(encoding)
    if not encoding or start is None or not response.body:
        return response
    try:
        out = _decode_within_bound(response.pieces(), start)
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
    return replace(response, headers=headers, body=body, chunks=chunks, decoded_from=encoding)
