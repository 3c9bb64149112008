"""Per client library: one streamed request, raw against a loopback TLS server, recorded, and replayed.

Each library that is installed reads the same streamed answer (its pieces
``PIECE_COUNT`` HTTP chunks) the way a provider would, ``BATCH`` requests
in one client; the figure is the time per request. Recording is timed without
the cassette's write (one write per cassette, not per request).
"""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from wiretape import Cassette

from ..emulators.server import Exchange, LoopbackServer
from .data import sse_events
from .measure import Figure, Plan, Report

HOST = "localhost"
PIECE_COUNT = 20
BATCH = 20
#: ``batch(url, ca_file, n)``: n streamed requests, each body read to its end.
Batch = Callable[[str, str, int], None]


def _app(exchange: Exchange) -> None:
    exchange.stream(200, sse_events(PIECE_COUNT), {"content-type": "text/event-stream"})


def _httpx(url: str, ca_file: str, n: int) -> None:
    with httpx.Client(verify=ssl.create_default_context(cafile=ca_file)) as client:
        for _ in range(n):
            with client.stream("GET", url) as response:
                for _piece in response.iter_raw():
                    pass


def _curl_cffi(url: str, ca_file: str, n: int) -> None:
    from curl_cffi.requests import Session

    verify: Any = ca_file  # curl_cffi takes a CA file here; its annotation says bool
    with Session(verify=verify) as session:
        for _ in range(n):
            response = session.request("GET", url, stream=True)
            for _piece in response.iter_content():
                pass
            response.close()


def _aiohttp(url: str, ca_file: str, n: int) -> None:
    import aiohttp

    async def run() -> None:
        context = ssl.create_default_context(cafile=ca_file)
        async with aiohttp.ClientSession() as session:
            for _ in range(n):
                async with session.get(url, ssl=context) as response:
                    async for _piece in response.content.iter_any():
                        pass

    asyncio.run(run())


def _requests(url: str, ca_file: str, n: int) -> None:
    import requests

    with requests.Session() as session:
        for _ in range(n):
            with session.get(url, stream=True, verify=ca_file) as response:
                for _piece in response.iter_content(chunk_size=None):
                    pass


CLIENTS: dict[str, tuple[str, Batch]] = {
    "httpx": ("httpx", _httpx),
    "curl_cffi": ("curl_cffi", _curl_cffi),
    "aiohttp": ("aiohttp", _aiohttp),
    "requests": ("requests", _requests),
}


def installed() -> dict[str, Batch]:
    """The clients whose library can be imported (the others are left out of the benchmark)."""
    return {name: batch for name, (module, batch) in CLIENTS.items() if importlib.util.find_spec(module)}


def _per_request(batch: Batch, url: str, ca_file: str) -> float:
    started = time.perf_counter()
    batch(url, ca_file, BATCH)
    return (time.perf_counter() - started) / BATCH


def per_client(report: Report, workdir: Path, plan: Plan) -> None:
    note = f"{PIECE_COUNT} chunks streamed, mean of {BATCH} requests in one client"
    with LoopbackServer({HOST: _app}) as server:
        url = f"https://{HOST}:{server.port}/stream"
        for name, batch in installed().items():
            raw: list[float] = []
            recording: list[float] = []
            replaying: list[float] = []
            warmups = plan.warmups()
            for run in range(warmups + plan.times()):  # the first ones warm up
                path = workdir / f"client-{name}-{run}.yaml"
                plain = _per_request(batch, url, server.ca_file)
                with Cassette(path, mode="all"):
                    recorded = _per_request(batch, url, server.ca_file)
                seen = server.requests_seen
                with Cassette(path):
                    replayed = _per_request(batch, url, server.ca_file)
                if server.requests_seen != seen:
                    raise RuntimeError(f"{name}: the replay reached the server")
                if run >= warmups:
                    raw.append(plain)
                    recording.append(recorded)
                    replaying.append(replayed)
            case = f"client {name}"
            report.add(Figure(case, "raw (loopback)", raw, unit="s/request", note=note))
            report.add(Figure(case, "recording", recording, unit="s/request", note=note))
            report.add(Figure(case, "wiretape", replaying, unit="s/request", note=note + "; replay"))
