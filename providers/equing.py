"""Equing: a sync provider over the OpenAI-style endpoint of next.eqing.tech."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from .base import AbstractProvider
from .http import ensure_status, sync_client, translated_errors
from .messages import Messages
from .openai_compat import OPTION_TYPES, completion_body, read_completion


class Equing(AbstractProvider):
    url = "https://next.eqing.tech/"
    working = False
    supports_stream = True
    supports_gpt_35_turbo = True
    supports_gpt_4 = False
    supports_message_history = True
    supports_system_message = True
    default_model = "gpt-3.5-turbo"
    models: ClassVar[list[str]] = ["gpt-3.5-turbo"]
    option_types: ClassVar[Mapping[str, str]] = OPTION_TYPES

    api_endpoint: ClassVar[str] = "https://next.eqing.tech/api/openai/v1/chat/completions"
    headers: ClassVar[Mapping[str, str]] = {
        "authority": "next.eqing.tech",
        "accept": "text/event-stream",
        "accept-language": ("en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3"),
        "cache-control": "no-cache",
        "pragma": "no-cache",
        "content-type": "application/json",
        "origin": "https://next.eqing.tech",
        "referer": "https://next.eqing.tech/",
        "plugins": "0",
        "usesearch": "false",
        "x-requested-with": "XMLHttpRequest",
        "sec-ch-ua": '"Not/A)Brand";v="99", "Google Chrome";v="115", "Chromium";v="115"',
        "sec-ch-ua-mobile": "?0",
        "sec-ch-ua-platform": '"macOS"',
        "sec-fetch-dest": "empty",
        "sec-fetch-mode": "cors",
        "sec-fetch-site": "same-origin",
        "user-agent": (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/115.0.0.0 Safari/537.36"
        ),
    }

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[str]:
        call = cls.prepare(model, messages, **kwargs)
        body = completion_body(call.messages, stream=stream, model=call.model, options=call.options)
        with (
            translated_errors(cls.__name__, cls.api_endpoint, secrets=call.secrets),
            sync_client(call.client_spec(headers=cls.headers)) as client,
            client.stream("POST", cls.api_endpoint, json=body) as response,
        ):
            ensure_status(response, provider=cls.__name__)
            yield from read_completion(response, stream=stream)
