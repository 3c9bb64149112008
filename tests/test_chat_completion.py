"""The gpt4free-shaped entry point (SPEC.md, "The gpt4free entry point")."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator

import pytest

import providers
from providers import ChatCompletion
from tools.emulators import EmulatedUpstreams

USER = [{"role": "user", "content": "one two three"}]
ANSWER = "You wrote: one two three"


@pytest.mark.parametrize("provider", [providers.Equing, "Equing", "equing", "EQUING"])
def test_create_by_class_or_name_returns_the_whole_answer(
    provider: type[providers.BaseProvider] | str, emulated_upstreams: EmulatedUpstreams
) -> None:
    assert ChatCompletion.create(model="gpt-3.5-turbo", messages=USER, provider=provider) == ANSWER


@pytest.mark.parametrize("name", ["EasyChat", "Equing", "ChatAnywhere", "ChatGptEs"])
def test_create_with_stream_gives_an_iterator_of_the_pieces(
    name: str, emulated_upstreams: EmulatedUpstreams
) -> None:
    extra = {"active_server": 0} if name == "EasyChat" else {}
    result = ChatCompletion.create(model="", messages=USER, provider=name, stream=True, **extra)
    assert isinstance(result, Iterator) and not isinstance(result, str)
    chunks = list(result)
    assert "".join(chunks) == ANSWER
    if name != "ChatGptEs":  # one JSON answer, one piece
        assert len(chunks) > 1


def test_create_async_returns_the_string_or_an_async_iterator(emulated_upstreams: EmulatedUpstreams) -> None:
    async def both() -> tuple[object, list[str]]:
        whole = await ChatCompletion.create_async(
            model="gpt-3.5-turbo", messages=USER, provider="ChatAnywhere"
        )
        stream = await ChatCompletion.create_async(
            model="gpt-3.5-turbo", messages=USER, provider=providers.ChatAnywhere, stream=True
        )
        assert isinstance(stream, AsyncIterator)
        return whole, [chunk async for chunk in stream]

    whole, chunks = asyncio.run(both())
    assert whole == ANSWER
    assert "".join(chunks) == ANSWER and len(chunks) > 1


def test_options_reach_the_provider(emulated_upstreams: EmulatedUpstreams) -> None:
    answer = ChatCompletion.create(
        model="gpt-3.5-turbo", messages=USER, provider="aichat", cookies={"session": "s"}, temperature=1.0
    )
    assert answer == ANSWER
    with pytest.raises(providers.MissingCookiesError):
        ChatCompletion.create(model="gpt-3.5-turbo", messages=USER, provider="aichat", cookies_file=None)


def test_errors_are_the_providers_own(emulated_upstreams: EmulatedUpstreams) -> None:
    with emulated_upstreams.behaving("rate_limited"):
        with pytest.raises(providers.RateLimitError) as direct:
            list(providers.Equing.create_completion("gpt-3.5-turbo", USER))
        with pytest.raises(providers.RateLimitError) as through:
            ChatCompletion.create(model="gpt-3.5-turbo", messages=USER, provider="Equing")
        with pytest.raises(providers.RateLimitError):
            asyncio.run(ChatCompletion.create_async(model="gpt-3.5-turbo", messages=USER, provider="Equing"))
    assert str(through.value) == str(direct.value)
    with pytest.raises(providers.ModelNotSupportedError):
        ChatCompletion.create(model="gpt-5", messages=USER, provider="ChatGptEs")


def test_stream_with_a_provider_that_does_not_stream_is_refused_before_any_request() -> None:
    with pytest.raises(providers.InvalidArgumentError, match="Aichat does not support stream=True") as raised:
        ChatCompletion.create(
            model="", messages=USER, provider="Aichat", stream=True, cookies={"session": "s"}
        )
    assert raised.value.provider == "Aichat"


def test_unknown_or_missing_provider() -> None:
    with pytest.raises(KeyError, match="known providers: Aichat"):
        ChatCompletion.create(model="", messages=USER, provider="gpt4all")
    with pytest.raises(providers.InvalidArgumentError, match="provider is required.*Aichat, ChatAnywhere"):
        ChatCompletion.create(model="", messages=USER)
    with pytest.raises(
        providers.InvalidArgumentTypeError, match="provider must be a provider class or its name"
    ):
        ChatCompletion.create(model="", messages=USER, provider=42)  # type: ignore[call-overload]


def test_the_entry_point_is_gpt4free_shaped() -> None:
    for method in (ChatCompletion.create, ChatCompletion.create_async):
        assert list(inspect.signature(method).parameters)[:4] == ["model", "messages", "provider", "stream"]
    assert inspect.iscoroutinefunction(ChatCompletion.create_async)
