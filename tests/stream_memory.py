"""Stream a large answer through a provider from a loopback upstream and report peak memory.

``python -m tests.stream_memory PROVIDER MEGABYTES`` prints one JSON line:
the resident memory before the stream and its peak while the stream is
consumed, in KiB, and what was received. The peak is sampled from
``/proc/self/statm`` while chunks arrive (``ru_maxrss`` would carry the
parent's high-water mark across ``exec``).
"""

from __future__ import annotations

import json
import os
import resource
import sys
from collections.abc import Iterator
from pathlib import Path

import providers
from tools.emulators.server import Exchange, LoopbackServer

PIECE = 64 * 1024
SAMPLE_EVERY = 50


def resident_kib() -> int:
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def text_pieces(total: int) -> Iterator[bytes]:
    # Whole characters only, so that pieces of it can follow each other.
    line = ("Лорем ипсум 😀 " * 4096).encode()[:PIECE].decode("utf-8", errors="ignore").encode()
    sent = 0
    while sent < total:
        piece = line if total - sent >= len(line) else b"x" * (total - sent)
        sent += len(piece)
        yield piece


def event_pieces(total: int) -> Iterator[bytes]:
    delta = "x" * 1000
    event = b'data: {"choices": [{"delta": {"content": "' + delta.encode() + b'"}}]}\n\n'
    batch = event * (PIECE // len(event))
    sent = 0
    while sent < total:
        sent += len(batch)
        yield batch
    yield b"data: [DONE]\n\n"


def main(name: str, megabytes: int) -> None:
    total = megabytes * 1024 * 1024

    def chatanywhere(exchange: Exchange) -> None:
        exchange.stream(200, text_pieces(total), {"content-type": "text/plain; charset=utf-8"})

    def openai(exchange: Exchange) -> None:
        if exchange.method == "GET":
            exchange.respond(200, "ok")
        else:
            exchange.stream(200, event_pieces(total), {"content-type": "text/event-stream"})

    apps = {"chatanywhere.cn": chatanywhere, "next.eqing.tech": openai}
    provider = providers.get(name)
    with LoopbackServer(apps) as server, server.overrides():
        before = peak = resident_kib()
        received = chunks = 0
        for chunk in provider.create_completion(
            "gpt-3.5-turbo", [{"role": "user", "content": "long"}], stream=True, timeout=60
        ):
            received += len(chunk.encode())
            chunks += 1
            if chunks % SAMPLE_EVERY == 0:
                peak = max(peak, resident_kib())
        peak = max(peak, resident_kib())
    print(json.dumps({"rss_before_kib": before, "rss_peak_kib": peak, "bytes": received, "chunks": chunks}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
