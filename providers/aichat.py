"""Aichat: an async provider for chat-gpt.org, needing its cookies and browser impersonation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from .base import AsyncProvider
from .bodies import json_object
from .cookies import COOKIES_FILE_ENV, cookies_for
from .errors import (
    InvalidArgumentTypeError,
    MissingCookiesError,
    ResponseFormatError,
    UpstreamRejectedError,
    excerpt,
)
from .http import aensure_status, async_client, translated_errors
from .limits import aread_body
from .messages import Messages, format_prompt

DOMAIN = "chat-gpt.org"
#: SPEC.md, Aichat: the defaults of the timeout and of the body's sampling fields.
DEFAULT_TIMEOUT = 6.0
DEFAULT_TEMPERATURE = 0.5
DEFAULT_TOP_P = 1


class Aichat(AsyncProvider):
    url = "https://chat-gpt.org/chat"
    working = False
    needs_auth = True
    supports_gpt_35_turbo = True
    # The whole conversation goes out as a transcript; a system message only as a "System:" line in it.
    supports_message_history = True
    default_model = "gpt-3.5-turbo"
    models: ClassVar[list[str]] = ["gpt-3.5-turbo"]
    default_timeout = DEFAULT_TIMEOUT
    impersonate = "chrome110"
    option_types: ClassVar[Mapping[str, str]] = {
        "cookies": "dict[str, str]",
        "cookies_file": "str",
        "temperature": "float",
        "top_p": "float",
    }

    api_endpoint: ClassVar[str] = "https://chat-gpt.org/api/text"
    headers: ClassVar[Mapping[str, str]] = {
        "authority": "chat-gpt.org",
        "accept": "*/*",
        "accept-language": ("en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3"),
        "content-type": "application/json",
        "origin": "https://chat-gpt.org",
        "referer": "https://chat-gpt.org/chat",
        "sec-ch-ua": '"Chromium";v="118", "Google Chrome";v="118", "Not=A?Brand";v="99"',
        "sec-ch-ua-mobile": "?0",
        "sec-ch-ua-platform": '"macOS"',
        "sec-fetch-dest": "empty",
        "sec-fetch-mode": "cors",
        "sec-fetch-site": "same-origin",
        "user-agent": (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36"
        ),
    }

    @classmethod
    def validate_options(cls, kwargs: Mapping[str, Any]) -> None:
        super().validate_options(kwargs)
        cookies = kwargs.get("cookies")
        if cookies is not None and not (
            isinstance(cookies, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in cookies.items())
        ):
            raise InvalidArgumentTypeError(
                "cookies must be a dict of str names to str values", provider=cls.__name__
            )

    @classmethod
    def find_cookies(cls, kwargs: Mapping[str, Any]) -> dict[str, str]:
        """The cookies argument, else cookies for chat-gpt.org from the cookies file."""
        cookies = dict(kwargs.get("cookies") or {}) or cookies_for(
            DOMAIN, cookies_file=kwargs.get("cookies_file"), provider=cls.__name__
        )
        if not cookies:
            raise MissingCookiesError(
                f"cookies for {DOMAIN} are required: pass cookies={{'name': 'value', ...}}, "
                f"or export them from your browser to a cookies.txt (Netscape format) or "
                f"JSON file and pass cookies_file=PATH or set {COOKIES_FILE_ENV}=PATH",
                provider=cls.__name__,
            )
        return cookies

    @classmethod
    async def create_async(
        cls, model: str, messages: Messages, proxy: str | None = None, **kwargs: Any
    ) -> str:
        call = cls.prepare(model, messages, proxy=proxy, **kwargs)
        spec = call.client_spec(headers=cls.headers, cookies=cls.find_cookies(call.options))
        body = {
            "message": format_prompt(call.messages),
            "temperature": call.option("temperature", DEFAULT_TEMPERATURE),
            "presence_penalty": 0,
            "top_p": call.option("top_p", DEFAULT_TOP_P),
            "frequency_penalty": 0,
        }
        with translated_errors(cls.__name__, cls.api_endpoint, secrets=call.secrets):
            async with (
                async_client(spec) as client,
                client.stream("POST", cls.api_endpoint, json=body) as response,
            ):
                await aensure_status(response, provider=cls.__name__)
                answer = await aread_body(response)
            return cls.answer(json_object(answer, content_type=response.headers.get("content-type", "")))

    @staticmethod
    def answer(result: Mapping[str, Any]) -> str:
        """SPEC.md, Aichat: ``message`` when ``response`` is truthy; a falsy one is a refusal."""
        if "response" not in result:
            raise ResponseFormatError(f"answer without 'response': {excerpt(json.dumps(result))}")
        if not result["response"]:
            raise UpstreamRejectedError(f"error response: {excerpt(json.dumps(result))}")
        message = result.get("message")
        if not isinstance(message, str):
            raise ResponseFormatError("answer's 'message' is not a string")
        return message
