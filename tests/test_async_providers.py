"""Aichat, ChatAnywhere and ChatGptEs against respx: exact requests, answers, errors, all styles."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys

import httpx
import pytest
import respx

import providers
from providers import (
    MissingCookiesError,
    MissingRequirementsError,
    ModelNotSupportedError,
    ResponseFormatError,
    StatusError,
    UpstreamRejectedError,
)
from providers.chatgptes import extract_tokens
from tests.helpers import STYLES, call, form_fields, header_subset, json_body, streaming
from tests.spec_contracts import (
    AICHAT_BODY_KEYS,
    AICHAT_ENDPOINT,
    AICHAT_HEADERS,
    CHATANYWHERE_BODY_KEYS,
    CHATANYWHERE_ENDPOINT,
    CHATANYWHERE_HEADERS,
    CHATGPTES_ENDPOINT,
    CHATGPTES_FORM_KEYS,
    CHATGPTES_HEADERS,
    CHATGPTES_SYSTEM_PROMPT,
    CHATGPTES_URL,
    CONSENT_TEXT,
)

MODEL = "gpt-3.5-turbo"
COOKIES = {"cf_clearance": "c00kie", "session": "s3ss"}


# ---------------------------------------------------------------- Aichat


def test_aichat_request_matches_the_contract(history_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        route = router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "Salut"})
        answer = asyncio.run(
            providers.Aichat.create_async(
                MODEL, history_messages, cookies=COOKIES, temperature=0.7, top_p=0.9
            )
        )
    assert answer == "Salut"
    request = route.calls.last.request
    assert header_subset(request, AICHAT_HEADERS) == AICHAT_HEADERS
    assert request.headers["cookie"] == "cf_clearance=c00kie; session=s3ss"
    body = json_body(request)
    assert list(body) == AICHAT_BODY_KEYS
    transcript = "System: Be brief.\nUser: Bonjour, ça va ? 😀\nAssistant: Oui.\nUser: Und dir?\nAssistant:"
    assert body == {
        "message": transcript,
        "temperature": 0.7,
        "presence_penalty": 0,
        "top_p": 0.9,
        "frequency_penalty": 0,
    }


def test_aichat_defaults(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        route = router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "ok"})
        asyncio.run(providers.Aichat.create_async(MODEL, user_messages, cookies=COOKIES))
    body = json_body(route.calls.last.request)
    assert (body["message"], body["temperature"], body["top_p"]) == ("Hello, how are you?", 0.5, 1)


def test_aichat_without_cookies_says_how_to_supply_them(
    user_messages: list[dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WIRETAPE_COOKIES_FILE", raising=False)
    with respx.mock(using="httpx", assert_all_called=False) as router:
        route = router.post(AICHAT_ENDPOINT).respond(200)
        with pytest.raises(MissingCookiesError) as raised:
            asyncio.run(providers.Aichat.create_async(MODEL, user_messages))
        assert route.call_count == 0
    message = str(raised.value)
    assert isinstance(raised.value, RuntimeError)
    assert "chat-gpt.org" in message and "cookies=" in message and "WIRETAPE_COOKIES_FILE" in message


def test_aichat_reads_cookies_from_the_file_named_by_the_environment(
    tmp_path, user_messages, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    jar = tmp_path / "cookies.txt"
    jar.write_text(
        "# Netscape HTTP Cookie File\n"
        ".chat-gpt.org\tTRUE\t/\tTRUE\t0\tcf_clearance\tfromfile\n"
        "other.example\tFALSE\t/\tFALSE\t0\tforeign\tnope\n"
    )
    monkeypatch.setenv("WIRETAPE_COOKIES_FILE", str(jar))
    with respx.mock(using="httpx") as router:
        route = router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "ok"})
        asyncio.run(providers.Aichat.create_async(MODEL, user_messages))
    assert route.calls.last.request.headers["cookie"] == "cf_clearance=fromfile"


def test_aichat_falsy_response_is_an_error_carrying_the_json(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        router.post(AICHAT_ENDPOINT).respond(200, json={"response": False, "message": "quota exceeded"})
        with pytest.raises(UpstreamRejectedError, match="quota exceeded"):
            asyncio.run(providers.Aichat.create_async(MODEL, user_messages, cookies=COOKIES))


def test_aichat_error_status_and_error_message_without_cookie_values(
    user_messages: list[dict[str, str]],
) -> None:
    with respx.mock(using="httpx") as router:
        router.post(AICHAT_ENDPOINT).respond(401, text="expired")
        with pytest.raises(StatusError, match="HTTP 401") as raised:
            asyncio.run(providers.Aichat.create_async(MODEL, user_messages, cookies=COOKIES))
    assert "c00kie" not in str(raised.value) and "s3ss" not in str(raised.value)


@pytest.mark.parametrize("style", STYLES)
def test_aichat_every_style(style: str, user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "one piece"})
        assert call(providers.Aichat, style, MODEL, user_messages, cookies=COOKIES) == ["one piece"]


def test_curl_providers_without_curl_cffi_raise_missing_requirements(user_messages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "httpx_curl_cffi", None)
    with pytest.raises(MissingRequirementsError, match="pip install 'wiretape\\[curl\\]'"):
        asyncio.run(providers.Aichat.create_async(MODEL, user_messages, cookies=COOKIES))
    with pytest.raises(MissingRequirementsError):
        call(providers.ChatGptEs, "async_generator", "", user_messages)


# ---------------------------------------------------------------- ChatAnywhere


def test_chatanywhere_request_matches_the_contract(history_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        route = router.post(CHATANYWHERE_ENDPOINT).mock(
            side_effect=streaming([b"Hal", b"lo"], content_type="text/plain")
        )
        chunks = call(providers.ChatAnywhere, "async_generator", MODEL, history_messages)
    assert chunks == ["Hal", "lo"]
    request = route.calls.last.request
    assert header_subset(request, CHATANYWHERE_HEADERS) == CHATANYWHERE_HEADERS
    body = json_body(request)
    assert list(body) == CHATANYWHERE_BODY_KEYS
    assert body == {
        "list": history_messages,
        "id": "s1_qYuOLXjI3rEpc7WHfQ",
        "title": "Und dir?",
        "prompt": "",
        "temperature": 0.5,
        "models": "61490748",
        "continuous": True,
    }


def test_chatanywhere_multibyte_character_split_across_reads(user_messages: list[dict[str, str]]) -> None:
    data = "Grüße 😀".encode()
    pieces = [data[:3], data[3:8], data[8:9], data[9:]]  # cuts inside ü and inside the emoji
    with respx.mock(using="httpx") as router:
        router.post(CHATANYWHERE_ENDPOINT).mock(side_effect=streaming(pieces, content_type="text/plain"))
        assert "".join(call(providers.ChatAnywhere, "async_generator", MODEL, user_messages)) == "Grüße 😀"


def test_chatanywhere_temperature_argument(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        route = router.post(CHATANYWHERE_ENDPOINT).respond(200, text="x")
        call(providers.ChatAnywhere, "async_generator", MODEL, user_messages, temperature=0.9)
    assert json_body(route.calls.last.request)["temperature"] == 0.9


def test_chatanywhere_error_status(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        router.post(CHATANYWHERE_ENDPOINT).respond(500, text="boom")
        with pytest.raises(StatusError, match="HTTP 500 Internal Server Error: boom"):
            call(providers.ChatAnywhere, "async_generator", MODEL, user_messages)


@pytest.mark.parametrize("style", STYLES)
def test_chatanywhere_every_style(style: str, user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        router.post(CHATANYWHERE_ENDPOINT).mock(
            side_effect=streaming([b"a", b"b"], content_type="text/plain")
        )
        assert "".join(call(providers.ChatAnywhere, style, MODEL, user_messages)) == "ab"


# ---------------------------------------------------------------- ChatGptEs

PAGE = '<html><form><input type="hidden" name="_wpnonce" value="n0nce123"><input type="hidden" name="post_id" value="106"></form></html>'


def mock_chatgptes(
    router: respx.MockRouter, answer: httpx.Response, page: str = PAGE
) -> tuple[respx.Route, respx.Route]:
    get = router.get(CHATGPTES_URL).respond(200, text=page, headers={"content-type": "text/html"})
    post = router.post(CHATGPTES_ENDPOINT).mock(return_value=answer)
    return get, post


def test_chatgptes_requests_match_the_contract(history_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        get, post = mock_chatgptes(router, httpx.Response(200, json={"data": "Hola"}))
        assert call(providers.ChatGptEs, "async_generator", "gpt-4", history_messages) == ["Hola"]
    for request in (get.calls.last.request, post.calls.last.request):
        assert header_subset(request, CHATGPTES_HEADERS) == CHATGPTES_HEADERS
    fields = form_fields(post.calls.last.request)
    assert [name for name, _ in fields] == CHATGPTES_FORM_KEYS
    values = dict(fields)
    transcript = "System: Be brief.\nUser: Bonjour, ça va ? 😀\nAssistant: Oui.\nUser: Und dir?\nAssistant:"
    message = CHATGPTES_SYSTEM_PROMPT + " " + transcript
    assert values == {
        "_wpnonce": "n0nce123",
        "post_id": "106",
        "url": "https://chatgpt.es",
        "action": "wpaicg_chat_shortcode_message",
        "message": message,
        "bot_id": "0",
        "chatbot_identity": "shortcode",
        "wpaicg_chat_client_id": values["wpaicg_chat_client_id"],
        "wpaicg_chat_history": json.dumps(["Human: " + message]),
    }
    assert re.fullmatch(r"[0-9a-f]{10}", values["wpaicg_chat_client_id"])
    assert "gpt-4" not in post.calls.last.request.content.decode()


def test_chatgptes_client_id_differs_between_calls(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        _, post = mock_chatgptes(router, httpx.Response(200, json={"data": "x"}))
        for _ in range(3):
            call(providers.ChatGptEs, "async_generator", "", user_messages)
        ids = {dict(form_fields(c.request))["wpaicg_chat_client_id"] for c in post.calls}
    assert len(ids) == 3


def test_chatgptes_model_handling(user_messages: list[dict[str, str]]) -> None:
    assert providers.ChatGptEs.get_model("") == "gpt-4o"
    assert providers.ChatGptEs.get_model("gpt-4o-mini") == "gpt-4o-mini"
    with respx.mock(using="httpx", assert_all_called=False) as router:
        get, _ = mock_chatgptes(router, httpx.Response(200, json={"data": "x"}))
        with pytest.raises(ModelNotSupportedError, match="supported models: gpt-4, gpt-4o, gpt-4o-mini"):
            call(providers.ChatGptEs, "async_generator", "gpt-5", user_messages)
        assert get.call_count == 0


def test_chatgptes_page_without_nonce_is_a_clear_error(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx", assert_all_called=False) as router:
        _, post = mock_chatgptes(
            router, httpx.Response(200, json={"data": "x"}), page="<html>no tokens</html>"
        )
        with pytest.raises(ResponseFormatError, match="carries no nonce"):
            call(providers.ChatGptEs, "async_generator", "", user_messages)
        assert post.call_count == 0


def test_chatgptes_page_with_a_post_id_but_no_nonce_is_still_an_error(
    user_messages: list[dict[str, str]],
) -> None:
    """SPEC.md, ChatGptEs: a page without a nonce is an error whatever else it carries."""
    with respx.mock(using="httpx", assert_all_called=False) as router:
        _, post = mock_chatgptes(
            router, httpx.Response(200, json={"data": "x"}), page="<script>var post_id = 7;</script>"
        )
        with pytest.raises(ResponseFormatError, match="carries no nonce"):
            call(providers.ChatGptEs, "async_generator", "", user_messages)
        assert post.call_count == 0


@pytest.mark.parametrize(
    "page",
    [
        '<script>x = {wpaicg_nonce: "d4e5f6"};</script>',
        '<input type="hidden" name="_wpnonce" value="d4e5f6">',
        "<script>var wpaicg_nonce = 'd4e5f6';</script>",
    ],
)
def test_chatgptes_page_with_a_nonce_but_no_post_id_falls_back_to_106(
    page: str, user_messages: list[dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    """SPEC.md, ChatGptEs: a nonce without a post id keeps the fixed post id 106, with a debug line."""
    with caplog.at_level(logging.DEBUG, logger="providers.chatgptes"), respx.mock(using="httpx") as router:
        _, post = mock_chatgptes(router, httpx.Response(200, json={"data": "Hola"}), page=page)
        assert call(providers.ChatGptEs, "async_generator", "", user_messages) == ["Hola"]
    fields = dict(form_fields(post.calls.last.request))
    assert (fields["_wpnonce"], fields["post_id"]) == ("d4e5f6", "106")
    fallback = [r for r in caplog.records if r.name == "providers.chatgptes" and "106" in r.getMessage()]
    assert len(fallback) == 1 and fallback[0].levelno == logging.DEBUG


def test_chatgptes_consent_answer_is_a_value_error(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        mock_chatgptes(router, httpx.Response(200, json={"data": f"<p>{CONSENT_TEXT}</p>"}))
        with pytest.raises(ValueError, match=CONSENT_TEXT):
            call(providers.ChatGptEs, "async_generator", "", user_messages)


def test_chatgptes_json_without_data(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        mock_chatgptes(router, httpx.Response(200, json={"success": False}))
        with pytest.raises(ValueError, match="Unexpected response format"):
            call(providers.ChatGptEs, "async_generator", "", user_messages)


def test_chatgptes_status_error_is_a_value_error_with_status_and_body(
    user_messages: list[dict[str, str]],
) -> None:
    with respx.mock(using="httpx") as router:
        mock_chatgptes(router, httpx.Response(403, text="Forbidden by WAF"))
        with pytest.raises(ValueError, match="HTTP 403 Forbidden: Forbidden by WAF"):
            call(providers.ChatGptEs, "async_generator", "", user_messages)


@pytest.mark.parametrize("style", STYLES)
def test_chatgptes_every_style(style: str, user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        mock_chatgptes(router, httpx.Response(200, json={"data": "Hola"}))
        assert call(providers.ChatGptEs, style, "", user_messages) == ["Hola"]


@pytest.mark.parametrize(
    ("page", "nonce", "post_id"),
    [
        (
            "<input value='a1' name='_wpnonce' type='hidden'><input type=\"hidden\" name=\"post_id\" value=\"7\">",
            "a1",
            "7",
        ),
        ('{"_wpnonce":"b2","post_id":"8"}', "b2", "8"),
        ("<script>var wpaicg_nonce = 'c3'; var post_id = 9;</script>", "c3", "9"),
        ('<script>x = {wpaicg_nonce: "d4"}; var post_id = "10"</script>', "d4", "10"),
        ('<div data-nonce="e5" data-post-id="11"></div>', "e5", "11"),
        ("<script>ajax = {security_nonce: 'f6'}; var post_id = 12</script>", "f6", "12"),
        # SPEC.md, ChatGptEs: the order of the forms decides when several forms are present.
        (
            "<script>var wpaicg_nonce = 'late';</script><input type=hidden name=x>"
            '<input type="hidden" name="_wpnonce" value="early"><input type="hidden" name="post_id" value="1">',
            "early",
            "1",
        ),
    ],
)
def test_nonce_and_post_id_forms(page: str, nonce: str, post_id: str) -> None:
    tokens = extract_tokens(page)
    assert (tokens.nonce, tokens.post_id) == (nonce, post_id)
