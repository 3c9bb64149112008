"""Every raise site's message, pinned: it names the provider, what went wrong (the argument, the
index, the type, the bound), and the URL of the request where there was one.

The expected texts are written here, from what the README promises each error says; a change of
wording must change this table.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import providers
from providers import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidMessagesError,
    MissingCookiesError,
    ModelNotSupportedError,
    ProviderError,
    RateLimitError,
    ResponseFormatError,
    StatusError,
    UpstreamRejectedError,
)
from providers.cookies import COOKIES_FILE_ENV
from tests.helpers import call, model_for
from tests.hostile_apps import CHAT_PAGE, HostileUpstream, serving
from tests.spec_contracts import (
    AICHAT_ENDPOINT,
    CHATANYWHERE_ENDPOINT,
    CHATGPTES_ENDPOINT,
    CHATGPTES_URL,
    CONSENT_TEXT,
    EASYCHAT_SERVERS,
    EQUING_ENDPOINT,
)

NAMES = ["Equing", "EasyChat", "Aichat", "ChatAnywhere", "ChatGptEs"]
USER = [{"role": "user", "content": "hi"}]
ROLES = "system, user, assistant"
COOKIES = {"cookies": {"session": "s"}}
BASE_CALLS: dict[str, dict[str, Any]] = {
    "Equing": {},
    "EasyChat": {"active_server": 3},
    "Aichat": COOKIES,
    "ChatAnywhere": {},
    "ChatGptEs": {},
}
PROXY_FORM = "a URL like http://host:port (http, https, socks5, socks5h)"

# (arguments, error class, message) common to every provider.
COMMON_INPUT: list[tuple[dict[str, Any], type[ProviderError], str]] = [
    (
        {"messages": "hi"},
        InvalidMessagesError,
        "messages must be a non-empty list of {'role', 'content'} dicts, got str",
    ),
    (
        {"messages": None},
        InvalidMessagesError,
        "messages must be a non-empty list of {'role', 'content'} dicts, got NoneType",
    ),
    ({"messages": []}, InvalidMessagesError, "messages must not be empty"),
    (
        {"messages": [USER[0], 1]},
        InvalidMessagesError,
        "messages[1] must be a dict with 'role' and 'content', got int",
    ),
    (
        {"messages": [{"content": "x"}]},
        InvalidMessagesError,
        f"messages[0] has no 'role': it must be one of {ROLES}",
    ),
    (
        {"messages": [{"role": "bot", "content": "x"}]},
        InvalidMessagesError,
        f"messages[0]['role'] must be one of {ROLES}, got 'bot'",
    ),
    (
        {"messages": [{"role": "user"}]},
        InvalidMessagesError,
        "messages[0] has no 'content': it must be a str",
    ),
    (
        {"messages": [{"role": "user", "content": 3}]},
        InvalidMessagesError,
        "messages[0]['content'] must be a str, got int",
    ),
    ({"model": 3}, InvalidArgumentTypeError, "model must be a str, got int"),
    ({"timeout": "1"}, InvalidArgumentTypeError, "timeout must be a number of seconds, got str"),
    ({"timeout": True}, InvalidArgumentTypeError, "timeout must be a number of seconds, got bool"),
    ({"timeout": 0}, InvalidArgumentError, "timeout must be a positive number of seconds, got 0"),
    ({"timeout": -1.5}, InvalidArgumentError, "timeout must be a positive number of seconds, got -1.5"),
    ({"timeout": math.inf}, InvalidArgumentError, "timeout must be a positive number of seconds, got inf"),
    ({"proxy": 8080}, InvalidArgumentTypeError, "proxy must be a URL string, got int"),
    ({"proxy": "ftp://host:21"}, InvalidArgumentError, f"proxy must be {PROXY_FORM}"),
    ({"proxy": "http://:8080"}, InvalidArgumentError, f"proxy must be {PROXY_FORM}"),
    ({"proxy": "http://host:0"}, InvalidArgumentError, f"proxy must be {PROXY_FORM}"),
    (
        {"proxy": "http://host:99999"},
        InvalidArgumentError,
        f"proxy must be {PROXY_FORM}: Port out of range 0-65535",
    ),
    ({"verify": "yes"}, InvalidArgumentTypeError, "verify must be a bool, got str"),
]
# SPEC.md: the ranges of the sampling options, and which provider reads which.
RANGES = {
    "temperature": (0.0, 2.0),
    "presence_penalty": (-2.0, 2.0),
    "frequency_penalty": (-2.0, 2.0),
    "top_p": (0.0, 1.0),
}
SAMPLING = {
    "Equing": ["temperature", "presence_penalty", "frequency_penalty", "top_p"],
    "EasyChat": ["temperature", "presence_penalty", "frequency_penalty", "top_p"],
    "Aichat": ["temperature", "top_p"],
    "ChatAnywhere": ["temperature"],
    "ChatGptEs": [],
}


def input_cases() -> Iterator[Any]:
    for name in NAMES:
        for kwargs, error, message in COMMON_INPUT:
            yield pytest.param(name, kwargs, error, message, id=f"{name}-{message[:40]}")
        for option in SAMPLING[name]:
            low, high = RANGES[option]
            for value in (low - 0.01, high + 0.01, math.nan):
                message = f"{option} must be between {low} and {high}, got {value!r}"
                yield pytest.param(
                    name, {option: value}, InvalidArgumentError, message, id=f"{name}-{option}-{value}"
                )
            for value, kind in (("0.5", "str"), (True, "bool"), (None, "NoneType")):
                message = f"{option} must be a number, got {kind}"
                yield pytest.param(
                    name, {option: value}, InvalidArgumentTypeError, message, id=f"{name}-{option}-{kind}"
                )
    easychat = [
        ({"active_server": "1"}, InvalidArgumentTypeError, "active_server must be an int, got str"),
        ({"active_server": True}, InvalidArgumentTypeError, "active_server must be an int, got bool"),
        ({"active_server": 7}, InvalidArgumentError, "active_server must be between 0 and 6, got 7"),
        ({"active_server": -1}, InvalidArgumentError, "active_server must be between 0 and 6, got -1"),
    ]
    for kwargs, error, message in easychat:
        yield pytest.param("EasyChat", kwargs, error, message, id=f"EasyChat-{message}")
    aichat = [
        (
            {"cookies": ["session"]},
            InvalidArgumentTypeError,
            "cookies must be a dict of str names to str values",
        ),
        (
            {"cookies": {"session": 1}},
            InvalidArgumentTypeError,
            "cookies must be a dict of str names to str values",
        ),
        (
            {"cookies": {1: "s"}},
            InvalidArgumentTypeError,
            "cookies must be a dict of str names to str values",
        ),
    ]
    for kwargs, error, message in aichat:
        yield pytest.param("Aichat", kwargs, error, message, id=f"Aichat-{kwargs}")
    supported = "supported models: gpt-4, gpt-4o, gpt-4o-mini"
    yield pytest.param(
        "ChatGptEs",
        {"model": "gpt-5"},
        ModelNotSupportedError,
        f"model 'gpt-5' is not supported; {supported}",
        id="ChatGptEs-model",
    )


@pytest.mark.parametrize(("name", "kwargs", "error", "message"), list(input_cases()))
def test_bad_input_is_refused_with_a_message_naming_the_provider_and_the_argument(
    name: str, kwargs: dict[str, Any], error: type[ProviderError], message: str
) -> None:
    arguments = {"model": "", "messages": USER, **BASE_CALLS[name], **kwargs}
    model, messages = arguments.pop("model"), arguments.pop("messages")
    with pytest.raises(error) as raised:
        call(providers.get(name), "sync", model, messages, **arguments)
    assert type(raised.value) is error
    assert str(raised.value) == f"{name}: {message}"


@pytest.mark.parametrize(
    ("name", "option"), [(name, option) for name in NAMES for option in RANGES if option in SAMPLING[name]]
)
def test_the_bounds_of_each_range_are_accepted(name: str, option: str) -> None:
    provider = providers.get(name)
    for value in RANGES[option]:
        provider.validate_options({option: value})
        provider.validate_options({option: int(value)})


def test_the_bounds_of_active_server_are_accepted() -> None:
    for index in (0, 6):
        providers.EasyChat.validate_options({"active_server": index})


# ---------------------------------------------------------------- cookies


def test_aichat_without_cookies_says_how_to_supply_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(COOKIES_FILE_ENV, raising=False)
    with pytest.raises(MissingCookiesError) as raised:
        call(providers.Aichat, "async", "", USER)
    assert str(raised.value) == (
        "Aichat: cookies for chat-gpt.org are required: pass cookies={'name': 'value', ...}, "
        "or export them from your browser to a cookies.txt (Netscape format) or JSON file and "
        f"pass cookies_file=PATH or set {COOKIES_FILE_ENV}=PATH"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read: No such file or directory"),
        (
            "{not json",
            "is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        ("garbage\tline", "is neither JSON nor Netscape cookies.txt: "),
    ],
    ids=["missing", "bad-json", "bad-netscape"],
)
def test_a_bad_cookies_file_is_named_in_the_error(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "cookies.txt"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InvalidArgumentError) as raised:
        call(providers.Aichat, "async", "", USER, cookies_file=str(path))
    assert str(raised.value).startswith(f"Aichat: cookies file {path} {message}")


# ------------------------------------------------ answers: every message names the provider and URL

EASYCHAT_ENDPOINT = f"{EASYCHAT_SERVERS[3]}/api/openai/v1/chat/completions"
JSON = {"content-type": "application/json"}
EVENTS = {"content-type": "text/event-stream"}


@pytest.fixture(scope="module")
def upstream() -> Iterator[HostileUpstream]:
    with serving(HostileUpstream(attack="custom")) as app:
        yield app


def answer_cases() -> Iterator[Any]:
    def case(
        names: list[str],
        stream: bool,
        status: int,
        headers: dict[str, str],
        body: bytes,
        error: type,
        message: str,
    ) -> Iterator[Any]:
        for name in names:
            yield pytest.param(
                name, stream, (status, headers, body), error, message, id=f"{name}-{message[:50]}"
            )

    openai = ["Equing", "EasyChat"]
    yield from case(
        openai,
        False,
        200,
        JSON,
        b'{"choices": []}',
        ResponseFormatError,
        'No response from server: {"choices": []}',
    )
    yield from case(
        openai,
        False,
        200,
        JSON,
        b'{"choices": [{"message": {"content": 3}}]}',
        ResponseFormatError,
        "choices[0].message.content is not a string",
    )
    yield from case(
        openai,
        False,
        200,
        JSON,
        b'{"choices": [1]}',
        ResponseFormatError,
        "expected an object holding 'message'",
    )
    yield from case(
        openai, False, 200, JSON, b"[1, 2]", ResponseFormatError, "expected a JSON object, got list: [1, 2]"
    )
    yield from case(
        openai,
        False,
        200,
        JSON,
        b"not json",
        ResponseFormatError,
        "expected JSON, got (application/json): 'not json'",
    )
    yield from case(
        openai, False, 200, {}, b"not json", ResponseFormatError, "expected JSON, got: 'not json'"
    )
    # Not UTF-8 where JSON was expected: a typed error, never a raw UnicodeDecodeError.
    yield from case(
        openai,
        False,
        200,
        JSON,
        b'{"a": "\xff\xfe"}',
        ResponseFormatError,
        'expected JSON, got (application/json): \'{"a": "\ufffd\ufffd"}\'',
    )
    yield from case(
        openai, True, 200, EVENTS, b"data: nope\n\n", ResponseFormatError, "malformed event JSON: 'nope'"
    )
    yield from case(
        openai,
        True,
        200,
        EVENTS,
        b'data: {"x": 1}\n\n',
        ResponseFormatError,
        "event without a choices list: '{\"x\": 1}'",
    )
    yield from case(
        openai,
        True,
        200,
        EVENTS,
        b'data: {"choices": [{"delta": {"content": 3}}]}\n\n',
        ResponseFormatError,
        'delta content is not a string: \'{"choices": [{"delta": {"content": 3}}]}\'',
    )
    yield from case(
        openai,
        True,
        200,
        EVENTS,
        b'data: {"choices": []}',
        ResponseFormatError,
        "event stream ended in the middle of an event",
    )
    yield from case(
        openai,
        True,
        200,
        EVENTS,
        b"data: \xff\n\n",
        ResponseFormatError,
        "response is not valid UTF-8: invalid start byte",
    )
    yield from case(
        openai,
        True,
        200,
        EVENTS,
        b"data: \xc3",
        ResponseFormatError,
        "response ended in the middle of a UTF-8 character",
    )
    yield from case(
        openai,
        True,
        200,
        {"content-type": "text/html"},
        b"<html>",
        ResponseFormatError,
        "expected an event stream, got text/html",
    )
    yield from case(
        openai,
        True,
        200,
        {"content-type": "application/json"},
        b"{}",
        ResponseFormatError,
        "expected an event stream, got application/json",
    )
    # No Content-Type at all is not an event stream (SPEC.md: "a content type other than text/event-stream").
    yield from case(
        openai,
        True,
        200,
        {},
        b"data: [DONE]\n\n",
        ResponseFormatError,
        "expected an event stream, got no Content-Type",
    )
    yield from case(
        ["ChatAnywhere"],
        True,
        200,
        {},
        b"hello",
        ResponseFormatError,
        "expected the answer's text, got no Content-Type",
    )
    json_charset = {"content-type": "application/json; charset=utf-8"}
    yield from case(
        ["Equing", "Aichat", "ChatGptEs"],
        False,
        200,
        json_charset,
        b"not json",
        ResponseFormatError,
        "expected JSON, got (application/json): 'not json'",
    )
    everyone = NAMES
    yield from case(
        everyone,
        False,
        500,
        {"content-type": "text/plain"},
        b"boom\n  went it",
        StatusError,
        "HTTP 500 Internal Server Error: boom went it",
    )
    yield from case(everyone, False, 403, {}, b"", StatusError, "HTTP 403 Forbidden")
    yield from case(
        everyone,
        False,
        429,
        {"retry-after": "7"},
        b"slow down",
        RateLimitError,
        "HTTP 429 Too Many Requests: slow down",
    )
    yield from case(
        ["Aichat"],
        False,
        200,
        JSON,
        b'{"x": 1}',
        ResponseFormatError,
        "answer without 'response': {\"x\": 1}",
    )
    yield from case(
        ["Aichat"],
        False,
        200,
        JSON,
        b'{"response": false, "message": "expired"}',
        UpstreamRejectedError,
        'error response: {"response": false, "message": "expired"}',
    )
    yield from case(
        ["Aichat"],
        False,
        200,
        JSON,
        b'{"response": true, "message": 3}',
        ResponseFormatError,
        "answer's 'message' is not a string",
    )
    yield from case(
        ["Aichat"],
        False,
        200,
        JSON,
        b'{"response": true, "message": null}',
        ResponseFormatError,
        "answer's 'message' is not a string",
    )
    yield from case(
        ["ChatGptEs"],
        False,
        200,
        JSON,
        b'{"x": 1}',
        ResponseFormatError,
        'Unexpected response format: {"x": 1}',
    )
    yield from case(
        ["ChatGptEs"],
        False,
        200,
        JSON,
        b'{"data": 3}',
        ResponseFormatError,
        "Unexpected response format: 'data' is int",
    )
    yield from case(
        ["ChatGptEs"],
        False,
        200,
        JSON,
        b'{"data": null}',
        ResponseFormatError,
        "Unexpected response format: 'data' is NoneType",
    )
    consent = json.dumps({"data": CONSENT_TEXT}).encode()
    yield from case(["ChatGptEs"], False, 200, JSON, consent, UpstreamRejectedError, CONSENT_TEXT)
    html = {"content-type": "text/html; charset=utf-8"}
    yield from case(
        ["ChatAnywhere"],
        False,
        200,
        html,
        b"<html>",
        ResponseFormatError,
        "expected the answer's text, got an HTML page (text/html)",
    )
    yield from case(
        ["ChatAnywhere"],
        False,
        200,
        {"content-type": "application/xhtml+xml"},
        b"<html>",
        ResponseFormatError,
        "expected the answer's text, got an HTML page (application/xhtml+xml)",
    )
    yield from case(
        ["ChatAnywhere"],
        True,
        200,
        {"content-type": "text/plain"},
        b"ok \xc3",
        ResponseFormatError,
        "response ended in the middle of a UTF-8 character",
    )


ENDPOINTS = {
    "Equing": EQUING_ENDPOINT,
    "EasyChat": EASYCHAT_ENDPOINT,
    "Aichat": AICHAT_ENDPOINT,
    "ChatAnywhere": CHATANYWHERE_ENDPOINT,
    "ChatGptEs": CHATGPTES_ENDPOINT,
}


@pytest.mark.parametrize(("name", "stream", "answer", "error", "message"), list(answer_cases()))
def test_a_bad_answer_is_an_error_naming_the_provider_what_came_and_the_url(
    upstream: HostileUpstream,
    name: str,
    stream: bool,
    answer: tuple[int, dict[str, str], bytes],
    error: type[ProviderError],
    message: str,
) -> None:
    upstream.attack, upstream.page_attack, upstream.custom = "custom", "normal", answer
    model = model_for(name)
    with pytest.raises(error) as raised:
        call(providers.get(name), "sync", model, USER, stream=stream, timeout=5, **BASE_CALLS[name])
    assert type(raised.value) is error
    assert str(raised.value) == f"{name}: {message} ({ENDPOINTS[name]})"
    if isinstance(raised.value, RateLimitError):
        assert raised.value.retry_after == 7.0


def test_a_chat_page_without_a_nonce_names_the_page(upstream: HostileUpstream) -> None:
    upstream.page_attack, upstream.custom = (
        "custom",
        (200, {"content-type": "text/html"}, b"<html>no form</html>"),
    )
    with pytest.raises(ResponseFormatError) as raised:
        call(providers.ChatGptEs, "sync", "", USER, timeout=5)
    assert str(raised.value) == (
        "ChatGptEs: the chat page carries no nonce (the page layout changed, or a challenge page was served)"
        f" ({CHATGPTES_URL})"
    )


def test_a_refused_chat_page_names_the_page(upstream: HostileUpstream) -> None:
    upstream.page_attack, upstream.custom = "custom", (503, {}, b"down")
    with pytest.raises(StatusError) as raised:
        call(providers.ChatGptEs, "sync", "", USER, timeout=5)
    assert str(raised.value) == f"ChatGptEs: HTTP 503 Service Unavailable: down ({CHATGPTES_URL})"
    assert (raised.value.status_code, raised.value.reason, raised.value.body_excerpt) == (
        503,
        "Service Unavailable",
        "down",
    )


def test_the_normal_answer_passes_through(upstream: HostileUpstream) -> None:
    # The baseline of the table above: with a good page and answer, each provider answers.
    upstream.behaving()
    assert CHAT_PAGE
    for name in NAMES:
        model = model_for(name)
        assert call(
            providers.get(name), "sync", model, USER, stream=False, timeout=5, **BASE_CALLS[name]
        ) == ["hello"]


# ---------------------------------------------------------------- ChatCompletion

NO_STREAM = "Aichat does not support stream=True (its supports_stream is False); call it with stream=False"


def test_chat_completion_refuses_stream_true_for_a_provider_without_streaming() -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        providers.ChatCompletion.create("", USER, provider=providers.Aichat, stream=True)
    assert str(raised.value) == f"Aichat: {NO_STREAM}"
    with pytest.raises(InvalidArgumentError) as raised:
        asyncio.run(providers.ChatCompletion.create_async("", USER, provider="aichat", stream=True))
    assert str(raised.value) == f"Aichat: {NO_STREAM}"


def test_chat_completion_names_what_a_provider_must_be() -> None:
    known = ", ".join(p.__name__ for p in providers.all_providers())
    with pytest.raises(InvalidArgumentTypeError) as raised:
        providers.ChatCompletion.create("", USER, provider=3)  # type: ignore[call-overload]
    assert str(raised.value) == f"provider must be a provider class or its name ({known}), got int"


@pytest.mark.parametrize("stream", [False, True])
def test_chat_completion_hands_the_keyword_arguments_on(stream: bool) -> None:
    async def run() -> None:
        answer = await providers.ChatCompletion.create_async(
            "", USER, provider="ChatAnywhere", stream=stream, timeout=-1
        )
        if not isinstance(answer, str):
            async for _ in answer:
                pass

    with pytest.raises(InvalidArgumentError) as raised:
        asyncio.run(run())
    assert str(raised.value) == "ChatAnywhere: timeout must be a positive number of seconds, got -1"
