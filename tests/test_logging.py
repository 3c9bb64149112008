"""Logging (SPEC.md, "Logging"): one DEBUG line per request under providers.<name>, never a secret."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

import providers
from tests.helpers import call, model_for
from tools.emulators import EmulatedUpstreams

USER = [{"role": "user", "content": "hi"}]
SESSION = "s3cr3t-session-value-0042"
LINE = re.compile(r"^(GET|POST) (https://\S+) -> (\d{3}) [^,]*, (\d+\.\d{3}) s, (\d+) bytes$")
#: SPEC.md: the requests each provider sends, in order.
REQUESTS = {
    "EasyChat": [
        ("GET", "https://chat10.fastgpt.me/"),
        ("POST", "https://chat10.fastgpt.me/api/openai/v1/chat/completions"),
    ],
    "Equing": [("POST", "https://next.eqing.tech/api/openai/v1/chat/completions")],
    "Aichat": [("POST", "https://chat-gpt.org/api/text")],
    "ChatAnywhere": [("POST", "https://chatanywhere.cn/v1/chat/gpt/")],
    "ChatGptEs": [("GET", "https://chatgpt.es"), ("POST", "https://chatgpt.es/wp-admin/admin-ajax.php")],
}
NEEDS: dict[str, dict[str, Any]] = {
    "EasyChat": {"active_server": 0},
    "Aichat": {"cookies": {"session": SESSION}},
}


@pytest.fixture
def secrets_sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Every cookie, nonce and client id that crossed the wire during the test."""
    found: set[str] = set()

    def note(request: httpx.Request, response: httpx.Response) -> None:
        for header in (request.headers.get("cookie", ""), *response.headers.get_list("set-cookie")):
            found.update(morsel.value for morsel in SimpleCookie(header).values())
        if request.method == "POST" and "form-urlencoded" in request.headers.get("content-type", ""):
            form = dict(parse_qsl(request.content.decode()))
            found.update(form[name] for name in ("_wpnonce", "wpaicg_chat_client_id"))
        found.update(
            re.findall(
                r'name="_wpnonce" value="([^"]+)"', response.text if response.is_stream_consumed else ""
            )
        )

    send, asend = httpx.Client.send, httpx.AsyncClient.send

    def spy(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = send(self, request, **kwargs)
        note(request, response)
        return response

    async def aspy(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = await asend(self, request, **kwargs)
        note(request, response)
        return response

    monkeypatch.setattr(httpx.Client, "send", spy)
    monkeypatch.setattr(httpx.AsyncClient, "send", aspy)
    yield found


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_one_debug_line_per_request_and_no_secret_in_any_record(
    name: str,
    emulated_upstreams: EmulatedUpstreams,
    secrets_sent: set[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = model_for(name)
    with caplog.at_level(logging.DEBUG, logger="providers"), pytest.warns(providers.UnknownArgumentWarning):
        assert call(providers.get(name), "async", model, USER, temprature=1, **NEEDS.get(name, {})) == [
            "You wrote: hi"
        ]
    records = [r for r in caplog.records if r.name.startswith("providers")]
    assert {r.name for r in records} == {f"providers.{name.lower()}"}
    lines = [LINE.match(r.getMessage()) for r in records if LINE.match(r.getMessage())]
    assert [(m.group(1), m.group(2)) for m in lines if m] == REQUESTS[name]
    assert all(m and m.group(3) == "200" and int(m.group(5)) > 0 for m in lines)
    assert all(r.levelno == logging.DEBUG for r in records)
    if name in ("EasyChat", "Aichat", "ChatGptEs"):
        assert secrets_sent, "the spy saw no cookie, nonce or client id"
    if name == "Aichat":
        assert SESSION in secrets_sent
    if name == "ChatGptEs":
        assert len(secrets_sent) >= 2, "expected the nonce and the client id"
    for record in records:
        text = record.getMessage() + repr(record.args)
        leaked = [secret for secret in secrets_sent if secret in text]
        assert not leaked, f"{record.getMessage()!r} contains a secret"


def test_an_error_status_is_logged_too(
    emulated_upstreams: EmulatedUpstreams, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.DEBUG, logger="providers"),
        emulated_upstreams.behaving("server_error"),
        pytest.raises(providers.StatusError),
    ):
        call(providers.Equing, "sync", "gpt-3.5-turbo", USER)
    [line] = [LINE.match(r.getMessage()) for r in caplog.records if LINE.match(r.getMessage())]
    assert line and line.group(3) == "500"


def test_nothing_at_info_by_default(
    emulated_upstreams: EmulatedUpstreams, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        call(providers.ChatGptEs, "sync", "", USER)
        call(providers.Equing, "sync", "gpt-3.5-turbo", USER)
    assert [r for r in caplog.records if r.name.startswith("providers")] == []
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("providers").handlers)


def test_a_transport_failure_is_logged_once(
    emulated_upstreams: EmulatedUpstreams, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.DEBUG, logger="providers"),
        emulated_upstreams.behaving("reset"),
        pytest.raises(providers.ProviderConnectionError),
    ):
        call(providers.ChatGptEs, "async_generator", "", USER)
    failed = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert failed == ["POST https://chatgpt.es/wp-admin/admin-ajax.php failed: ProviderConnectionError"]
