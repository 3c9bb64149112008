"""ChatGptEs: a WordPress chat plugin behind Cloudflare, reached with curl_cffi impersonation."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .base import AsyncGeneratorProvider, ProviderModelMixin
from .bodies import json_object
from .errors import ResponseFormatError, UpstreamRejectedError, excerpt
from .http import aensure_status, async_client, require_curl, translated_errors
from .limits import aread_body, aread_text
from .messages import Messages, format_prompt

FALLBACK_POST_ID = "106"
CONSENT_TEXT = "Du musst das Kästchen anklicken!"
CLIENT_ID_BYTES = 5

logger = logging.getLogger(__name__)

_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_INPUT_TAG = re.compile(r"<input\b[^>]*>", re.IGNORECASE)

# SPEC.md, ChatGptEs: the forms of the nonce and of the post id, in the order they are tried.
_NONCE_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(r""""_wpnonce"\s*:\s*"([^"]+)\""""),
    re.compile(r"""var\s+wpaicg_nonce\s*=\s*(?:"([^"]+)"|'([^']+)')"""),
    re.compile(r"""wpaicg_nonce\s*:\s*(?:"([^"]+)"|'([^']+)')"""),
    re.compile(r"""data-nonce\s*=\s*(?:"([^"]+)"|'([^']+)')"""),
    re.compile(r"""nonce["']?\s*[=:]\s*(?:"([A-Za-z0-9]+)"|'([A-Za-z0-9]+)')"""),
)
_POST_ID_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(r""""post_id"\s*:\s*"([^"]+)\""""),
    re.compile(r"""var\s+post_id\s*=\s*(?:"(\d+)"|'(\d+)'|(\d+))"""),
    re.compile(r"""data-post-id\s*=\s*(?:"([^"]+)"|'([^']+)')"""),
)


@dataclass(frozen=True)
class PageTokens:
    nonce: str
    post_id: str


def hidden_input_value(page: str, name: str) -> str | None:
    """The value of the first ``<input type="hidden" name=NAME>``, attributes in any order."""
    for tag in _INPUT_TAG.finditer(page):
        attributes = {
            match.group(1).lower(): match.group(2) if match.group(2) is not None else match.group(3)
            for match in _ATTRIBUTE.finditer(tag.group(0))
        }
        if (
            attributes.get("name") == name
            and (attributes.get("type") or "").lower() == "hidden"
            and attributes.get("value")
        ):
            return attributes["value"]
    return None


def _first_match(page: str, forms: tuple[re.Pattern[str], ...]) -> str | None:
    for form in forms:
        match = form.search(page)
        if match:
            return next(group for group in match.groups() if group is not None)
    return None


def extract_tokens(page: str) -> PageTokens:
    """The nonce and post id of the chat page, the forms tried in the order of SPEC.md, ChatGptEs.

    SPEC.md, ChatGptEs: no nonce is an error (a stale fixed nonce would only
    fail later, upstream); no post id falls back to :data:`FALLBACK_POST_ID`.
    """
    nonce = hidden_input_value(page, "_wpnonce") or _first_match(page, _NONCE_FORMS)
    if not nonce:
        raise ResponseFormatError(
            "the chat page carries no nonce (the page layout changed, or a challenge page was served)"
        )
    post_id = hidden_input_value(page, "post_id") or _first_match(page, _POST_ID_FORMS)
    if not post_id:
        logger.debug("the chat page carries a nonce but no post_id; using post_id %s", FALLBACK_POST_ID)
        post_id = FALLBACK_POST_ID
    return PageTokens(nonce=nonce, post_id=post_id)


def new_client_id() -> str:
    """10 random hex characters."""
    return secrets.token_hex(CLIENT_ID_BYTES)


class ChatGptEs(AsyncGeneratorProvider, ProviderModelMixin):
    url = "https://chatgpt.es"
    api_endpoint: ClassVar[str] = "https://chatgpt.es/wp-admin/admin-ajax.php"
    working = True
    supports_stream = True
    supports_system_message = False
    # SPEC.md, ChatGptEs: deviates from the documented False, since ``message`` carries the whole
    # conversation; a system message stays unsupported (it is only a line of the user's input).
    supports_message_history = True
    default_model = "gpt-4o"
    models: ClassVar[list[str]] = ["gpt-4", "gpt-4o", "gpt-4o-mini"]
    impersonate = "chrome110"

    SYSTEM_PROMPT: ClassVar[str] = (
        "Your default language is English. Always respond in English unless the user's "
        "message is in a different language. If the user's message is not in English, "
        "respond in the language of the user's message. Maintain this language behavior "
        "throughout the conversation unless explicitly instructed otherwise. User input:"
    )
    headers: ClassVar[Mapping[str, str]] = {
        "user-agent": (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/133.0.0.0 Safari/537.36"
        ),
        "referer": "https://chatgpt.es",
        "origin": "https://chatgpt.es",
        "accept": "*/*",
        "accept-language": "en-US,en;q=0.9",
        "content-type": "application/x-www-form-urlencoded; charset=UTF-8",
        "x-requested-with": "XMLHttpRequest",
    }

    @classmethod
    def form(cls, messages: Messages, tokens: PageTokens, client_id: str) -> dict[str, str]:
        """The admin-ajax form, fields in the order of SPEC.md, ChatGptEs."""
        message = f"{cls.SYSTEM_PROMPT} {format_prompt(messages)}"
        return {
            "_wpnonce": tokens.nonce,
            "post_id": tokens.post_id,
            "url": cls.url,
            "action": "wpaicg_chat_shortcode_message",
            "message": message,
            "bot_id": "0",
            "chatbot_identity": "shortcode",
            "wpaicg_chat_client_id": client_id,
            "wpaicg_chat_history": json.dumps([f"Human: {message}"]),
        }

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, proxy: str | None = None, *, stream: bool = True, **kwargs: Any
    ) -> AsyncIterator[str]:
        require_curl(cls.__name__)
        call = cls.prepare(model, messages, proxy=proxy, **kwargs)
        with translated_errors(cls.__name__, cls.url, secrets=call.secrets):
            async with async_client(call.client_spec(headers=cls.headers)) as client:
                async with client.stream("GET", cls.url) as page:
                    await aensure_status(page, provider=cls.__name__)
                    page_text = await aread_text(page)
                tokens = extract_tokens(page_text)
                client_id = new_client_id()
                call.secrets.add(tokens.nonce, client_id)
                form = cls.form(call.messages, tokens, client_id)
                with translated_errors(cls.__name__, cls.api_endpoint, secrets=call.secrets):
                    async with client.stream("POST", cls.api_endpoint, data=form) as response:
                        await aensure_status(response, provider=cls.__name__)
                        answer = await aread_body(response)
        content_type = response.headers.get("content-type", "")
        with translated_errors(cls.__name__, cls.api_endpoint, secrets=call.secrets):
            yield cls.answer(json_object(answer, content_type=content_type))

    @staticmethod
    def answer(result: Mapping[str, Any]) -> str:
        if "data" not in result:
            raise ResponseFormatError(f"Unexpected response format: {excerpt(json.dumps(result))}")
        data = result["data"]
        if not isinstance(data, str):
            raise ResponseFormatError(f"Unexpected response format: 'data' is {type(data).__name__}")
        if CONSENT_TEXT in data:
            raise UpstreamRejectedError(data)
        return data
