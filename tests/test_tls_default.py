"""TLS verification is on for every provider unless the caller passes verify=False."""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import providers
from providers import ProviderConnectionError
from providers.http import network_overrides
from tests.helpers import call, model_for
from tests.hostile_apps import CALLS, HOSTS
from tools.emulators.server import Exchange, LoopbackServer


def refuse(exchange: Exchange) -> None:
    exchange.respond(418, "should never be reached")


@pytest.fixture(scope="module")
def upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer(dict.fromkeys(HOSTS, refuse)) as server:
        yield server


@pytest.mark.parametrize("name", sorted(CALLS))
def test_an_untrusted_certificate_is_refused_by_default(upstream: LoopbackServer, name: str) -> None:
    provider = providers.get(name)
    model = model_for(name)
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


def test_a_ca_bundle_is_read_once_and_again_when_it_changes(
    upstream: LoopbackServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Reading a bundle costs ~20 ms, most of a replayed call: calls share what was read.
    reads: list[ssl.SSLContext] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        reads.append(context)
        load(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    bundle = tmp_path / "ca.pem"
    shutil.copyfile(upstream.ca_file, bundle)
    messages = [{"role": "user", "content": "hi"}]

    def three_calls() -> None:
        for _ in range(3):
            with (
                network_overrides(routes=upstream.routes(), ca_bundle=str(bundle)),
                pytest.raises(providers.StatusError, match="HTTP 418"),
            ):
                call(providers.Equing, "async", "gpt-3.5-turbo", messages)

    three_calls()
    assert len(reads) == 1
    # A rotated bundle at the same path is read afresh.
    bundle.write_text(bundle.read_text() + "\n")
    three_calls()
    assert len(reads) == 2


@pytest.mark.parametrize("problem", ["missing", "directory", "not_a_certificate"])
def test_a_ca_bundle_that_cannot_be_loaded_is_a_connection_error_naming_it(
    upstream: LoopbackServer, tmp_path: Path, problem: str
) -> None:
    bundle = tmp_path / "ca.pem"
    if problem == "directory":
        bundle.mkdir()
    elif problem == "not_a_certificate":
        bundle.write_text("not a certificate\n")
    with (
        network_overrides(routes=upstream.routes(), ca_bundle=str(bundle)),
        pytest.raises(ProviderConnectionError) as raised,
    ):
        call(providers.Equing, "async", "gpt-3.5-turbo", [{"role": "user", "content": "hi"}])
    assert str(raised.value).startswith(f"Equing: CA bundle {str(bundle)!r} could not be loaded: ")
