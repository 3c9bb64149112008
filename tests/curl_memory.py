"""A curl transfer that runs ahead of its reader: a gzip bomb wholly received before the first read.

``python -m tests.curl_memory MEGABYTES`` prints one JSON line: the growth of the peak resident
memory (``VmHWM``) in KiB once the whole transfer is in (nothing read yet) and after the body was
read piece by piece, the bytes read and the largest piece.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from providers.http import ClientSpec, async_client
from tests.hostile_apps import MIB, HostileUpstream, serving
from tests.hostile_memory import peak_kib


async def read_after_the_transfer(url: str) -> dict[str, Any]:
    spec = ClientSpec(provider="curl", impersonate="chrome110", timeout=60)
    async with async_client(spec) as client, client.stream("POST", url, json={}) as response:
        before = peak_kib()
        # A reader slower than the network: curl has written the whole body before it reads.
        await response.extensions["curl"]["response"].astream_task
        ahead = peak_kib() - before
        sizes = [len(piece) async for piece in response.aiter_bytes()]
        return {
            "ahead_kib": ahead,
            "peak_growth_kib": peak_kib() - before,
            "bytes": sum(sizes),
            "largest_piece": max(sizes),
        }


def main(megabytes: int) -> None:
    with serving(HostileUpstream(attack="gzip_bomb", size=megabytes * MIB)):
        report = asyncio.run(read_after_the_transfer("https://chat-gpt.org/api/text"))
    print(json.dumps(report))


if __name__ == "__main__":
    main(int(sys.argv[1]))
