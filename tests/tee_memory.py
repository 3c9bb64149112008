"""Record a large streamed answer through the tee and report peak memory while it is read.

``python -m tests.tee_memory MEGABYTES`` prints one JSON line: resident memory before the call and
its peak while the answer is read, in KiB, and what was received. The cassette is not written
(writing it holds the body once, by design); what is measured is the client's call.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from pathlib import Path

from tests.stream_memory import resident_kib
from tools.emulators.server import Exchange, LoopbackServer
from wiretape import Cassette

PIECE = 64 * 1024
SAMPLE_EVERY = 64


class _Discard(Exception):
    """Ends the cassette block without writing it."""


def main(megabytes: int) -> None:
    count = megabytes * 16

    def app(exchange: Exchange) -> None:
        exchange.stream(200, (b"x" * PIECE for _ in range(count)), {"content-type": "text/plain"})

    from providers.http import ClientSpec, sync_client

    with (
        tempfile.TemporaryDirectory() as directory,
        LoopbackServer({"big.test": app}) as server,
        server.overrides(),
        sync_client(ClientSpec(provider="tee")) as client,
    ):
        received = pieces = 0
        with contextlib.suppress(_Discard), Cassette(Path(directory) / "big.yaml", mode="all"):
            # Measured from here: entering a cassette imports the client libraries it patches.
            before = peak = resident_kib()
            with client.stream("GET", "https://big.test/") as response:
                for data in response.iter_raw():
                    received += len(data)
                    pieces += 1
                    if pieces % SAMPLE_EVERY == 0:
                        peak = max(peak, resident_kib())
            peak = max(peak, resident_kib())
            raise _Discard
    print(json.dumps({"rss_before_kib": before, "rss_peak_kib": peak, "bytes": received}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
