"""Load: 200 concurrent streaming calls through the providers against the emulators, no leaks."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import providers
from tests.helpers import open_descriptors
from tools.emulators import emulated_upstreams

CONCURRENT_CALLS = 200
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("EasyChat", "gpt-3.5-turbo", {"active_server": 1}),
    ("Equing", "gpt-3.5-turbo", {}),
    ("Aichat", "gpt-3.5-turbo", {"cookies": {"session": "emulated"}}),
    ("ChatAnywhere", "gpt-3.5-turbo", {}),
    ("ChatGptEs", "", {}),
]


def settled_descriptors(limit: int, wait: float = 10.0) -> int:
    """The descriptor count once closing connections have finished closing (server threads included)."""
    deadline = time.monotonic() + wait
    count = open_descriptors()
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.05)
        count = open_descriptors()
    return count


async def one_call(index: int) -> str:
    name, model, kwargs = CALLS[index % len(CALLS)]
    provider = providers.get(name)
    prompt = f"call number {index}"
    chunks = [
        chunk
        async for chunk in provider.create_async_generator(
            model, [{"role": "user", "content": prompt}], timeout=60, **kwargs
        )
    ]
    return "".join(chunks)


async def calls(count: int) -> list[str]:
    return await asyncio.wait_for(asyncio.gather(*(one_call(i) for i in range(count))), 120)


@pytest.mark.slow
def test_two_hundred_concurrent_streaming_calls_complete_without_leaks() -> None:
    with emulated_upstreams() as upstreams, upstreams.overrides():
        # One call per provider first, so lazily loaded libraries and their descriptors are in place.
        asyncio.run(calls(len(CALLS)))
        before = settled_descriptors(limit=0, wait=0.5)
        answers = asyncio.run(calls(CONCURRENT_CALLS))
        after = settled_descriptors(limit=before)
        served = upstreams.server.requests_seen

    assert answers == [f"You wrote: call number {i}" for i in range(CONCURRENT_CALLS)]
    # EasyChat and ChatGptEs make two requests per call, the others one.
    assert served >= CONCURRENT_CALLS + 2 * (CONCURRENT_CALLS // len(CALLS))
    assert after <= before, f"{after - before} descriptors leaked"
