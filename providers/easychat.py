"""EasyChat: a sync provider over an OpenAI-style endpoint on one of several servers."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from . import options
from .base import AbstractProvider
from .http import ensure_status, sync_client, translated_errors
from .limits import read_body
from .messages import Messages
from .openai_compat import OPTION_TYPES, completion_body, read_completion


class EasyChat(AbstractProvider):
    url = "https://free.easychat.work"
    working = False
    supports_stream = True
    supports_gpt_35_turbo = True
    supports_message_history = True
    supports_system_message = True
    default_model = "gpt-3.5-turbo"
    models: ClassVar[list[str]] = ["gpt-3.5-turbo"]
    option_types: ClassVar[Mapping[str, str]] = {"active_server": "int", **OPTION_TYPES}

    servers: ClassVar[tuple[str, ...]] = (
        "https://chat10.fastgpt.me",
        "https://chat9.fastgpt.me",
        "https://chat1.fastgpt.me",
        "https://chat2.fastgpt.me",
        "https://chat3.fastgpt.me",
        "https://chat4.fastgpt.me",
        "https://gxos1h1ddt.fastgpt.me",
    )

    @classmethod
    def validate_options(cls, kwargs: Mapping[str, Any]) -> None:
        super().validate_options(kwargs)
        if "active_server" in kwargs:
            options.index(
                "active_server",
                kwargs["active_server"],
                size=len(cls.servers),
                provider=cls.__name__,
            )

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[str]:
        call = cls.prepare(model, messages, **kwargs)
        # SPEC.md, EasyChat: any of the seven servers, not only the first six.
        server = cls.servers[call.option("active_server", random.randrange(len(cls.servers)))]
        endpoint = f"{server}/api/openai/v1/chat/completions"
        body = completion_body(call.messages, stream=stream, model=call.model, options=call.options)
        with (
            translated_errors(cls.__name__, endpoint, secrets=call.secrets),
            sync_client(call.client_spec()) as client,
        ):
            # Collects the session cookies; SPEC.md, EasyChat: its status is not checked.
            with client.stream("GET", f"{server}/") as home:
                read_body(home)
            with client.stream("POST", endpoint, json=body, headers=cls.headers(server)) as response:
                ensure_status(response, provider=cls.__name__)
                yield from read_completion(response, stream=stream)

    @staticmethod
    def headers(server: str) -> dict[str, str]:
        """The POST headers for ``server``."""
        return {
            "authority": urlsplit(server).netloc,
            "accept": "text/event-stream",
            "accept-language": (
                "en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3,fa=0.2"
            ),
            "content-type": "application/json",
            "origin": server,
            "referer": f"{server}/",
            "x-requested-with": "XMLHttpRequest",
            "plugins": "0",
            "usesearch": "false",
            "sec-ch-ua": '"Chromium";v="116", "Not)A;Brand";v="24", "Google Chrome";v="116"',
            "sec-ch-ua-mobile": "?0",
            "sec-ch-ua-platform": '"Windows"',
            "sec-fetch-dest": "empty",
            "sec-fetch-mode": "cors",
            "sec-fetch-site": "same-origin",
            "user-agent": (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36"
            ),
        }
