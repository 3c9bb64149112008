"""Chat messages: the type, its validation, and ``format_prompt``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from .errors import InvalidArgumentTypeError, InvalidMessagesError

ROLES = ("system", "user", "assistant")


class Message(TypedDict):
    role: str
    content: str


Messages = list[Message]


def validate_messages(messages: object, *, provider: str | None = None) -> Messages:
    """Return ``messages`` as a list of :class:`Message`, or raise naming the offending item.

    Accepted: a non-empty list (or tuple) of dicts with a known ``role`` and a
    string ``content``. Extra keys are kept out of the result.
    """
    if messages is None or isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise InvalidMessagesError(
            f"messages must be a non-empty list of {{'role', 'content'}} dicts, "
            f"got {type(messages).__name__}",
            provider=provider,
        )
    if not messages:
        raise InvalidMessagesError("messages must not be empty", provider=provider)
    return [_validate_message(index, item, provider) for index, item in enumerate(messages)]


def _validate_message(index: int, item: Any, provider: str | None) -> Message:
    where = f"messages[{index}]"
    if not isinstance(item, dict):
        raise InvalidMessagesError(
            f"{where} must be a dict with 'role' and 'content', got {type(item).__name__}",
            provider=provider,
        )
    if "role" not in item:
        raise InvalidMessagesError(
            f"{where} has no 'role': it must be one of {', '.join(ROLES)}", provider=provider
        )
    role = item["role"]
    if role not in ROLES:
        raise InvalidMessagesError(
            f"{where}['role'] must be one of {', '.join(ROLES)}, got {role!r}", provider=provider
        )
    if "content" not in item:
        raise InvalidMessagesError(f"{where} has no 'content': it must be a str", provider=provider)
    content = item["content"]
    if not isinstance(content, str):
        raise InvalidMessagesError(
            f"{where}['content'] must be a str, got {type(content).__name__}", provider=provider
        )
    return {"role": role, "content": content}


def validate_model(model: object, *, provider: str | None = None) -> str:
    if not isinstance(model, str):
        raise InvalidArgumentTypeError(f"model must be a str, got {type(model).__name__}", provider=provider)
    return model


def format_prompt(messages: Messages) -> str:
    """One message gives its content unchanged; several become a transcript.

    Each message becomes ``"<Role>: <content>"``, joined with newlines and
    followed by ``"\\nAssistant:"``.
    """
    if len(messages) == 1:
        return messages[0]["content"]
    lines = [f"{message['role'].capitalize()}: {message['content']}" for message in messages]
    return "\n".join(lines) + "\nAssistant:"
