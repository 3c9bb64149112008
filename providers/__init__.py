"""wiretape providers: small clients for web chat services, in the style of gpt4free.

``ChatCompletion.create(model=..., messages=..., provider=..., stream=...)`` picks a
provider by class or name, as gpt4free does. Each provider works in three styles::

    for chunk in EasyChat.create_completion(model, messages, stream=True): ...
    text = await Aichat.create_async(model, messages, cookies={...})
    async for chunk in ChatGptEs.create_async_generator(model, messages): ...
"""

from . import registry
from .aichat import Aichat
from .base import (
    AbstractProvider,
    AsyncGeneratorProvider,
    AsyncProvider,
    BaseProvider,
    ProviderModelMixin,
)
from .calls import UnknownArgumentWarning
from .chatanywhere import ChatAnywhere
from .chatgptes import ChatGptEs
from .completion import ChatCompletion
from .easychat import EasyChat
from .equing import Equing
from .errors import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidMessagesError,
    InvalidRequestError,
    MissingCookiesError,
    MissingRequirementsError,
    ModelNotSupportedError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitError,
    ResponseError,
    ResponseFormatError,
    StatusError,
    TransportError,
    UpstreamRejectedError,
)
from .http import network_overrides
from .messages import Message, Messages, format_prompt
from .registry import all_providers, get

__version__ = "0.2.0"

__all__ = [
    "AbstractProvider",
    "Aichat",
    "AsyncGeneratorProvider",
    "AsyncProvider",
    "BaseProvider",
    "ChatAnywhere",
    "ChatCompletion",
    "ChatGptEs",
    "EasyChat",
    "Equing",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidMessagesError",
    "InvalidRequestError",
    "Message",
    "Messages",
    "MissingCookiesError",
    "MissingRequirementsError",
    "ModelNotSupportedError",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderModelMixin",
    "ProviderTimeoutError",
    "RateLimitError",
    "ResponseError",
    "ResponseFormatError",
    "StatusError",
    "TransportError",
    "UnknownArgumentWarning",
    "UpstreamRejectedError",
    "__version__",
    "all_providers",
    "format_prompt",
    "get",
    "network_overrides",
]


def __getattr__(name: str) -> registry.ProviderLister:
    # ``all`` is served here rather than defined, so that ``from providers import *``
    # cannot shadow the builtin.
    if name == "all":
        return registry.deprecated_all
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
