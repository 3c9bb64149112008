"""How a recorded or live request body is read: JSON as data, a form as fields, anything else as text.

The sanitiser (which field values are secrets) and the matcher (which fields
must be equal) both read bodies through :func:`parse_body`, so they always
agree on what a field is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

FORM_TYPE = "application/x-www-form-urlencoded"


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


def parse_body(body: bytes, content_type: str) -> ParsedBody | None:
    """The leaves of a JSON or form body; None for an empty body or any other kind."""
    if not body:
        return None
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            pass
        else:
            return ParsedBody("json", list(_json_leaves(value, "body", None)))
    if is_form(content_type):
        pairs = parse_qsl(text, keep_blank_values=True)
        return ParsedBody("form", [Leaf(f"body.{name}", name, value) for name, value in pairs])
    return None


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
