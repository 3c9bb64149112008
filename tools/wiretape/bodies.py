"""How a recorded or live body is read: JSON as data, a form or multipart body as fields, else text.

The sanitiser (which field values are secrets) and the matcher (which fields
must be equal) both read bodies through :func:`parse_body`, so they always
agree on what a field is. Multipart parts are read by name, whatever the
boundary (a fresh random one per request).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PART_NAME = re.compile(r'\bname="([^"]*)"', re.IGNORECASE)
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


def multipart_fields(text: str, content_type: str) -> list[tuple[str, str]] | None:
    """``(name, value)`` of each part of a multipart/form-data body; None if it is not one."""
    boundary = _BOUNDARY.search(content_type) if MULTIPART_TYPE in content_type.lower() else None
    if boundary is None:
        return None
    fields = []
    for part in text.split(f"--{boundary.group(1)}")[1:]:
        head, sep, value = part.partition("\r\n\r\n")
        name = _PART_NAME.search(head)
        if sep and name:
            fields.append((name.group(1), value.removesuffix("\r\n")))
    return fields


def _decode(body: bytes, content_type: str) -> tuple[Literal["json", "form", "text"], object, str]:
    """The body read as JSON data, form or multipart pairs, or just text (with its text)."""
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            return "json", json.loads(text), text
        except json.JSONDecodeError:
            pass
    if is_form(content_type):
        return "form", parse_qsl(text, keep_blank_values=True), text
    parts = multipart_fields(text, content_type)
    if parts is not None:
        return "form", parts, text
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


IsSecretLeaf = Callable[[str | None, object], bool]


def canonical_body(body: bytes, content_type: str, is_secret_leaf: IsSecretLeaf) -> str:
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
        masked = [(name, VOLATILE if is_secret_leaf(name, item) else item) for name, item in pairs]
        return "form:" + json.dumps(masked)
    # Masking walks the keys, not the text: a regex over a megabyte of base64 costs far more.
    return "json:" + json.dumps(_mask(value, is_secret_leaf, None), sort_keys=True, ensure_ascii=False)


def _mask(value: object, is_secret_leaf: IsSecretLeaf, name: str | None) -> object:
    # A leaf is masked when the nearest key above it names a secret, as in parse_body.
    if isinstance(value, dict):
        return {key: _mask(item, is_secret_leaf, str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item, is_secret_leaf, name) for item in value]
    return VOLATILE if is_secret_leaf(name, value) else value


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
