"""TLS verification is on for every provider unless the caller passes verify=False."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import providers
from providers import ProviderConnectionError
from providers.http import network_overrides
from tests.helpers import call
from tools.emulators.server import Exchange, LoopbackServer

HOSTS = ["chat10.fastgpt.me", "next.eqing.tech", "chat-gpt.org", "chatanywhere.cn", "chatgpt.es"]
CALLS = {
    "EasyChat": {"active_server": 0},
    "Equing": {},
    "Aichat": {"cookies": {"session": "s"}},
    "ChatAnywhere": {},
    "ChatGptEs": {},
}


def refuse(exchange: Exchange) -> None:
    exchange.respond(418, "should never be reached")


@pytest.fixture(scope="module")
def upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer(dict.fromkeys(HOSTS, refuse)) as server:
        yield server


@pytest.mark.parametrize("name", sorted(CALLS))
def test_an_untrusted_certificate_is_refused_by_default(upstream: LoopbackServer, name: str) -> None:
    provider = providers.get(name)
    model = "" if name == "ChatGptEs" else "gpt-3.5-turbo"
    messages = [{"role": "user", "content": "hi"}]
    before = upstream.requests_seen
    with network_overrides(routes=upstream.routes()), pytest.raises(ProviderConnectionError) as raised:
        call(provider, "async_generator", model, messages, **CALLS[name])
    assert "certificate" in str(raised.value).lower() or "ssl" in str(raised.value).lower()
    assert upstream.requests_seen == before  # no HTTP request got through

    # Explicitly turned off, the same call reaches the (untrusted) server.
    with network_overrides(routes=upstream.routes()), pytest.raises(providers.ProviderError) as reached:
        call(provider, "async_generator", model, messages, verify=False, **CALLS[name])
    assert not isinstance(reached.value, ProviderConnectionError)
    assert upstream.requests_seen > before
