"""Base classes: each provider implements one native calling style, the base adapts it to the others.

=========================  ===========================  ==================================
base class                 the provider implements      adapted by the base
=========================  ===========================  ==================================
``AbstractProvider``       ``create_completion`` (sync)  ``create_async``, ``create_async_generator``
``AsyncProvider``          ``create_async``              ``create_completion``, ``create_async_generator``
``AsyncGeneratorProvider`` ``create_async_generator``    ``create_completion``, ``create_async``
=========================  ===========================  ==================================

The sync style works from inside a running event loop too. Defining a
concrete provider (a subclass with a ``url``) registers it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, ClassVar

from . import options, registry
from .errors import ModelNotSupportedError
from .messages import Messages, validate_messages, validate_model
from .runner import iterate_async, iterate_sync, run_sync

COMMON_OPTION_TYPES: Mapping[str, str] = {"proxy": "str", "timeout": "float", "verify": "bool"}


def _describe(cls: type[BaseProvider]) -> str:
    """The ``params`` text: the call's arguments and their types."""
    arguments = ["model: str", "messages: Messages"]
    if cls.supports_stream:
        arguments.append("stream: bool")
    option_types = {**COMMON_OPTION_TYPES, **cls.option_types}
    arguments += [f"{name}: {kind}" for name, kind in option_types.items()]
    body = "".join(f"\n    {argument}," for argument in arguments)
    return f"{cls.__module__}.{cls.__name__} supports: ({body}\n)"


class BaseProvider:
    """What every provider has: the documented flags, ``params``, and input preparation."""

    url: ClassVar[str] = ""
    working: ClassVar[bool] = False
    needs_auth: ClassVar[bool] = False
    supports_stream: ClassVar[bool] = False
    supports_gpt_35_turbo: ClassVar[bool] = False
    supports_gpt_4: ClassVar[bool] = False
    supports_message_history: ClassVar[bool] = False
    supports_system_message: ClassVar[bool] = False
    #: Keyword arguments the provider understands (name -> type), shown in ``params``.
    option_types: ClassVar[Mapping[str, str]] = {}
    #: A description of the call: the provider's arguments and their types.
    params: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.params = _describe(cls)
        if cls.url:
            registry.register(cls)

    @classmethod
    def prepare(cls, model: object, messages: object, kwargs: Mapping[str, Any]) -> tuple[str, Messages]:
        """Validate the call before any request: the model to use and the checked messages."""
        name = cls.__name__
        checked_model = validate_model(model, provider=name)
        checked_messages = validate_messages(messages, provider=name)
        cls.validate_options(kwargs)
        return cls.resolve_model(checked_model), checked_messages

    @classmethod
    def validate_options(cls, kwargs: Mapping[str, Any]) -> None:
        """Check the keyword arguments this provider reads; extend it in a provider."""
        name = cls.__name__
        options.proxy(kwargs.get("proxy"), provider=name)
        if "timeout" in kwargs:
            options.timeout(kwargs["timeout"], provider=name)
        if "verify" in kwargs:
            options.boolean("verify", kwargs["verify"], provider=name)

    @classmethod
    def resolve_model(cls, model: str) -> str:
        """The model to use: ``get_model(model)`` for providers with a model list, else ``model``."""
        get_model = getattr(cls, "get_model", None)
        return model if get_model is None else str(get_model(model))

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[str]:
        raise NotImplementedError

    @classmethod
    async def create_async(cls, model: str, messages: Messages, **kwargs: Any) -> str:
        raise NotImplementedError

    @classmethod
    def create_async_generator(
        cls, model: str, messages: Messages, stream: bool = True, **kwargs: Any
    ) -> AsyncIterator[str]:
        raise NotImplementedError


class AbstractProvider(BaseProvider):
    """Native style: the sync generator ``create_completion``."""

    @classmethod
    async def create_async(cls, model: str, messages: Messages, **kwargs: Any) -> str:
        def collect() -> str:
            return "".join(cls.create_completion(model, messages, False, **kwargs))

        return await asyncio.to_thread(collect)

    @classmethod
    def create_async_generator(
        cls, model: str, messages: Messages, stream: bool = True, **kwargs: Any
    ) -> AsyncIterator[str]:
        return iterate_async(lambda: cls.create_completion(model, messages, stream, **kwargs))


class AsyncProvider(BaseProvider):
    """Native style: the coroutine ``create_async`` returning the whole answer."""

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[str]:
        yield run_sync(lambda: cls.create_async(model, messages, **kwargs))

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, stream: bool = True, **kwargs: Any
    ) -> AsyncIterator[str]:
        yield await cls.create_async(model, messages, **kwargs)


class AsyncGeneratorProvider(BaseProvider):
    """Native style: the async generator ``create_async_generator``."""

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[str]:
        chunks = iterate_sync(lambda: cls.create_async_generator(model, messages, stream=stream, **kwargs))
        if stream:
            yield from chunks
        else:
            yield "".join(chunks)

    @classmethod
    async def create_async(cls, model: str, messages: Messages, **kwargs: Any) -> str:
        pieces = [
            chunk async for chunk in cls.create_async_generator(model, messages, stream=False, **kwargs)
        ]
        return "".join(pieces)


class ProviderModelMixin:
    """``default_model``, ``models`` and ``get_model``: an empty model gives the default."""

    default_model: ClassVar[str] = ""
    models: ClassVar[list[str]] = []

    @classmethod
    def get_model(cls, model: str) -> str:
        if not model:
            return cls.default_model
        if model in cls.models:
            return model
        raise ModelNotSupportedError(
            f"model {model!r} is not supported; supported models: {', '.join(cls.models)}",
            provider=cls.__name__,
        )
