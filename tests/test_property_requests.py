"""Properties of request shaping: for every generated input, the request is what providers/SPEC.md
prescribes (method, URL, each header, body fields in order, defaults exactly when a kwarg is absent).

Expected values come from ``tests/spec_contracts.py`` (providers/SPEC.md transcribed), never from the code.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import respx
from hypothesis import given
from hypothesis import strategies as st

import providers
from tests.helpers import STYLES, call, form_fields, header_subset, json_body
from tests.spec_contracts import (
    AICHAT_BODY_KEYS,
    AICHAT_DEFAULTS,
    AICHAT_ENDPOINT,
    AICHAT_HEADERS,
    CHATANYWHERE_BODY_KEYS,
    CHATANYWHERE_DEFAULT_TEMPERATURE,
    CHATANYWHERE_ENDPOINT,
    CHATANYWHERE_HEADERS,
    CHATANYWHERE_ID,
    CHATANYWHERE_MODELS,
    CHATGPTES_ENDPOINT,
    CHATGPTES_FORM_KEYS,
    CHATGPTES_HEADERS,
    CHATGPTES_SYSTEM_PROMPT,
    CHATGPTES_URL,
    EASYCHAT_SERVERS,
    EQUING_ENDPOINT,
    EQUING_HEADERS,
    OPENAI_BODY_KEYS,
    OPENAI_DEFAULTS,
    easychat_headers,
    spec_format_prompt,
)
from tools.strategies import messages, model_names, provider_kwargs

COOKIES = {"session": "s"}
SSE_ANSWER = b'data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n'
WHOLE_ANSWER = {"choices": [{"message": {"role": "assistant", "content": "ok"}}]}


def openai_answer(request: httpx.Request) -> httpx.Response:
    if json.loads(request.content)["stream"]:
        return httpx.Response(200, content=SSE_ANSWER, headers={"content-type": "text/event-stream"})
    return httpx.Response(200, json=WHOLE_ANSWER)


def styles() -> st.SearchStrategy[tuple[str, bool]]:
    return st.sampled_from([("sync", True), ("sync", False), ("async", False), ("async_generator", True)])


def assert_openai_body(
    body: dict[str, Any], sent: list[dict[str, str]], model: str, stream: bool, kwargs: dict[str, Any]
) -> None:
    assert list(body) == OPENAI_BODY_KEYS
    assert body["messages"] == sent
    assert body["model"] == model
    assert body["stream"] is stream
    for name, default in OPENAI_DEFAULTS.items():
        assert body[name] == kwargs.get(name, default)
        if name not in kwargs:
            assert body[name] == default and type(body[name]) is type(default)


@given(sent=messages(), model=model_names(), kwargs=provider_kwargs("EasyChat", network=True), style=styles())
def test_easychat_request(
    sent: list[dict[str, str]], model: str, kwargs: dict[str, Any], style: tuple[str, bool]
) -> None:
    """SPEC.md, EasyChat: GET {server}/ for cookies, then POST {server}/api/openai/v1/chat/completions
    with the documented headers and the body keys messages, stream, model, temperature (0.5),
    presence_penalty (0), frequency_penalty (0), top_p (1), each default overridable."""
    name, stream = style
    with respx.mock(using="httpx") as router:
        home = router.get(url__regex=r"https://[^/]+/$").respond(200, text="home")
        post = router.post(url__regex=r"https://[^/]+/api/openai/v1/chat/completions$").mock(
            side_effect=openai_answer
        )
        chunks = call(providers.EasyChat, name, model, sent, stream=stream, **kwargs)
    assert "".join(chunks) == "ok"
    request = post.calls.last.request
    server = f"https://{request.url.host}"
    assert server in EASYCHAT_SERVERS
    if "active_server" in kwargs:
        assert server == EASYCHAT_SERVERS[kwargs["active_server"]]
    assert str(home.calls.last.request.url) == f"{server}/"
    assert request.method == "POST" and str(request.url) == f"{server}/api/openai/v1/chat/completions"
    expected_headers = easychat_headers(server)
    assert header_subset(request, expected_headers) == expected_headers
    # create_async asks for the whole answer; the streaming styles stream.
    assert_openai_body(json_body(request), sent, model, stream and name != "async", kwargs)


@given(sent=messages(), model=model_names(), kwargs=provider_kwargs("Equing", network=True), style=styles())
def test_equing_request(
    sent: list[dict[str, str]], model: str, kwargs: dict[str, Any], style: tuple[str, bool]
) -> None:
    """SPEC.md, Equing: one POST to https://next.eqing.tech/api/openai/v1/chat/completions,
    the documented headers, the same seven body keys and defaults as EasyChat."""
    name, stream = style
    with respx.mock(using="httpx") as router:
        post = router.post(EQUING_ENDPOINT).mock(side_effect=openai_answer)
        assert "".join(call(providers.Equing, name, model, sent, stream=stream, **kwargs)) == "ok"
    assert post.call_count == 1
    request = post.calls.last.request
    assert request.method == "POST" and str(request.url) == EQUING_ENDPOINT
    assert header_subset(request, EQUING_HEADERS) == EQUING_HEADERS
    assert_openai_body(json_body(request), sent, model, stream and name != "async", kwargs)


@given(
    sent=messages(),
    model=model_names(),
    kwargs=provider_kwargs("Aichat", network=True),
    style=st.sampled_from(STYLES),
)
def test_aichat_request(sent: list[dict[str, str]], model: str, kwargs: dict[str, Any], style: str) -> None:
    """SPEC.md, Aichat: POST https://chat-gpt.org/api/text, JSON message = format_prompt(messages),
    temperature (default 0.5), presence_penalty 0, top_p (default 1), frequency_penalty 0, plus the cookies."""
    with respx.mock(using="httpx") as router:
        post = router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "ok"})
        assert call(providers.Aichat, style, model, sent, cookies=COOKIES, **kwargs) == ["ok"]
    request = post.calls.last.request
    assert request.method == "POST" and str(request.url) == AICHAT_ENDPOINT
    assert header_subset(request, AICHAT_HEADERS) == AICHAT_HEADERS
    assert request.headers["cookie"] == "session=s"
    body = json_body(request)
    assert list(body) == AICHAT_BODY_KEYS
    assert body["message"] == spec_format_prompt(sent)
    assert (body["presence_penalty"], body["frequency_penalty"]) == (0, 0)
    for name, default in AICHAT_DEFAULTS.items():
        assert body[name] == kwargs.get(name, default)


@given(
    sent=messages(),
    model=model_names(),
    kwargs=provider_kwargs("ChatAnywhere", network=True),
    style=st.sampled_from(STYLES),
)
def test_chatanywhere_request(
    sent: list[dict[str, str]], model: str, kwargs: dict[str, Any], style: str
) -> None:
    """SPEC.md, ChatAnywhere: POST https://chatanywhere.cn/v1/chat/gpt/, JSON list = messages,
    id, title = last message's content, prompt "", temperature (default 0.5), models, continuous true."""
    with respx.mock(using="httpx") as router:
        post = router.post(CHATANYWHERE_ENDPOINT).respond(200, text="ok")
        assert "".join(call(providers.ChatAnywhere, style, model, sent, **kwargs)) == "ok"
    request = post.calls.last.request
    assert request.method == "POST" and str(request.url) == CHATANYWHERE_ENDPOINT
    assert header_subset(request, CHATANYWHERE_HEADERS) == CHATANYWHERE_HEADERS
    body = json_body(request)
    assert list(body) == CHATANYWHERE_BODY_KEYS
    assert body == {
        "list": sent,
        "id": CHATANYWHERE_ID,
        "title": sent[-1]["content"],
        "prompt": "",
        "temperature": kwargs.get("temperature", CHATANYWHERE_DEFAULT_TEMPERATURE),
        "models": CHATANYWHERE_MODELS,
        "continuous": True,
    }


