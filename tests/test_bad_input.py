"""Bad input from the caller is refused before any request leaves, with a message naming the argument."""

from __future__ import annotations

from typing import Any

import pytest
import respx

import providers
from providers import ProviderError
from tests.helpers import STYLES, call, model_for

GOOD_MESSAGES = [{"role": "user", "content": "hi"}]
NEEDS = {"Aichat": {"cookies": {"session": "s"}}}
PROVIDERS = ["EasyChat", "Equing", "Aichat", "ChatAnywhere", "ChatGptEs"]

BAD_MESSAGES: list[tuple[object, str]] = [
    (None, "messages"),
    ([], "messages"),
    ("hello", "messages"),
    ([42], "messages[0]"),
    ([{"content": "x"}], "role"),
    ([{"role": "robot", "content": "x"}], "role"),
    ([{"role": "user"}], "content"),
    ([{"role": "user", "content": 3}], "content"),
]
BAD_KWARGS: list[tuple[str, dict[str, Any], str]] = [
    ("*", {"proxy": "not a url"}, "proxy"),
    ("*", {"proxy": 8080}, "proxy"),
    ("*", {"timeout": -1}, "timeout"),
    ("*", {"timeout": "soon"}, "timeout"),
    ("EasyChat", {"temperature": "hot"}, "temperature"),
    ("EasyChat", {"active_server": 7}, "active_server"),
    ("EasyChat", {"active_server": "1"}, "active_server"),
    ("EasyChat", {"top_p": 2}, "top_p"),
    ("Equing", {"temperature": "hot"}, "temperature"),
    ("Equing", {"presence_penalty": 9}, "presence_penalty"),
    ("Aichat", {"temperature": [1]}, "temperature"),
    ("Aichat", {"cookies": "session=s"}, "cookies"),
    ("ChatAnywhere", {"temperature": "hot"}, "temperature"),
    ("ChatAnywhere", {"temperature": -1}, "temperature"),
    ("ChatGptEs", {"verify": "yes"}, "verify"),
]


def refused(name: str, style: str, model: object, messages: object, **kwargs: Any) -> ProviderError:
    """The error raised for the call, after checking that no request was sent."""
    with respx.mock(using="httpx", assert_all_called=False) as router:
        router.route().respond(200, text="must not be reached")
        with pytest.raises(ProviderError) as raised:
            call(providers.get(name), style, model, messages, **{**NEEDS.get(name, {}), **kwargs})
        assert router.calls.call_count == 0
    assert isinstance(raised.value, (ValueError, TypeError))
    return raised.value


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", PROVIDERS)
@pytest.mark.parametrize(("messages", "names"), BAD_MESSAGES)
def test_bad_messages_are_refused_before_any_request(
    name: str, style: str, messages: object, names: str
) -> None:
    error = refused(name, style, "", messages)
    assert names in str(error)
    assert "must" in str(error) or "got" in str(error)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", PROVIDERS)
def test_a_non_string_model_is_refused_before_any_request(name: str, style: str) -> None:
    error = refused(name, style, 35, GOOD_MESSAGES)
    assert isinstance(error, TypeError)
    assert "model must be a str" in str(error)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(
    ("name", "kwargs", "argument"),
    [
        (name, kwargs, argument)
        for target, kwargs, argument in BAD_KWARGS
        for name in PROVIDERS
        if target in ("*", name)
    ],
)
def test_bad_kwargs_are_refused_before_any_request(
    name: str, style: str, kwargs: dict[str, Any], argument: str
) -> None:
    model = model_for(name)
    error = refused(name, style, model, GOOD_MESSAGES, **kwargs)
    assert str(error).split(": ", 1)[-1].startswith(argument), str(error)
    assert "must" in str(error)
