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

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, ClassVar

from . import options, registry
from .calls import COMMON_OPTION_TYPES, Call, report_unknown
from .errors import ModelNotSupportedError
from .messages import Messages, validate_messages, validate_model
from .runner import iterate_async, iterate_sync, run_sync

#: The default of ``timeout`` where a provider's section of SPEC.md names none.
DEFAULT_TIMEOUT = 120.0


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
    """What every provider has: the flags, model metadata, ``params``, and the reading of a call.

    The calling convention (SPEC.md, "Calling convention")::

        create_completion(model, messages, stream=False, **options)
        create_async(model, messages, proxy=None, **options)
        create_async_generator(model, messages, proxy=None, *, stream=True, **options)
    """

    url: ClassVar[str] = ""
    working: ClassVar[bool] = False
    needs_auth: ClassVar[bool] = False
    supports_stream: ClassVar[bool] = False
    supports_gpt_35_turbo: ClassVar[bool] = False
    supports_gpt_4: ClassVar[bool] = False
    supports_message_history: ClassVar[bool] = False
    supports_system_message: ClassVar[bool] = False
    default_model: ClassVar[str] = ""
    models: ClassVar[list[str]] = []
    model_aliases: ClassVar[dict[str, str]] = {}
    #: Seconds a call may take when the caller gives no ``timeout``.
    default_timeout: ClassVar[float] = DEFAULT_TIMEOUT
    #: The browser curl_cffi impersonates, for providers behind browser checks.
    impersonate: ClassVar[str | None] = None
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
    def accepted_options(cls) -> list[str]:
        """The keyword arguments the provider reads, common ones first."""
        return [*COMMON_OPTION_TYPES, *cls.option_types]

    @classmethod
    def get_model(cls, model: str) -> str:
        """The model a call uses: an alias's target, else the model as given (the upstream decides);
        for a :class:`ProviderModelMixin` provider, :func:`listed_model`."""
        if issubclass(cls, ProviderModelMixin):
            return listed_model(cls, model)
        return cls.model_aliases.get(model, model)

    @classmethod
    def prepare(cls, model: object, messages: object, /, **kwargs: Any) -> Call:
        """Check the call before any request and read it into a :class:`Call`."""
        name = cls.__name__
        checked_model = validate_model(model, provider=name)
        checked_messages = validate_messages(messages, provider=name)
        report_unknown(name, kwargs, cls.accepted_options())
        cls.validate_options(kwargs)
        return Call(
            provider=name,
            model=cls.get_model(checked_model),
            messages=checked_messages,
            options={key: value for key, value in kwargs.items() if key in cls.accepted_options()},
            default_timeout=cls.default_timeout,
            impersonate=cls.impersonate,
        )

    @classmethod
    def validate_options(cls, kwargs: Mapping[str, Any]) -> None:
        """Check the keyword arguments this provider reads; extend it in a provider."""
        name = cls.__name__
        options.proxy(kwargs.get("proxy"), provider=name)
        if "timeout" in kwargs:
            options.timeout(kwargs["timeout"], provider=name)
        if "verify" in kwargs:
            options.boolean("verify", kwargs["verify"], provider=name)
        options.sampling(kwargs, names=cls.option_types, provider=name)

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[str]:
        raise NotImplementedError

    @classmethod
    async def create_async(
        cls, model: str, messages: Messages, proxy: str | None = None, **kwargs: Any
    ) -> str:
        raise NotImplementedError

    @classmethod
    def create_async_generator(
        cls, model: str, messages: Messages, proxy: str | None = None, *, stream: bool = True, **kwargs: Any
    ) -> AsyncIterator[str]:
        raise NotImplementedError


class AbstractProvider(BaseProvider):
    """Native style: the sync generator ``create_completion``."""

    @classmethod
    async def create_async(
        cls, model: str, messages: Messages, proxy: str | None = None, **kwargs: Any
    ) -> str:
        import asyncio  # here, not at module level: `import providers` stays light

        def collect() -> str:
            return "".join(cls.create_completion(model, messages, False, proxy=proxy, **kwargs))

        return await asyncio.to_thread(collect)

    @classmethod
    def create_async_generator(
        cls, model: str, messages: Messages, proxy: str | None = None, *, stream: bool = True, **kwargs: Any
    ) -> AsyncIterator[str]:
        return iterate_async(lambda: cls.create_completion(model, messages, stream, proxy=proxy, **kwargs))


class AsyncProvider(BaseProvider):
    """Native style: the coroutine ``create_async`` returning the whole answer."""

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[str]:
        yield run_sync(lambda: cls.create_async(model, messages, **kwargs))

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, proxy: str | None = None, *, stream: bool = True, **kwargs: Any
    ) -> AsyncIterator[str]:
        yield await cls.create_async(model, messages, proxy, **kwargs)


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
    async def create_async(
        cls, model: str, messages: Messages, proxy: str | None = None, **kwargs: Any
    ) -> str:
        pieces = [
            chunk
            async for chunk in cls.create_async_generator(model, messages, proxy, stream=False, **kwargs)
        ]
        return "".join(pieces)


class ProviderModelMixin:
    """gpt4free's strict model handling: an empty model gives the default, an unlisted one is refused.

    It works in either base order (gpt4free lists it after the base class).
    """

    default_model: ClassVar[str] = ""
    models: ClassVar[list[str]] = []
    model_aliases: ClassVar[dict[str, str]] = {}

    @classmethod
    def get_model(cls, model: str) -> str:
        return listed_model(cls, model)


def listed_model(cls: type[BaseProvider] | type[ProviderModelMixin], model: str) -> str:
    """``default_model`` for an empty model, else the model (or its alias's target) if listed."""
    if not model:
        return cls.default_model
    model = cls.model_aliases.get(model, model)
    if model in cls.models:
        return model
    raise ModelNotSupportedError(
        f"model {model!r} is not supported; supported models: {', '.join(cls.models)}",
        provider=cls.__name__,
    )
