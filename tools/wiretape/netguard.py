"""The offline guarantee: no socket to anything but loopback (and hosts allowed by name), from any client.

Python sockets (httpx, requests, aiohttp, anything built on ``socket``) are
checked at ``connect`` and name resolution; libcurl (curl_cffi) opens its
sockets in C, so its requests are checked before they are handed to curl.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from .clients.patching import Patches
from .errors import NetworkBlockedError


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False


def _address_host(address: Any) -> str | None:
    if isinstance(address, tuple) and address:
        return str(address[0])
    return None  # unix sockets and the like are local


def _blocked(target: str) -> NetworkBlockedError:
    return NetworkBlockedError(
        f"network access to {target} is blocked; replay it from a cassette, record it "
        "(pytest --record-mode=once), or allow the host (--allowed-hosts, @pytest.mark.allow_network)"
    )


HostCheck = Callable[[str], bool]


def allowed_hosts_check(patterns: Iterable[str] = ()) -> HostCheck:
    """A check that allows loopback and every host matching one of ``patterns`` (regexes, whole name)."""
    compiled = [re.compile(pattern) for pattern in patterns if pattern]

    def allowed(host: str) -> bool:
        return is_loopback(host) or any(pattern.fullmatch(host) for pattern in compiled)

    return allowed


#: Decides about one connection: ``guard(host, target)`` raises to refuse it (``target``: what to name).
Guard = Callable[[str, str], None]


#: ``(owner, attribute, value)``: an attribute replaced while a guard is on.
Patch = tuple[Any, str, Any]


@contextlib.contextmanager
def guarded(guard: Guard, *, resolve: bool) -> Iterator[None]:
    """Within the block, every TCP connection (Python sockets, libcurl) is first shown to ``guard``;
    with ``resolve``, so is every name resolution of a name that is not an address."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        host = _address_host(address)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host is not None:
            guard(host, f"{host}:{address[1]}")

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        real_connect(sock, address)

    def guarded_connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    patches: list[Patch] = [
        (socket.socket, "connect", guarded_connect),
        (socket.socket, "connect_ex", guarded_connect_ex),
        *_curl_patches(guard),
    ]
    if resolve:
        patches.append((socket, "getaddrinfo", _guarded_getaddrinfo(socket.getaddrinfo, guard)))
    # Not unittest.mock: importing it (and asyncio with it) made `import wiretape` heavy.
    replaced = Patches()
    try:
        for owner, name, value in patches:
            replaced.set(owner, name, value)
        yield
    finally:
        replaced.restore()


@contextlib.contextmanager
def block_network(allowed_hosts: Iterable[str] = ()) -> Iterator[None]:
    """Within the block, connecting anywhere but loopback and ``allowed_hosts`` (regexes matched
    against the whole host name or address) raises :class:`NetworkBlockedError`."""
    allowed = allowed_hosts_check(allowed_hosts)

    def guard(host: str, target: str) -> None:
        if not allowed(host):
            raise _blocked(target)

    with guarded(guard, resolve=True):
        yield


def _guarded_getaddrinfo(real: Any, guard: Guard) -> Any:
    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # Resolving a public name is already a packet on the network (DNS).
        if host is not None and isinstance(host, (str, bytes)):
            name = host.decode() if isinstance(host, bytes) else host
            if not _is_literal_address(name):
                guard(name, f"name resolution of {name}")
        return real(host, *args, **kwargs)

    return getaddrinfo


def _is_literal_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _slist_entries(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    from curl_cffi._wrapper import ffi

    entries = []
    node = value
    while node != ffi.NULL:
        entries.append(ffi.string(node.data))
        node = node.next
    return entries


def _curl_patches(guard: Guard) -> list[Patch]:
    try:
        from curl_cffi import Curl, CurlOpt
        from curl_cffi.aio import AsyncCurl
    except ImportError:
        return []
    real_setopt, real_reset, real_perform = Curl.setopt, Curl.reset, Curl.perform
    real_add_handle = AsyncCurl.add_handle
    # What each handle was told: its URL, and hosts whose connections go to loopback instead.
    urls: dict[int, str] = {}
    contexts: dict[int, contextvars.Context] = {}
    redirected: dict[int, set[str]] = {}

    def setopt(curl: Any, option: Any, value: Any) -> Any:
        if option in (CurlOpt.CONNECT_TO, CurlOpt.RESOLVE) and value:
            for entry in _slist_entries(value):
                fields = (entry.decode() if isinstance(entry, bytes) else str(entry)).split(":")
                if len(fields) >= 3 and is_loopback(fields[-2]):
                    redirected.setdefault(id(curl), set()).add(fields[0].lstrip("+"))
        elif option == CurlOpt.URL:
            urls[id(curl)] = value.decode() if isinstance(value, bytes) else str(value)
            # curl_cffi may perform a streamed request on a worker thread: the guard decides in the
            # context the request was set up in.
            contexts[id(curl)] = contextvars.copy_context()
        return real_setopt(curl, option, value)

    def reset(curl: Any) -> Any:
        urls.pop(id(curl), None)
        contexts.pop(id(curl), None)
        redirected.pop(id(curl), None)
        return real_reset(curl)

    def check(curl: Any) -> None:
        url = urls.get(id(curl), "")
        host = urlsplit(url).hostname or ""
        targets = redirected.get(id(curl), set())
        if url:
            # A host that curl was told to reach on loopback (CONNECT_TO, RESOLVE) is a loopback connection.
            to_loopback = host in targets or "" in targets
            context = contexts.get(id(curl)) or contextvars.copy_context()
            context.run(guard, "127.0.0.1" if to_loopback else host, f"{url} (libcurl)")

    def perform(curl: Any, *args: Any, **kwargs: Any) -> Any:
        check(curl)
        return real_perform(curl, *args, **kwargs)

    def add_handle(multi: Any, curl: Any) -> Any:
        check(curl)
        return real_add_handle(multi, curl)

    return [
        (Curl, "setopt", setopt),
        (Curl, "reset", reset),
        (Curl, "perform", perform),
        (AsyncCurl, "add_handle", add_handle),
    ]
