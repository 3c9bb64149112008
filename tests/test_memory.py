"""A 100 MB streamed answer is consumed with flat memory (peak RSS measured in a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MEGABYTES = 100
# Peak resident memory may grow this much while 100 MB flow through; buffering the answer would cost 100+ MB.
ALLOWED_GROWTH_KIB = 24 * 1024


@pytest.mark.parametrize("provider", ["ChatAnywhere", "Equing"])
def test_a_100_mb_streamed_answer_needs_flat_memory(provider: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.stream_memory", provider, str(MEGABYTES)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["bytes"] >= MEGABYTES * 1000 * 1000
    growth = report["rss_peak_kib"] - report["rss_before_kib"]
    print(
        f"{provider}: {MEGABYTES} MB streamed, peak RSS +{growth} KiB (from {report['rss_before_kib']} KiB)"
    )
    assert growth < ALLOWED_GROWTH_KIB
