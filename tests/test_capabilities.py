"""Model metadata and capability flags describe what each provider really sends (SPEC.md, "Flags")."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

import providers
from tests.helpers import call, streaming
from tests.spec_contracts import (
    AICHAT_ENDPOINT,
    CHATANYWHERE_ENDPOINT,
    CHATGPTES_ENDPOINT,
    CHATGPTES_URL,
    EASYCHAT_SERVERS,
    EQUING_ENDPOINT,
)

HISTORY = [
    {"role": "system", "content": "sys-instruction"},
    {"role": "user", "content": "first-question"},
    {"role": "assistant", "content": "first-answer"},
    {"role": "user", "content": "second-question"},
]
PAGE = '<input type="hidden" name="_wpnonce" value="n0nce123"><input type="hidden" name="post_id" value="1">'
COMPLETION = {"choices": [{"message": {"content": "ok"}}]}


def sent_request(name: str) -> httpx.Request:
    """The request carrying the conversation, for a call with HISTORY."""
    kwargs: dict[str, Any] = {}
    with respx.mock(using="httpx") as router:
        if name == "EasyChat":
            router.get(f"{EASYCHAT_SERVERS[0]}/").respond(200)
            route = router.post(f"{EASYCHAT_SERVERS[0]}/api/openai/v1/chat/completions").respond(
                200, json=COMPLETION
            )
            kwargs = {"active_server": 0}
        elif name == "Equing":
            route = router.post(EQUING_ENDPOINT).respond(200, json=COMPLETION)
        elif name == "Aichat":
            route = router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "ok"})
            kwargs = {"cookies": {"session": "s"}}
        elif name == "ChatAnywhere":
            route = router.post(CHATANYWHERE_ENDPOINT).respond(200, text="ok")
        else:
            router.get(CHATGPTES_URL).respond(200, text=PAGE)
            route = router.post(CHATGPTES_ENDPOINT).respond(200, json={"data": "ok"})
        assert call(providers.get(name), "sync", "", HISTORY, stream=False, **kwargs) == ["ok"]
    request: httpx.Request = route.calls.last.request
    return request


def carried_messages(request: httpx.Request) -> tuple[str, list[Any]]:
    """The request body as text, and the structured messages it carries (role and content), if any."""
    text = request.content.decode()
    if request.headers["content-type"].startswith("application/json"):
        body = json.loads(text)
        structured = next((value for value in body.values() if isinstance(value, list)), [])
        return json.dumps(body, ensure_ascii=False), structured
    return " ".join(value for _, value in parse_qsl(text)), []


@pytest.mark.parametrize("name", ["Aichat", "ChatAnywhere", "ChatGptEs", "EasyChat", "Equing"])
def test_history_and_system_flags_match_the_request(name: str) -> None:
    """supports_message_history: every earlier turn reaches the upstream. supports_system_message: the
    system message reaches it as a message with the system role, not as text inside the user's input."""
    text, structured = carried_messages(sent_request(name))
    provider = providers.get(name)
    carries_history = all(message["content"] in text for message in HISTORY)
    assert provider.supports_message_history is carries_history
    carries_system_role = {"role": "system", "content": "sys-instruction"} in structured
    assert provider.supports_system_message is carries_system_role


def test_chatanywhere_streams_so_it_says_so() -> None:
    pieces = [b"one ", b"two ", b"three"]
    with respx.mock(using="httpx") as router:
        router.post(CHATANYWHERE_ENDPOINT).mock(side_effect=streaming(pieces, content_type="text/plain"))
        chunks = call(providers.ChatAnywhere, "sync", "", HISTORY, stream=True)
    assert chunks == ["one ", "two ", "three"]
    assert providers.ChatAnywhere.supports_stream is True
    assert "stream: bool" in providers.ChatAnywhere.params


@pytest.mark.parametrize("name", ["Aichat", "ChatAnywhere", "ChatGptEs", "EasyChat", "Equing"])
def test_needs_auth_only_where_credentials_are_required(name: str) -> None:
    """SPEC.md, Aichat: no request without cookies for chat-gpt.org; the others need none."""
    assert providers.get(name).needs_auth is (name == "Aichat")


@pytest.mark.parametrize(
    ("name", "default", "models"),
    [
        ("EasyChat", "gpt-3.5-turbo", ["gpt-3.5-turbo"]),
        ("Equing", "gpt-3.5-turbo", ["gpt-3.5-turbo"]),
        ("Aichat", "gpt-3.5-turbo", ["gpt-3.5-turbo"]),
        ("ChatAnywhere", "gpt-3.5-turbo", ["gpt-3.5-turbo"]),
        ("ChatGptEs", "gpt-4o", ["gpt-4", "gpt-4o", "gpt-4o-mini"]),
    ],
)
def test_model_metadata(name: str, default: str, models: list[str]) -> None:
    """SPEC.md, "Models": the documented list for ChatGptEs; gpt-3.5-turbo (supports_gpt_35_turbo) for
    the others; no provider's section names an alias."""
    provider = providers.get(name)
    assert (provider.default_model, provider.models, provider.model_aliases) == (default, models, {})


@pytest.mark.parametrize("name", ["Aichat", "ChatAnywhere", "EasyChat", "Equing"])
def test_get_model_passes_any_model_through_where_the_upstream_decides(name: str) -> None:
    provider = providers.get(name)
    assert [provider.get_model(m) for m in ("gpt-4", "", "gpt-3.5-turbo")] == ["gpt-4", "", "gpt-3.5-turbo"]


def test_get_model_is_strict_for_chatgptes() -> None:
    assert providers.ChatGptEs.get_model("") == "gpt-4o"
    with pytest.raises(providers.ModelNotSupportedError):
        providers.ChatGptEs.get_model("gpt-3.5-turbo")


def test_the_mixin_is_strict_in_either_base_order() -> None:
    """gpt4free lists the mixin second (``class P(AsyncGeneratorProvider, ProviderModelMixin)``)."""
    from providers import registry

    class Second(providers.AsyncGeneratorProvider, providers.ProviderModelMixin):
        url = "https://second.invalid"
        default_model = "a"
        models = ["a", "b"]  # noqa: RUF012

    class First(providers.ProviderModelMixin, providers.AsyncGeneratorProvider):
        url = "https://first.invalid"
        default_model = "a"
        models = ["a", "b"]  # noqa: RUF012

    try:
        for provider in (Second, First):
            assert [provider.get_model(m) for m in ("", "b")] == ["a", "b"]
            with pytest.raises(providers.ModelNotSupportedError, match="supported models: a, b"):
                provider.get_model("c")
    finally:
        registry._providers.pop("second")
        registry._providers.pop("first")
