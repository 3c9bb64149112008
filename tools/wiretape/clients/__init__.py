"""One adapter per client library, over the shared core (:mod:`wiretape.intercept`).

An adapter is a module with ``available() -> bool`` (its library can be
imported: a library that is not installed is never imported) and
``install()`` / ``uninstall()`` (patch and restore the library's send).
Adapters are installed while at least one cassette is active.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: The adapters, by the library they intercept.
ADAPTERS = {
    "httpx": "wiretape.clients.httpx_family",
    "curl_cffi": "wiretape.clients.native_curl",
    "aiohttp": "wiretape.clients.aiohttp_session",
    "requests": "wiretape.clients.requests_session",
}

#: The client libraries the adapters intercept, as the bypass guard names them.
INTERCEPTED = ("httpx", "httpx2", "httpx-curl-cffi", "curl_cffi sessions", "aiohttp", "requests")

_installed: list[ModuleType] = []


def install() -> None:
    for name in ADAPTERS.values():
        adapter = importlib.import_module(name)
        _installed.append(adapter)  # before: uninstall() restores what a failing install() patched
        adapter.install()


def uninstall() -> None:
    while _installed:
        _installed.pop().uninstall()
