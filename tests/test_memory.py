"""A 100 MB streamed answer is consumed with flat memory (peak RSS measured in a fresh process)."""

from __future__ import annotations

import pytest
from helpers import measured_in_a_fresh_process

MEGABYTES = 100
# Peak resident memory may grow this much while 100 MB flow through; buffering the answer would cost 100+ MB.
ALLOWED_GROWTH_KIB = 24 * 1024


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["ChatAnywhere", "Equing"])
def test_a_100_mb_streamed_answer_needs_flat_memory(provider: str) -> None:
    report = measured_in_a_fresh_process("tests.stream_memory", provider, str(MEGABYTES))
    assert report["bytes"] >= MEGABYTES * 1000 * 1000
    growth = report["rss_peak_kib"] - report["rss_before_kib"]
    print(
        f"{provider}: {MEGABYTES} MB streamed, peak RSS +{growth} KiB (from {report['rss_before_kib']} KiB)"
    )
    assert growth < ALLOWED_GROWTH_KIB


RECORDED_MEGABYTES = 64
# Growth allowed while the tee records a 64 MB answer; holding the answer would cost 64+ MB.
ALLOWED_RECORDING_GROWTH_KIB = 8 * 1024


@pytest.mark.slow
def test_recording_a_64_mb_streamed_answer_needs_flat_memory() -> None:
    """The recording tee spools a large body to a temporary file: the call holds no more than without it."""
    report = measured_in_a_fresh_process("tests.tee_memory", str(RECORDED_MEGABYTES))
    assert report["bytes"] == RECORDED_MEGABYTES << 20
    growth = report["rss_peak_kib"] - report["rss_before_kib"]
    print(f"recording {RECORDED_MEGABYTES} MB: peak RSS +{growth} KiB")
    assert growth < ALLOWED_RECORDING_GROWTH_KIB
