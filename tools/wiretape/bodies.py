"""How a recorded or live request body is read: JSON as data, a form as fields, anything else as text.

The sanitiser (which field values are secrets) and the matcher (which fields
must be equal) both read bodies through :func:`parse_body`, so they always
agree on what a field is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

FORM_TYPE = "application/x-www-form-urlencoded"
#: What a secret or volatile value is replaced by when requests are compared.
VOLATILE = "<volatile>"


@dataclass(frozen=True)
class Leaf:
    """One value of a body: its path (``body.messages[0].content``), the key it sits under, the value."""

    path: str
    name: str | None
    value: object


@dataclass(frozen=True)
class ParsedBody:
    kind: Literal["json", "form"]
    leaves: list[Leaf]


def is_form(content_type: str) -> bool:
    return FORM_TYPE in content_type


def _decode(body: bytes, content_type: str) -> tuple[Literal["json", "form", "text"], object, str]:
    """The body read as JSON data, form pairs, or just text (with its text)."""
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            return "json", json.loads(text), text
        except json.JSONDecodeError:
            pass
    if is_form(content_type):
        return "form", parse_qsl(text, keep_blank_values=True), text
    return "text", None, text


def parse_body(body: bytes, content_type: str) -> ParsedBody | None:
    """The leaves of a JSON or form body; None for an empty body or any other kind."""
    if not body:
        return None
    kind, value, _ = _decode(body, content_type)
    if kind == "json":
        return ParsedBody("json", list(_json_leaves(value, "body", None)))
    if kind == "form":
        pairs: list[tuple[str, str]] = value  # type: ignore[assignment]
        return ParsedBody("form", [Leaf(f"body.{name}", name, item) for name, item in pairs])
    return None


def canonical_body(
    body: bytes, content_type: str, is_secret: Callable[[str], bool], may_name_secret: Callable[[str], bool]
) -> str:
    """One string equal for two bodies exactly when their leaves are equal, secret values masked.

    What :func:`parse_body` gives leaf by leaf, in one ``json.dumps``: the fast path of matching.
    """
    if not body:
        return ""
    kind, value, text = _decode(body, content_type)
    if kind == "text":
        return "text:" + text
    if kind == "form":
        pairs: list[tuple[str, str]] = value  # type: ignore[assignment]
        return "form:" + json.dumps({name: VOLATILE if is_secret(name) else item for name, item in pairs})
    if may_name_secret(text):
        value = _mask(value, is_secret, secret=False)
    return "json:" + json.dumps(value, sort_keys=True, ensure_ascii=False)


def _mask(value: object, is_secret: Callable[[str], bool], *, secret: bool) -> object:
    # A string leaf is masked when the nearest key above it names a secret, as in parse_body.
    if isinstance(value, dict):
        return {key: _mask(item, is_secret, secret=is_secret(str(key))) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item, is_secret, secret=secret) for item in value]
    return VOLATILE if secret and isinstance(value, str) else value


def _json_leaves(value: object, path: str, name: str | None) -> Iterator[Leaf]:
    # Empty containers are leaves too, so that {} and [] still count as a field.
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _json_leaves(item, f"{path}.{key}", str(key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _json_leaves(item, f"{path}[{index}]", name)
    else:
        yield Leaf(path, name, value)
