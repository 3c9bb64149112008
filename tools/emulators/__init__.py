"""Loopback emulators of the five upstreams, hosted by one TLS server on 127.0.0.1.

``with emulated_upstreams() as upstreams:`` starts the server;
``with upstreams.overrides():`` routes the providers' hosts there and trusts
its CA; ``upstreams.behave(Behaviour.RATE_LIMITED)`` changes what they answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from providers.http import NetworkOverrides

from .aichat import AichatUpstream
from .behaviours import Behaviour
from .chatanywhere import ChatAnywhereUpstream
from .chatgptes import ChatGptEsUpstream
from .openai_chat import EasyChatUpstream, EquingUpstream
from .server import App, LoopbackServer
from .upstream import Control, Upstream

UPSTREAMS: dict[str, type[Upstream]] = {
    "EasyChat": EasyChatUpstream,
    "Equing": EquingUpstream,
    "Aichat": AichatUpstream,
    "ChatAnywhere": ChatAnywhereUpstream,
    "ChatGptEs": ChatGptEsUpstream,
}

__all__ = ["UPSTREAMS", "Behaviour", "EmulatedUpstreams", "emulated_upstreams"]


class EmulatedUpstreams:
    """The running emulators: the server, and the switch for their behaviour."""

    def __init__(self, server: LoopbackServer, control: Control) -> None:
        self.server = server
        self.control = control

    def behave(self, behaviour: Behaviour | str) -> None:
        self.control.set(Behaviour(behaviour))

    @contextlib.contextmanager
    def behaving(self, behaviour: Behaviour | str) -> Iterator[None]:
        self.behave(behaviour)
        try:
            yield
        finally:
            self.behave(Behaviour.NORMAL)

    def overrides(self) -> contextlib.AbstractContextManager[NetworkOverrides]:
        return self.server.overrides()


@contextlib.contextmanager
def emulated_upstreams() -> Iterator[EmulatedUpstreams]:
    """Start all five emulated upstreams on a free loopback port; stop them on exit."""
    control = Control()
    apps: dict[str, App] = {}
    for upstream_class in UPSTREAMS.values():
        upstream = upstream_class(control)
        apps.update(dict.fromkeys(upstream.hosts, upstream))
    with LoopbackServer(apps) as server:
        yield EmulatedUpstreams(server, control)
