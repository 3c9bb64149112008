"""The offline guarantee: every client in the test process is stopped before leaving loopback."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from providers.http import ClientSpec, async_client, sync_client
from wiretape.netguard import NetworkBlockedError, block_network, is_loopback

# TEST-NET-3 (RFC 5737): documentation addresses, never routed; nothing is sent anyway.
OUTSIDE = "203.0.113.7"


def raised_blocked(error: BaseException | None) -> bool:
    """Whether ``error`` is, wraps, or groups a NetworkBlockedError."""
    if error is None:
        return False
    if isinstance(error, NetworkBlockedError):
        return True
    members = getattr(error, "exceptions", ())
    return (
        any(raised_blocked(member) for member in members)
        or raised_blocked(error.__cause__)
        or raised_blocked(error.__context__)
    )


def test_plain_socket_is_blocked() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlockedError, match=OUTSIDE):
        sock.connect((OUTSIDE, 443))


def test_dns_lookup_of_a_public_name_is_blocked() -> None:
    with pytest.raises(NetworkBlockedError, match="name resolution of example.com"):
        socket.getaddrinfo("example.com", 443)


@pytest.mark.parametrize("impersonate", [None, "chrome110"])
def test_sync_clients_are_blocked(impersonate: str | None) -> None:
    with (
        sync_client(ClientSpec(provider="P", impersonate=impersonate)) as client,
        pytest.raises(NetworkBlockedError),
    ):
        client.get(f"https://{OUTSIDE}/")


@pytest.mark.parametrize("impersonate", [None, "chrome110"])
def test_async_clients_are_blocked(impersonate: str | None) -> None:
    async def fetch() -> None:
        async with async_client(ClientSpec(provider="P", impersonate=impersonate)) as client:
            await client.get(f"https://{OUTSIDE}/")

    with pytest.raises(BaseException) as raised:
        asyncio.run(fetch())
    assert raised_blocked(raised.value)


def test_bare_curl_cffi_is_blocked() -> None:
    from curl_cffi import requests as curl_requests

    with pytest.raises(NetworkBlockedError, match="libcurl"):
        curl_requests.get(f"https://{OUTSIDE}/", timeout=1)


def test_plain_httpx_outside_the_library_is_blocked() -> None:
    with pytest.raises(NetworkBlockedError):
        httpx.get(f"http://{OUTSIDE}/", timeout=1)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


@pytest.mark.allow_network
def test_guard_is_off_outside_the_block_and_on_inside() -> None:
    real = socket.socket.connect
    with block_network():
        assert socket.socket.connect is not real
    assert socket.socket.connect is real


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
