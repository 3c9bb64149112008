"""Replay benchmarks, side by side with stock vcrpy: ``python -m tools.bench``.

Case ``replay-scaling``: one cassette of N distinct, body-matched POST
interactions, replayed in order through httpx; wiretape and vcrpy read the
same file. vcrpy is skipped above ``--vcrpy-cap`` interactions (its lookup is
quadratic). Each figure is the median of ``--repeat`` runs after a warm-up.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from .cassette import Cassette
from .cassette_file import (
    CassetteData,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    dumps,
    write_atomically,
)

URL = "https://bench.test/api/chat"


def _request(client: httpx.Client, index: int) -> httpx.Request:
    return client.build_request("POST", URL, json={"n": index, "prompt": f"question {index}"})


def synthetic_cassette(path: Path, size: int) -> None:
    """N distinct POSTs as wiretape records them (the request exactly as httpx sends it)."""
    interactions = []
    with httpx.Client() as client:
        requests = [_request(client, index) for index in range(size)]
    for index, request in enumerate(requests):
        interactions.append(
            Interaction(
                request=RecordedRequest(
                    method="POST", uri=URL, headers=request.headers.multi_items(), body=request.content
                ),
                response=RecordedResponse(
                    status=200,
                    reason="OK",
                    headers=[("content-type", "application/json")],
                    body=json.dumps({"answer": f"reply {index}"}).encode(),
                ),
            )
        )
    write_atomically(path, dumps(CassetteData(interactions=interactions)))


def _replay_all(size: int) -> None:
    with httpx.Client() as client:
        for index in range(size):
            client.post(URL, json={"n": index, "prompt": f"question {index}"}).read()


def run_wiretape(path: Path, size: int) -> None:
    with Cassette(path):
        _replay_all(size)


def run_vcrpy(path: Path, size: int) -> None:
    import vcr

    with vcr.use_cassette(str(path), record_mode="none", match_on=["method", "uri", "body"]):
        _replay_all(size)


def measure(function: Callable[[], None], repeat: int) -> list[float]:
    function()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000", help="interaction counts (comma-separated)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (median reported)")
    parser.add_argument("--vcrpy-cap", type=int, default=1000, help="largest size vcrpy is run at")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"{'N':>6}  {'wiretape s':>11}  {'per req µs':>10}  {'vcrpy s':>9}  {'vcrpy/wiretape':>14}")
    with tempfile.TemporaryDirectory() as directory:
        for size in sizes:
            path = Path(directory) / f"bench-{size}.yaml"
            synthetic_cassette(path, size)
            ours = statistics.median(measure(functools.partial(run_wiretape, path, size), args.repeat))
            theirs_text, ratio_text = "capped", "-"
            if size <= args.vcrpy_cap:
                repeat = 1 if size >= 1000 else args.repeat
                theirs = statistics.median(measure(functools.partial(run_vcrpy, path, size), repeat))
                theirs_text, ratio_text = f"{theirs:9.3f}", f"{theirs / ours:13.1f}x"
            print(f"{size:>6}  {ours:11.3f}  {ours / size * 1e6:10.0f}  {theirs_text:>9}  {ratio_text:>14}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
