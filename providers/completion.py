"""``ChatCompletion``: the gpt4free-shaped entry point over the providers.

::

    text = ChatCompletion.create(model="gpt-4o", messages=messages, provider="ChatGptEs")
    for chunk in ChatCompletion.create(model="", messages=messages, provider=Equing, stream=True): ...
    text = await ChatCompletion.create_async(model="", messages=messages, provider="chatanywhere")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal, overload

from . import registry
from .base import BaseProvider
from .errors import InvalidArgumentError, InvalidArgumentTypeError
from .messages import Messages

ProviderRef = type[BaseProvider] | str


def resolve_provider(provider: object) -> type[BaseProvider]:
    """A provider class from a class or a name (case-insensitive; an unknown name is a KeyError)."""
    if isinstance(provider, str):
        return registry.get(provider)
    if isinstance(provider, type) and issubclass(provider, BaseProvider):
        return provider
    known = ", ".join(p.__name__ for p in registry.all_providers())
    if provider is None:
        raise InvalidArgumentError(f"provider is required: a provider class or one of the names {known}")
    raise InvalidArgumentTypeError(
        f"provider must be a provider class or its name ({known}), got {type(provider).__name__}"
    )


def _streaming_provider(provider: object, stream: bool) -> type[BaseProvider]:
    cls = resolve_provider(provider)
    if stream and not cls.supports_stream:
        raise InvalidArgumentError(
            f"{cls.__name__} does not support stream=True (its supports_stream is False); "
            "call it with stream=False",
            provider=cls.__name__,
        )
    return cls


class ChatCompletion:
    """``create`` (sync) and ``create_async``: ``stream=False`` gives the whole answer as a string,
    ``stream=True`` an iterator (async iterator) of its pieces. Errors are the provider's own."""

    @overload
    @staticmethod
    def create(
        model: str,
        messages: Messages,
        provider: ProviderRef | None = ...,
        stream: Literal[False] = ...,
        **kwargs: Any,
    ) -> str: ...

    @overload
    @staticmethod
    def create(
        model: str,
        messages: Messages,
        provider: ProviderRef | None = ...,
        *,
        stream: Literal[True],
        **kwargs: Any,
    ) -> Iterator[str]: ...

    @overload
    @staticmethod
    def create(
        model: str, messages: Messages, provider: ProviderRef | None = ..., stream: bool = ..., **kwargs: Any
    ) -> str | Iterator[str]: ...

    @staticmethod
    def create(
        model: str,
        messages: Messages,
        provider: ProviderRef | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> str | Iterator[str]:
        cls = _streaming_provider(provider, stream)
        chunks = cls.create_completion(model, messages, stream, **kwargs)
        return chunks if stream else "".join(chunks)

    @overload
    @staticmethod
    async def create_async(
        model: str,
        messages: Messages,
        provider: ProviderRef | None = ...,
        stream: Literal[False] = ...,
        **kwargs: Any,
    ) -> str: ...

    @overload
    @staticmethod
    async def create_async(
        model: str,
        messages: Messages,
        provider: ProviderRef | None = ...,
        *,
        stream: Literal[True],
        **kwargs: Any,
    ) -> AsyncIterator[str]: ...

    @overload
    @staticmethod
    async def create_async(
        model: str, messages: Messages, provider: ProviderRef | None = ..., stream: bool = ..., **kwargs: Any
    ) -> str | AsyncIterator[str]: ...

    @staticmethod
    async def create_async(
        model: str,
        messages: Messages,
        provider: ProviderRef | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> str | AsyncIterator[str]:
        cls = _streaming_provider(provider, stream)
        if stream:
            return cls.create_async_generator(model, messages, stream=True, **kwargs)
        return await cls.create_async(model, messages, **kwargs)
