"""Details of the error machinery that the provider-level tests reach only by accident: the excerpt's
bounds, curl's error codes, the status error's fields, the curl transfer stopped when its body is
abandoned, the page's charset, answers arriving in several pieces, routes for other hosts."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import providers
from providers.errors import BODY_EXCERPT_LIMIT, RateLimitError, excerpt
from providers.http import ClientSpec, async_client, network_overrides, status_error, translate_error
from providers.limits import stop_transfer
from tests.helpers import model_for
from tests.hostile_apps import HostileUpstream, serving
from tools.emulators.server import LoopbackServer

USER = [{"role": "user", "content": "hi"}]


def test_an_excerpt_keeps_a_text_up_to_its_limit_and_cuts_a_longer_one() -> None:
    assert BODY_EXCERPT_LIMIT == 300
    assert excerpt("a" * 300) == "a" * 300
    assert excerpt("a" * 301) == "a" * 299 + "…"
    assert len(excerpt("b" * 5000)) == 300
    assert excerpt(" one\n two\t\tthree ") == "one two three"
    assert excerpt("abcdef", limit=4) == "abc…"


def test_curl_errors_keep_their_text_the_provider_and_the_url() -> None:
    from curl_cffi import CurlError

    timeout = translate_error(
        CurlError("operation timed out after 6000 ms", 28), provider="P", url="https://u"
    )
    refused = translate_error(CurlError("could not connect", 7), provider="P", url="https://u")
    assert str(timeout) == "P: timed out: operation timed out after 6000 ms (https://u)"
    assert str(refused) == "P: connection failed: could not connect (https://u)"
    assert (
        translate_error(CurlError("no code"), provider="P", url=None).__class__.__name__
        == "ProviderConnectionError"
    )


def test_a_status_error_carries_its_fields_and_a_replaced_undecodable_body() -> None:
    request = httpx.Request("POST", "https://u/x")
    response = httpx.Response(429, headers={"Retry-After": "12"}, request=request)
    error = status_error(response, b"slow \xff down", provider="P")
    assert isinstance(error, RateLimitError)
    assert (error.status_code, error.reason, error.body_excerpt, error.retry_after) == (
        429,
        "Too Many Requests",
        "slow \ufffd down",
        12.0,
    )
    assert (error.provider, error.url) == ("P", "https://u/x")
    assert str(error) == "P: HTTP 429 Too Many Requests: slow \ufffd down (https://u/x)"


class _CurlResponse:
    def __init__(self) -> None:
        self.quit_now = threading.Event()


def test_an_abandoned_curl_body_stops_its_transfer() -> None:
    curl = _CurlResponse()
    stop_transfer(httpx.Response(200, extensions={"curl": {"response": curl}}))
    assert curl.quit_now.is_set()
    # Not curl, or a curl response without the event: nothing to stop, no error.
    stop_transfer(httpx.Response(200))
    stop_transfer(httpx.Response(200, extensions={"curl": {"response": object()}}))


@pytest.fixture(scope="module")
def upstream() -> Iterator[HostileUpstream]:
    with serving(HostileUpstream()) as app:
        yield app


@pytest.fixture
def fresh(upstream: HostileUpstream) -> HostileUpstream:
    return upstream.behaving()


def test_the_chat_page_is_read_in_its_declared_charset(fresh: HostileUpstream) -> None:
    page = '<input type="hidden" name="_wpnonce" value="n0nce42"><input type="hidden" name="post_id" value="café">'
    fresh.page_attack = "custom"
    fresh.custom = (200, {"content-type": "text/html; charset=iso-8859-1"}, page.encode("latin-1"))
    fresh.attack = "echo_form"
    answer = "".join(providers.ChatGptEs.create_completion("", USER))
    assert json.loads(answer)["post_id"] == "café"


def test_an_undecodable_page_byte_does_not_break_the_page(fresh: HostileUpstream) -> None:
    page = b'\xff\xfe<input type="hidden" name="_wpnonce" value="n0nce42"> var post_id = 9;'
    fresh.page_attack, fresh.custom = "custom", (200, {"content-type": "text/html"}, page)
    fresh.attack = "echo_form"
    form = json.loads("".join(providers.ChatGptEs.create_completion("", USER)))
    assert (form["_wpnonce"], form["post_id"]) == ("n0nce42", "9")


def test_a_page_without_a_post_id_falls_back_and_says_so(
    fresh: HostileUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="providers.chatgptes")
    page = b'<input type="hidden" name="_wpnonce" value="n0nce42">'
    fresh.page_attack, fresh.custom = "custom", (200, {"content-type": "text/html"}, page)
    fresh.attack = "echo_form"
    form = json.loads("".join(providers.ChatGptEs.create_completion("", USER)))
    assert form["post_id"] == "106"
    assert "the chat page carries a nonce but no post_id; using post_id 106" in caplog.messages


@pytest.mark.parametrize("name", ["Aichat", "ChatGptEs", "Equing"])
def test_an_answer_in_many_pieces_is_joined_exactly(fresh: HostileUpstream, name: str) -> None:
    text = "".join(f"{index:05d} " for index in range(20_000))  # 120 KB: many network reads
    bodies = {
        "Aichat": {"response": True, "message": text},
        "ChatGptEs": {"data": text},
        "Equing": {"choices": [{"message": {"content": text}}]},
    }
    fresh.attack = "custom"
    fresh.custom = (200, {"content-type": "application/json"}, json.dumps(bodies[name]).encode())
    kwargs: dict[str, Any] = {"cookies": {"session": "s"}} if name == "Aichat" else {}
    model = model_for(name)
    assert "".join(providers.get(name).create_completion(model, USER, stream=False, **kwargs)) == text


def test_hosts_without_a_route_are_reached_directly() -> None:
    app = HostileUpstream()
    with LoopbackServer({"localhost": app}) as server:

        async def fetch() -> int:
            with network_overrides(routes={"elsewhere.test": ("127.0.0.1", 9)}, ca_bundle=server.ca_file):
                async with async_client(ClientSpec(provider="P")) as client:
                    response = await client.get(f"https://localhost:{server.port}/")
                    return response.status_code

        assert asyncio.run(fetch()) == 200
