"""Call a provider against a hostile loopback upstream and report the peak memory growth.

``python -m tests.hostile_memory PROVIDER ATTACK MEGABYTES`` prints one JSON line: the error the
call ended with and the growth of the peak resident memory (``VmHWM``, fresh in this process) in KiB.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import providers
from tests.helpers import model_for
from tests.hostile_apps import CALLS, MIB, HostileUpstream, serving


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(name: str, attack: str, megabytes: int) -> None:
    app = HostileUpstream(attack=attack, size=megabytes * MIB)
    with serving(app):
        before = peak_kib()
        try:
            "".join(
                providers.get(name).create_completion(
                    model_for(name),
                    [{"role": "user", "content": "hi"}],
                    stream=attack == "endless_line",
                    timeout=60,
                    **CALLS[name],
                )
            )
            error, message = "", ""
        except providers.ProviderError as exc:
            error, message = type(exc).__name__, str(exc)
        growth = peak_kib() - before
    print(json.dumps({"error": error, "message": message[:200], "peak_growth_kib": growth}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
