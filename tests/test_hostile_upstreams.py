"""Hostile or broken upstreams (the emulators): every failure is this library's error, naming the
provider, the URL and the status or cause, within the configured timeout, after the chunks that came."""

from __future__ import annotations

import time

import pytest

import providers
from providers import ProviderError, ProviderTimeoutError, RateLimitError, StatusError
from tests.helpers import model_for, times_out
from tests.hostile_apps import CALLS
from tests.spec_contracts import (
    AICHAT_ENDPOINT,
    CHATANYWHERE_ENDPOINT,
    CHATGPTES_ENDPOINT,
    CHATGPTES_URL,
    EASYCHAT_SERVERS,
    EQUING_ENDPOINT,
)
from tools.emulators import EmulatedUpstreams
from tools.emulators.behaviours import Behaviour
from tools.scenarios import FAULT_OUTCOMES

#: For the stalls, which end at the timeout; short so that waiting for it is short.
TIMEOUT = 0.25
#: For every other fault, which must end by itself: long, so that a loaded machine never turns it
#: into a timeout.
NO_TIMEOUT = 30.0
# Generous: a loaded CI machine schedules late; a call that ignored the timeout would hang far longer.
TIMEOUT_SLACK = 3.0
STALLS = (Behaviour.STALL, Behaviour.STALL_MIDWAY)
ENDPOINTS = {
    "EasyChat": f"{EASYCHAT_SERVERS[3]}/api/openai/v1/chat/completions",
    "Equing": EQUING_ENDPOINT,
    "Aichat": AICHAT_ENDPOINT,
    "ChatAnywhere": CHATANYWHERE_ENDPOINT,
    "ChatGptEs": CHATGPTES_ENDPOINT,
}
EVERYWHERE = [
    Behaviour.RATE_LIMITED,
    Behaviour.RATE_LIMITED_BARE,
    Behaviour.SERVER_ERROR,
    Behaviour.CHALLENGE,
    Behaviour.NON_JSON,
    Behaviour.TRUNCATED,
    Behaviour.RESET,
    Behaviour.STALL,
    Behaviour.STALL_MIDWAY,
]
JSON_OR_EVENTS = [Behaviour.MALFORMED_JSON, Behaviour.WRONG_SHAPE]
OUTCOMES = {
    **FAULT_OUTCOMES,
    Behaviour.STALL: "ProviderTimeoutError",
    Behaviour.STALL_MIDWAY: "ProviderTimeoutError",
}
STREAMING = ("EasyChat", "Equing", "ChatAnywhere")
CASES = [
    (name, behaviour)
    for name in ENDPOINTS
    for behaviour in EVERYWHERE + (JSON_OR_EVENTS if name != "ChatAnywhere" else [])
]


def stream_until_failure(name: str, timeout: float) -> tuple[list[str], ProviderError, float]:
    """Stream a call, keeping each chunk as it arrives, until the error ends it."""
    provider = providers.get(name)
    model = model_for(name)
    chunks: list[str] = []
    started = time.monotonic()
    with pytest.raises(ProviderError) as raised:
        for chunk in provider.create_completion(
            model,
            [{"role": "user", "content": "one two three four five six"}],
            stream=True,
            timeout=timeout,
            **CALLS[name],
        ):
            chunks.append(chunk)
    return chunks, raised.value, time.monotonic() - started


@pytest.mark.parametrize(("name", "behaviour"), CASES, ids=[f"{n}-{b.value}" for n, b in CASES])
def test_a_broken_upstream_ends_in_a_clear_error(
    emulated_upstreams: EmulatedUpstreams, name: str, behaviour: Behaviour
) -> None:
    emulated_upstreams.behave(behaviour)
    chunks, error, elapsed = stream_until_failure(name, TIMEOUT if behaviour in STALLS else NO_TIMEOUT)

    assert type(error).__name__ == OUTCOMES[behaviour]
    message = str(error)
    assert message.startswith(f"{name}: ")
    # Cloudflare challenges ChatGptEs's first request, the page.
    failed_url = CHATGPTES_URL if (name, behaviour) == ("ChatGptEs", Behaviour.CHALLENGE) else ENDPOINTS[name]
    assert f"({failed_url})" in message
    assert elapsed < TIMEOUT + TIMEOUT_SLACK
    if isinstance(error, StatusError):
        assert f"HTTP {error.status_code}" in message
    if isinstance(error, RateLimitError):
        assert error.retry_after == (7.0 if behaviour is Behaviour.RATE_LIMITED else None)
    if isinstance(error, ProviderTimeoutError):
        assert "timed out" in message
    # What came before a mid-answer failure was delivered, and is the start of the real answer.
    if name in STREAMING and behaviour in (Behaviour.TRUNCATED, Behaviour.STALL_MIDWAY):
        assert chunks, "the chunks sent before the failure were not delivered"
        assert "You wrote: one two three four five six".startswith("".join(chunks))
    elif behaviour not in (Behaviour.TRUNCATED, Behaviour.STALL_MIDWAY, Behaviour.MALFORMED_JSON):
        assert chunks == []


@pytest.mark.parametrize("name", ["EasyChat", "Equing", "ChatAnywhere"])
def test_stalled_stream_times_out_even_with_the_async_generator(
    emulated_upstreams: EmulatedUpstreams, name: str
) -> None:
    emulated_upstreams.behave(Behaviour.STALL_MIDWAY)
    times_out(name, "async_generator", timeout=TIMEOUT, within=TIMEOUT + TIMEOUT_SLACK, **CALLS[name])
