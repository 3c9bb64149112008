"""A large recorded body is cut into its pieces when the cassette opens: its first request copies nothing."""

from __future__ import annotations

import importlib
import tracemalloc
from pathlib import Path

import httpx
import pytest

from wiretape import Cassette
from wiretape.file import CassetteData, Chunk, Interaction, RecordedRequest, RecordedResponse, dumps

PIECE = 64 << 10
PIECES = 16
URL = "https://big.test/stream"


@pytest.fixture
def big_cassette(tmp_path: Path) -> Path:
    body = bytes(range(256)) * (PIECE * PIECES // 256)
    response = RecordedResponse(200, "OK", [], body, chunks=[Chunk(PIECE, 0.0)] * PIECES)
    path = tmp_path / "big.yaml"
    path.write_text(dumps(CassetteData([Interaction(RecordedRequest("GET", URL, [], b""), response)])))
    return path


def allocated_by_the_first_request(path: Path) -> int:
    """The peak of what reading the answer piece by piece (keeping none) allocates."""
    with Cassette(path, match_on=("method", "uri")), httpx.Client() as client:
        tracemalloc.start()
        try:
            with client.stream("GET", URL) as response:
                received = sum(len(piece) for piece in response.iter_raw())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert received == PIECE * PIECES
    return peak


def test_the_first_request_after_open_copies_no_body(big_cassette: Path) -> None:
    assert allocated_by_the_first_request(big_cassette) < PIECE


def test_below_the_threshold_the_body_is_cut_on_first_use(
    big_cassette: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the measure above sees a cut made at the first request."""
    # (the package exports a function named like the module)
    module = importlib.import_module("wiretape.cassette")
    monkeypatch.setattr(module, "CUT_AT_OPEN_BYTES", PIECE * PIECES + 1)
    assert allocated_by_the_first_request(big_cassette) >= PIECE * PIECES
