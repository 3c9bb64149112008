"""Nothing bypasses a cassette silently.

While a cassette is active, every connection (Python sockets, libcurl) must
come from an intercepted client's send (:func:`wiretape.intercept.sending`).
Any other — a client library no adapter intercepts (``urllib.request``, an
unknown fork…) — is refused before a byte leaves, loopback included, and the
cassette remembers it: its block then ends with that error (a recording is
not written without the exchange).
"""

from __future__ import annotations

import contextlib

from . import intercept
from .errors import ClientNotInterceptedError
from .netguard import guarded

_stack: contextlib.ExitStack | None = None


def _guard(host: str, target: str) -> None:
    if intercept.is_sending():
        return
    handler = intercept.current()
    if handler is None:  # the last cassette just closed in another thread
        return
    raise handler.client_bypassed(target)


def install() -> None:
    global _stack
    _stack = contextlib.ExitStack()
    _stack.enter_context(guarded(_guard, resolve=False))


def uninstall() -> None:
    global _stack
    if _stack is not None:
        _stack.close()
        _stack = None


def error(target: str) -> ClientNotInterceptedError:
    from .clients import INTERCEPTED

    names = ", ".join(INTERCEPTED[:-1]) + f" and {INTERCEPTED[-1]}"
    return ClientNotInterceptedError(
        f"a connection to {target} was opened inside a cassette by a client library wiretape does not "
        f"intercept (it intercepts {names}); refused, so that no exchange "
        "escapes the cassette: send it through an intercepted client"
    )