CHATGPTES_PAGE = (
    '<input type="hidden" name="_wpnonce" value="abc123def0"><input type="hidden" name="post_id" value="106">'
)


@given(
    sent=messages(),
    model=st.sampled_from(["", "gpt-4", "gpt-4o", "gpt-4o-mini"]),
    kwargs=provider_kwargs("ChatGptEs", network=True),
    style=st.sampled_from(STYLES),
)
def test_chatgptes_requests(
    sent: list[dict[str, str]], model: str, kwargs: dict[str, Any], style: str
) -> None:
    """SPEC.md, ChatGptEs: GET https://chatgpt.es, then POST admin-ajax.php with the form fields
    in order; message = SYSTEM_PROMPT + " " + format_prompt(messages); wpaicg_chat_client_id = 10 random
    hex characters; wpaicg_chat_history = JSON array of "Human: " + message; the model is not sent."""
    with respx.mock(using="httpx") as router:
        page = router.get(CHATGPTES_URL).respond(200, text=CHATGPTES_PAGE)
        post = router.post(CHATGPTES_ENDPOINT).respond(200, json={"data": "ok"})
        assert call(providers.ChatGptEs, style, model, sent, **kwargs) == ["ok"]
    assert page.call_count == 1 and post.call_count == 1
    request = post.calls.last.request
    for sent_request in (page.calls.last.request, request):
        assert header_subset(sent_request, CHATGPTES_HEADERS) == CHATGPTES_HEADERS
    fields = form_fields(request)
    assert [name for name, _ in fields] == CHATGPTES_FORM_KEYS
    form = dict(fields)
    message = f"{CHATGPTES_SYSTEM_PROMPT} {spec_format_prompt(sent)}"
    assert form == {
        "_wpnonce": "abc123def0",
        "post_id": "106",
        "url": CHATGPTES_URL,
        "action": "wpaicg_chat_shortcode_message",
        "message": message,
        "bot_id": "0",
        "chatbot_identity": "shortcode",
        "wpaicg_chat_client_id": form["wpaicg_chat_client_id"],
        "wpaicg_chat_history": json.dumps([f"Human: {message}"]),
    }
    assert re.fullmatch(r"[0-9a-f]{10}", form["wpaicg_chat_client_id"])
    # The model is not sent: no field carries it (the messages may mention it, e.g. a user writing "gpt-4").
    assert model == "" or all(
        model not in value for key, value in form.items() if key not in ("message", "wpaicg_chat_history")
    )


@given(sent=messages(max_size=2))
def test_chatgptes_client_id_differs_between_calls(sent: list[dict[str, str]]) -> None:
    """SPEC.md, ChatGptEs: wpaicg_chat_client_id = 10 random hex characters (per call)."""
    with respx.mock(using="httpx") as router:
        router.get(CHATGPTES_URL).respond(200, text=CHATGPTES_PAGE)
        post = router.post(CHATGPTES_ENDPOINT).respond(200, json={"data": "ok"})
        for _ in range(2):
            call(providers.ChatGptEs, "async", "", sent)
    ids = [dict(form_fields(c.request))["wpaicg_chat_client_id"] for c in post.calls]
    assert len(set(ids)) == 2


@given(sent=messages())
def test_format_prompt_obeys_its_rule(sent: list[dict[str, str]]) -> None:
    """SPEC.md, Messages and the transcript: format_prompt(messages)."""
    from providers.messages import format_prompt

    assert format_prompt(sent) == spec_format_prompt(sent)
