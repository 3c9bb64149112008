"""The caller's proxy, the provider's impersonation and the default timeout reach the client actually
built (its transport, and curl's options), not only the arguments accepted: httpx-curl-cffi accepts
unknown keyword arguments silently, so a renamed key would otherwise pass unnoticed."""

from __future__ import annotations

import importlib
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpcore
import httpx
import pytest
from curl_cffi import CurlOpt

import providers
from providers import ProviderConnectionError, http
from tests.helpers import call, model_for
from tests.hostile_apps import CALLS
from tools.emulators import EmulatedUpstreams

NAMES = ["Equing", "EasyChat", "Aichat", "ChatAnywhere", "ChatGptEs"]
# SPEC.md: the default timeouts, and the browser the curl-based providers impersonate.
DEFAULT_TIMEOUTS = {
    "Equing": 120.0,
    "EasyChat": 120.0,
    "Aichat": 6.0,
    "ChatAnywhere": 120.0,
    "ChatGptEs": 120.0,
}
IMPERSONATES = {"Aichat": "chrome110", "ChatGptEs": "chrome110"}
STYLES = ["sync", "async", "async_generator"]


@pytest.fixture
def refusing_proxy() -> Iterator[str]:
    """A loopback address where nothing listens (bound, never accepting): connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def built_clients(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Client | httpx.AsyncClient]:
    """Every client the providers build during the test."""
    built: list[httpx.Client | httpx.AsyncClient] = []

    def spy(factory: Callable[[http.ClientSpec], Any]) -> Callable[[http.ClientSpec], Any]:
        def build(spec: http.ClientSpec) -> Any:
            client = factory(spec)
            built.append(client)
            return client

        return build

    for name in NAMES:
        module = importlib.import_module(providers.get(name).__module__)
        for factory in ("sync_client", "async_client"):
            if hasattr(module, factory):
                monkeypatch.setattr(module, factory, spy(getattr(http, factory)))
    return built


def curl_session(client: httpx.Client | httpx.AsyncClient) -> Any:
    transport: Any = client._transport
    inner = getattr(transport, "_inner", transport)
    return inner._session


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_impersonation_reach_the_client(
    emulated_upstreams: EmulatedUpstreams, built_clients: list[Any], name: str, style: str
) -> None:
    call(providers.get(name), style, model_for(name), [{"role": "user", "content": "hi"}], **CALLS[name])
    assert built_clients
    expected = DEFAULT_TIMEOUTS[name]
    for client in built_clients:
        assert client.timeout == httpx.Timeout(expected)
        if name in IMPERSONATES:
            session = curl_session(client)
            assert session.impersonate == IMPERSONATES[name]
            assert session.curl_options[CurlOpt.TIMEOUT_MS] == round(expected * 1000)
            assert session.proxies == {}
        else:
            transport: Any = client._transport
            assert isinstance(transport, (httpx.HTTPTransport, httpx.AsyncHTTPTransport))
            assert not isinstance(transport._pool, (httpcore.HTTPProxy, httpcore.AsyncHTTPProxy))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", NAMES)
def test_the_proxy_reaches_the_client_and_is_used(
    emulated_upstreams: EmulatedUpstreams,
    built_clients: list[Any],
    refusing_proxy: str,
    name: str,
    style: str,
) -> None:
    with pytest.raises(ProviderConnectionError) as raised:
        call(
            providers.get(name),
            style,
            model_for(name),
            [{"role": "user", "content": "hi"}],
            proxy=refusing_proxy,
            timeout=3,
            **CALLS[name],
        )
    assert str(raised.value).startswith(f"{name}: ")
    assert built_clients
    for client in built_clients:
        assert client.timeout == httpx.Timeout(3)
        if name in IMPERSONATES:
            session = curl_session(client)
            assert session.proxies == {"all": refusing_proxy}
            assert session.impersonate == IMPERSONATES[name]
        else:
            pool: Any = client._transport._pool  # type: ignore[union-attr]
            assert isinstance(pool, (httpcore.HTTPProxy, httpcore.AsyncHTTPProxy))
            assert str(httpx.URL(f"{refusing_proxy}/")) == str(
                httpx.URL(
                    scheme=pool._proxy_url.scheme.decode(),
                    host=pool._proxy_url.host.decode(),
                    port=pool._proxy_url.port,
                    path="/",
                )
            )
