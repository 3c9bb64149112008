"""The emulated upstreams speak each protocol as providers/SPEC.md describes it, and refuse what breaks it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

import providers
from providers.http import ClientSpec, sync_client
from tests.helpers import call, model_for
from tests.spec_contracts import EASYCHAT_SERVERS
from tools.emulators import EmulatedUpstreams
from tools.emulators.behaviours import Behaviour

OPENAI_BODY = {
    "messages": [{"role": "user", "content": "ping"}],
    "stream": False,
    "model": "gpt-3.5-turbo",
    "temperature": 0.5,
    "presence_penalty": 0,
    "frequency_penalty": 0,
    "top_p": 1,
}


@pytest.fixture
def emulators(emulated_upstreams: EmulatedUpstreams) -> EmulatedUpstreams:
    return emulated_upstreams


@pytest.fixture
def client(emulators: EmulatedUpstreams) -> Iterator[httpx.Client]:
    with emulators.overrides(), sync_client(ClientSpec(provider="test", timeout=5)) as session:
        yield session


def test_every_documented_host_is_served(emulators: EmulatedUpstreams) -> None:
    hosts = set(emulators.server.routes())
    expected = {httpx.URL(server).host for server in EASYCHAT_SERVERS}
    expected |= {"next.eqing.tech", "chat-gpt.org", "chatanywhere.cn", "chatgpt.es"}
    assert hosts == expected


def test_easychat_needs_the_cookie_of_its_home_page(client: httpx.Client) -> None:
    url = "https://chat9.fastgpt.me/api/openai/v1/chat/completions"
    headers = {"origin": "https://chat9.fastgpt.me"}
    assert client.post(url, json=OPENAI_BODY, headers=headers).status_code == 401
    home = client.get("https://chat9.fastgpt.me/")
    assert "session" in home.cookies
    answer = client.post(url, json=OPENAI_BODY, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["choices"][0]["message"]["content"] == "You wrote: ping"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"path": "/api/openai/v1/chat/complete"}, 404),
        ({"drop": "temperature"}, 400),
        ({"drop": "messages"}, 400),
        ({"origin": "https://evil.example"}, 403),
        ({"content": b"messages=1"}, 415),
    ],
)
def test_equing_refuses_requests_that_break_the_contract(
    client: httpx.Client, change: dict[str, object], status: int
) -> None:
    body = {k: v for k, v in OPENAI_BODY.items() if k != change.get("drop")}
    path = str(change.get("path", "/api/openai/v1/chat/completions"))
    headers = {"origin": str(change.get("origin", "https://next.eqing.tech"))}
    if "content" in change:
        response = client.post(f"https://next.eqing.tech{path}", content=change["content"], headers=headers)  # type: ignore[arg-type]
    else:
        response = client.post(f"https://next.eqing.tech{path}", json=body, headers=headers)
    assert response.status_code == status


def test_aichat_refuses_a_request_without_its_session_cookie(client: httpx.Client) -> None:
    body = {"message": "hi", "temperature": 0.5, "presence_penalty": 0, "top_p": 1, "frequency_penalty": 0}
    assert client.post("https://chat-gpt.org/api/text", json=body).status_code == 403
    client.cookies.set("session", "anything")
    answer = client.post("https://chat-gpt.org/api/text", json=body)
    assert answer.json() == {"response": True, "message": "You wrote: hi"}
    incomplete = {k: v for k, v in body.items() if k != "top_p"}
    assert client.post("https://chat-gpt.org/api/text", json=incomplete).status_code == 400


def test_chatgptes_accepts_only_a_nonce_it_issued(client: httpx.Client) -> None:
    page = client.get("https://chatgpt.es/").text
    nonce = page.split('name="_wpnonce" value="')[1].split('"')[0]
    form = {
        "_wpnonce": nonce,
        "post_id": "106",
        "url": "https://chatgpt.es",
        "action": "wpaicg_chat_shortcode_message",
        "message": "Prompt. User input: hola",
        "bot_id": "0",
        "chatbot_identity": "shortcode",
        "wpaicg_chat_client_id": "0123456789",
        "wpaicg_chat_history": json.dumps(["Human: hola"]),
    }
    form_headers = {"content-type": "application/x-www-form-urlencoded"}
    url = "https://chatgpt.es/wp-admin/admin-ajax.php"
    answer = client.post(url, content=urlencode(form), headers=form_headers)
    assert answer.json()["data"] == "You wrote: hola"
    forged = client.post(url, content=urlencode({**form, "_wpnonce": "0000000000"}), headers=form_headers)
    assert (forged.status_code, forged.text) == (403, "-1")
    unknown = client.post(url, content=urlencode({**form, "action": "other"}), headers=form_headers)
    assert (unknown.status_code, unknown.text) == (400, "0")
    bad_id = client.post(
        url, content=urlencode({**form, "wpaicg_chat_client_id": "xyz"}), headers=form_headers
    )
    assert bad_id.status_code == 400


def test_answers_depend_on_the_request(emulators: EmulatedUpstreams) -> None:
    for name, kwargs in [("Equing", {}), ("ChatAnywhere", {}), ("ChatGptEs", {})]:
        model = model_for(name)
        first = call(providers.get(name), "async", model, [{"role": "user", "content": "alpha"}], **kwargs)
        second = call(providers.get(name), "async", model, [{"role": "user", "content": "omega"}], **kwargs)
        assert "alpha" in first[0] and "omega" in second[0] and first != second


def test_a_stream_arrives_in_several_pieces(emulators: EmulatedUpstreams) -> None:
    chunks = call(providers.Equing, "sync", "gpt-3.5-turbo", [{"role": "user", "content": "one two three"}])
    assert chunks == ["You ", "wrote: ", "one ", "two ", "three"]


def test_split_multibyte_cuts_inside_characters_and_the_provider_joins_them(
    emulators: EmulatedUpstreams,
) -> None:
    with emulators.behaving(Behaviour.SPLIT_MULTIBYTE):
        chunks = call(providers.ChatAnywhere, "async_generator", "", [{"role": "user", "content": "x"}])
    assert "".join(chunks) == "Привет, 世界! 😀 You wrote: x"
    assert len(chunks) > 5


def test_the_challenge_is_served_on_every_path(client: httpx.Client, emulators: EmulatedUpstreams) -> None:
    with emulators.behaving(Behaviour.CHALLENGE):
        for url in ("https://chatgpt.es/", "https://chat1.fastgpt.me/", "https://chat-gpt.org/api/text"):
            response = client.get(url)
            assert response.status_code == 403
            assert "Just a moment" in response.text
            assert response.headers["server"] == "cloudflare"
    assert client.get("https://chatgpt.es/").status_code == 200
