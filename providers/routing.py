"""Where a host's connections go when :func:`providers.http.network_overrides` maps it elsewhere.

httpx has no public hook for the connection target; its pool's network
backend is the narrowest place to add one (the TLS server name is taken from
the request URL, so certificates are still checked for the real host).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpcore


class RoutedBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, routes: Mapping[str, tuple[str, int]]):
        self._inner = inner
        self._routes = routes

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        address, mapped_port = self._routes.get(host, (host, port))
        return self._inner.connect_tcp(address, mapped_port, *args, **kwargs)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(*args, **kwargs)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class AsyncRoutedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend, routes: Mapping[str, tuple[str, int]]):
        self._inner = inner
        self._routes = routes

    async def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        address, mapped_port = self._routes.get(host, (host, port))
        return await self._inner.connect_tcp(address, mapped_port, *args, **kwargs)

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(*args, **kwargs)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
