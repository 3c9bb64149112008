"""A compressed answer is stored decoded, within a bound: one that decodes past it is left as it came,
and finding that out never holds more than the bound (a bomb's pieces are not all decoded first)."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Callable

import pytest

from wiretape import encodings
from wiretape.file import Chunk, RecordedResponse

MIB = 1 << 20


def gzip_in_pieces(pieces: int, each: int) -> RecordedResponse:
    """A gzip body that decodes to ``pieces`` x ``each`` zero bytes, one wire piece per ``each``."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    wire = [compressor.compress(bytes(each)) + compressor.flush(zlib.Z_SYNC_FLUSH) for _ in range(pieces)]
    wire[-1] += compressor.flush()
    return RecordedResponse(
        200,
        "OK",
        [("content-encoding", "gzip")],
        b"".join(wire),
        chunks=[Chunk(len(piece), 0.0) for piece in wire],
    )


def test_a_body_within_the_bound_is_stored_decoded_piece_for_piece() -> None:
    response = gzip_in_pieces(4, 1000)
    decoded = encodings.decoded(response)
    assert decoded.body == bytes(4000) and decoded.decoded_from == "gzip"
    assert [chunk.size for chunk in decoded.chunks] == [1000] * 4
    assert gzip.decompress(response.body) == decoded.body


def test_a_bomb_is_left_as_it_came_without_decoding_all_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encodings, "MAX_DECODED_BYTES", 2 * MIB)
    bomb = gzip_in_pieces(40, MIB)  # 40 MiB decoded, from a few KiB
    tracemalloc.start()
    try:
        kept = encodings.decoded(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept is bomb
    # Decoding stops once the bound is passed: about the bound, never the 40 MiB.
    assert peak < 6 * MIB, f"peak {peak / MIB:.1f} MiB"


def test_a_body_cut_short_is_left_as_it_came() -> None:
    # Stored decoded, the shorter body would pass for a whole one; as it came, replay fails as it did.
    whole = gzip_in_pieces(4, 1000)
    cut = RecordedResponse(200, "OK", whole.headers, whole.body[: len(whole.body) - 12])
    assert encodings.decoded(cut) is cut


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("deflate", zlib.compress),
        ("deflate", _raw_deflate),  # as some servers send it, and as clients accept it
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("deflate, GZIP", lambda data: gzip.compress(zlib.compress(data))),
        ("gzip, identity", gzip.compress),
    ],
)
def test_every_form_a_client_decodes_is_stored_decoded(coding: str, encode: Callable[[bytes], bytes]) -> None:
    # Stored compressed, a body's secrets would escape the sanitiser.
    body = b'{"session": "s3cr3t-cookie-value"}'
    response = RecordedResponse(200, "OK", [("Content-Encoding", coding)], encode(body))
    decoded = encodings.decoded(response)
    assert decoded.body == body
    assert all(name.lower() != "content-encoding" for name, _ in decoded.headers)
