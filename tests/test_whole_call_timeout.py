"""``timeout`` bounds the whole call, not each read: an upstream that drips its answer one byte at a
time, each byte well within the timeout, still ends the call at the timeout."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import times_out
from tests.hostile_apps import CALLS, HostileUpstream, serving

TIMEOUT = 0.1
# Scheduling slack; the drip itself would go on for DRIP_FOR seconds.
MARGIN = 0.9
# A third of the timeout: a timeout per read would never fire.
DRIP_EVERY = 0.03
DRIP_FOR = 8.0
# Two requests of LATE seconds each: either alone within SHARED_TIMEOUT, the two together not.
SHARED_TIMEOUT = 0.2
LATE = 0.12


@pytest.fixture(scope="module")
def upstream() -> Iterator[HostileUpstream]:
    with serving(HostileUpstream()) as app:
        yield app


@pytest.fixture
def dripping(upstream: HostileUpstream) -> HostileUpstream:
    """The module's upstream, set to drip its headers (each test then says where)."""
    upstream.drip_every, upstream.drip_for = DRIP_EVERY, DRIP_FOR
    return upstream.behaving("drip_headers", "drip_headers")


# Where the upstream drips: the answer, or (for the providers that fetch one first) the page.
STAGES = [
    (name, page) for name in CALLS for page in (False, True) if not page or name in ("EasyChat", "ChatGptEs")
]


@pytest.mark.parametrize("style", ["sync", "async", "async_generator"])
@pytest.mark.parametrize(
    ("name", "page"), STAGES, ids=[f"{name}-{'page' if page else 'answer'}" for name, page in STAGES]
)
def test_timeout_bounds_the_whole_call(dripping: HostileUpstream, name: str, style: str, page: bool) -> None:
    dripping.attack, dripping.page_attack = ("normal", "drip_headers") if page else ("drip_headers", "normal")
    error = times_out(name, style, timeout=TIMEOUT, within=TIMEOUT + MARGIN, **CALLS[name])
    assert str(error).startswith(f"{name}: ")


@pytest.mark.parametrize("name", ["EasyChat", "ChatGptEs"])
def test_a_page_then_an_answer_share_one_timeout(dripping: HostileUpstream, name: str) -> None:
    dripping.attack = dripping.page_attack = "late"
    dripping.drip_for = LATE
    times_out(name, "sync", timeout=SHARED_TIMEOUT, within=SHARED_TIMEOUT + MARGIN, **CALLS[name])
