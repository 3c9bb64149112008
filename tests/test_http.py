"""The HTTP layer: error translation in one place, TLS verification, host routing, proxies."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import providers
from providers import ProviderConnectionError, ProviderTimeoutError, ResponseFormatError, TransportError
from providers.http import (
    ClientSpec,
    _verifying_context,
    async_client,
    network_overrides,
    retry_after,
    sync_client,
    translate_error,
)
from tools.emulators.server import Exchange, LoopbackServer

REQUEST = httpx.Request("GET", "https://example.invalid/")


def every_httpx_request_error() -> list[type[httpx.RequestError]]:
    found: list[type[httpx.RequestError]] = []
    pending: list[type[httpx.RequestError]] = [httpx.RequestError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("httpx")]


@pytest.mark.parametrize("error_class", every_httpx_request_error(), ids=lambda cls: cls.__name__)
def test_every_httpx_request_error_is_translated(error_class: type[httpx.RequestError]) -> None:
    translated = translate_error(error_class("boom", request=REQUEST), provider="P", url="https://u")
    assert isinstance(translated, TransportError | ResponseFormatError)
    if issubclass(error_class, httpx.TimeoutException):
        assert isinstance(translated, ProviderTimeoutError) and isinstance(translated, TimeoutError)
    if issubclass(error_class, httpx.NetworkError):
        assert isinstance(translated, ProviderConnectionError) and isinstance(translated, ConnectionError)
    assert str(translated).startswith("P: ") and str(translated).endswith("(https://u)")


def test_curl_errors_are_translated_by_code() -> None:
    from curl_cffi import CurlError
    from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError
    from curl_cffi.requests.exceptions import Timeout

    assert isinstance(translate_error(Timeout("t", 28), provider="P", url=None), ProviderTimeoutError)
    assert isinstance(translate_error(CurlError("x", 28), provider="P", url=None), ProviderTimeoutError)
    assert isinstance(
        translate_error(CurlConnectionError("c", 7), provider="P", url=None), ProviderConnectionError
    )


def test_foreign_errors_are_left_alone() -> None:
    assert translate_error(KeyError("k"), provider="P", url=None) is None


@pytest.mark.parametrize(("value", "seconds"), [("12", 12.0), (None, None), ("soon", None)])
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert retry_after(value) == seconds


def test_retry_after_http_date_is_seconds_from_now() -> None:
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


# ---------------------------------------------------------------- a real TLS server on loopback


def hello(exchange: Exchange) -> None:
    exchange.respond(200, f"host={exchange.header('host')}")


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer({"chat.example.test": hello}) as running:
        yield running


@pytest.fixture(scope="module")
def tls_server(server: LoopbackServer) -> int:
    return server.port


@pytest.fixture(scope="module")
def ca_file(server: LoopbackServer) -> str:
    return server.ca_file


@pytest.mark.parametrize("impersonate", [None, "chrome110"])
def test_routes_keep_the_url_and_host_and_verify_against_the_given_ca(
    tls_server: int, ca_file: str, impersonate: str | None
) -> None:
    spec = ClientSpec(provider="P", impersonate=impersonate)
    with (
        network_overrides(routes={"chat.example.test": ("127.0.0.1", tls_server)}, ca_bundle=ca_file),
        sync_client(spec) as client,
    ):
        response = client.get("https://chat.example.test/")
    assert response.text == "host=chat.example.test"


@pytest.mark.parametrize("impersonate", [None, "chrome110"])
def test_async_routes(tls_server: int, ca_file: str, impersonate: str | None) -> None:
    async def fetch() -> str:
        spec = ClientSpec(provider="P", impersonate=impersonate)
        with network_overrides(routes={"chat.example.test": ("127.0.0.1", tls_server)}, ca_bundle=ca_file):
            async with async_client(spec) as client:
                return (await client.get("https://chat.example.test/")).text

    assert asyncio.run(fetch()) == "host=chat.example.test"


def test_a_ca_bundle_edited_in_place_is_trusted_as_it_now_is(tmp_path: Path) -> None:
    """Clients share one verifying context per bundle, never one that the file no longer says."""
    bundle = tmp_path / "ca.pem"

    def get(server: LoopbackServer) -> str:
        routes = {"chat.example.test": ("127.0.0.1", server.port)}
        with (
            network_overrides(routes=routes, ca_bundle=str(bundle)),
            sync_client(ClientSpec(provider="P")) as client,
        ):
            return client.get("https://chat.example.test/").text

    with (
        LoopbackServer({"chat.example.test": hello}) as first,
        LoopbackServer({"chat.example.test": hello}) as second,
    ):
        for trusted, other in ((first, second), (second, first)):
            # Same path, and likely the same size and modification time as the previous content.
            bundle.write_text(Path(trusted.ca_file).read_text())
            assert _verifying_context(str(bundle)) is _verifying_context(str(bundle))
            assert get(trusted) == "host=chat.example.test"
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                get(other)


@pytest.mark.parametrize("impersonate", [None, "chrome110"])
def test_tls_verification_is_on_by_default(tls_server: int, impersonate: str | None) -> None:
    spec = ClientSpec(provider="P", impersonate=impersonate)
    with (
        network_overrides(routes={"chat.example.test": ("127.0.0.1", tls_server)}),
        sync_client(spec) as client,
        pytest.raises(Exception) as raised,
    ):
        client.get("https://chat.example.test/")
    translated = translate_error(raised.value, provider="P", url=None)
    assert isinstance(translated, ProviderConnectionError)
    assert "certificate" in str(translated).lower() or "ssl" in str(translated).lower()


@pytest.mark.parametrize("impersonate", [None, "chrome110"])
def test_verification_off_needs_the_explicit_argument(tls_server: int, impersonate: str | None) -> None:
    spec = ClientSpec(provider="P", impersonate=impersonate, verify=False)
    with (
        network_overrides(routes={"chat.example.test": ("127.0.0.1", tls_server)}),
        sync_client(spec) as client,
    ):
        assert client.get("https://chat.example.test/").status_code == 200


def test_provider_call_against_a_dead_port_is_a_connection_error(user_messages: list[dict[str, str]]) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        network_overrides(routes={"chatanywhere.cn": ("127.0.0.1", port)}),
        pytest.raises(ProviderConnectionError) as raised,
    ):
        list(providers.ChatAnywhere.create_completion("gpt-3.5-turbo", user_messages, stream=True))
    assert (
        raised.value.provider == "ChatAnywhere" and raised.value.url == "https://chatanywhere.cn/v1/chat/gpt/"
    )
