"""ChatAnywhere: an async generator over chatanywhere.cn's plain-text stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from .base import AsyncGeneratorProvider
from .bodies import require_text
from .http import aensure_status, async_client, translated_errors
from .limits import SizeCounter
from .messages import Messages
from .streams import Utf8StreamDecoder

#: SPEC.md, ChatAnywhere: the fixed conversation id and model field of the body, and the defaults.
CONVERSATION_ID = "s1_qYuOLXjI3rEpc7WHfQ"
MODELS_FIELD = "61490748"
DEFAULT_TEMPERATURE = 0.5
DEFAULT_TIMEOUT = 120.0


class ChatAnywhere(AsyncGeneratorProvider):
    url = "https://chatanywhere.cn"
    working = False
    supports_gpt_35_turbo = True
    supports_message_history = True
    supports_system_message = True
    supports_stream = True
    default_model = "gpt-3.5-turbo"
    models: ClassVar[list[str]] = ["gpt-3.5-turbo"]
    default_timeout = DEFAULT_TIMEOUT
    option_types: ClassVar[Mapping[str, str]] = {"temperature": "float"}

    api_endpoint: ClassVar[str] = "https://chatanywhere.cn/v1/chat/gpt/"
    headers: ClassVar[Mapping[str, str]] = {
        "User-Agent": "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/119.0",
        "Accept": "application/json, text/plain, */*",
        "Accept-Language": "de,en-US;q=0.7,en;q=0.3",
        "Accept-Encoding": "gzip, deflate, br",
        "Content-Type": "application/json",
        "Referer": "https://chatanywhere.cn/",
        "Origin": "https://chatanywhere.cn",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "same-origin",
        "Authorization": "",
        "Connection": "keep-alive",
        "TE": "trailers",
    }

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, proxy: str | None = None, *, stream: bool = True, **kwargs: Any
    ) -> AsyncIterator[str]:
        call = cls.prepare(model, messages, proxy=proxy, **kwargs)
        body = {
            "list": call.messages,
            "id": CONVERSATION_ID,
            "title": call.messages[-1]["content"],
            "prompt": "",
            "temperature": call.option("temperature", DEFAULT_TEMPERATURE),
            "models": MODELS_FIELD,
            "continuous": True,
        }
        with translated_errors(cls.__name__, cls.api_endpoint, secrets=call.secrets):
            async with (
                async_client(call.client_spec(headers=cls.headers)) as client,
                client.stream("POST", cls.api_endpoint, json=body) as response,
            ):
                await aensure_status(response, provider=cls.__name__)
                require_text(response)
                # SPEC.md, ChatAnywhere: decoded across reads, so a character cut by a read survives.
                decoder = Utf8StreamDecoder()
                # A streamed answer is handed over as it comes; a whole one is joined, so it is capped.
                counter = None if stream else SizeCounter()
                async for piece in response.aiter_bytes():
                    if counter:
                        counter.add(len(piece))
                    text = decoder.feed(piece)
                    if text:
                        yield text
                decoder.close()
