"""Structural drift between two recordings of one scenario.

Values that legitimately change between recordings (answer text, ids,
timestamps, placeholders, chunk timing) are ignored; what is compared is the
shape: number of exchanges, method and URL, status, header names, JSON key
paths with their types, form field names, the sequence of event shapes of an
event stream, and how a stream ended.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from providers.errors import ProviderError
from providers.streams import EventStreamDecoder
from wiretape.bodies import is_form, parse_body
from wiretape.file import CassetteData, Headers, Interaction

# Headers whose presence varies between two fetches of the same thing (caches, tracing).
UNSTABLE_HEADERS = frozenset(
    {"age", "date", "etag", "expires", "last-modified", "x-cache", "cf-cache-status"}
)
# Fields made of many parts (names, key paths, event shapes), reported part by part.
_LISTED_FIELDS = frozenset({"request headers", "request body", "response headers", "response body"})
_LIST_INDEX = re.compile(r"\[\d+\]")


# How a recorded response ended, by what the upstream did; the exception class that showed it
# depends on the client's Python and TLS stack (a reset is an EOF on 3.11, ECONNRESET on 3.13).
_ENDINGS = {
    "RemoteProtocolError": "connection lost",
    "ReadError": "connection lost",
    "WriteError": "connection lost",
    "NetworkError": "connection lost",
    "ConnectError": "connection refused",
    "ConnectTimeout": "timeout",
    "ReadTimeout": "timeout",
    "TimeoutException": "timeout",
}


@dataclass(frozen=True)
class Shape:
    """The structure of one exchange, as comparable text fields (``shown``: how a field is
    reported when it differs, if not as its compared value)."""

    fields: Mapping[str, str]
    shown: Mapping[str, str]


def ending(kind: str | None) -> tuple[str, str]:
    """How a response ended: what is compared, and what is shown."""
    if kind is None:
        return "complete body", "complete body"
    category = _ENDINGS.get(kind, kind)
    return category, f"{category} ({kind})"


def _content_type(headers: Headers) -> str:
    return next((value for name, value in headers if name.lower() == "content-type"), "")


def stable_headers(headers: Headers) -> list[tuple[str, str]]:
    """The headers that do not vary between two fetches of the same thing, names lower-cased."""
    return [(name.lower(), value) for name, value in headers if name.lower() not in UNSTABLE_HEADERS]


def _header_names(headers: Headers) -> str:
    names = sorted({name.lower() for name, _ in headers} - UNSTABLE_HEADERS)
    return ", ".join(names)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def json_shape(value: Any) -> str:
    """Sorted ``path: type`` lines of a JSON value, list positions folded into ``[]``."""
    leaves = parse_body(json.dumps(value).encode(), "application/json")
    paths = {
        f"{_LIST_INDEX.sub('[]', leaf.path)}: {_type_name(leaf.value)}"
        for leaf in (leaves.leaves if leaves else [])
    }
    return "; ".join(sorted(paths))


def _event_shapes(body: bytes) -> list[str]:
    decoder = EventStreamDecoder()
    events = decoder.feed(body.decode("utf-8", errors="replace"))
    try:
        decoder.close()
    except ProviderError:
        ending = ["<partial event>"]
    else:
        ending = []
    shapes: list[str] = []
    for event in events:
        if event.data.strip() == "[DONE]":
            shape = "[DONE]"
        else:
            try:
                shape = "{" + json_shape(json.loads(event.data)) + "}"
            except ValueError:
                shape = "<not JSON>"
        # Repeats of one shape are the answer's length, which may change.
        if not shapes or shapes[-1] != shape:
            shapes.append(shape)
    return shapes + ending


def body_shape(body: bytes, content_type: str) -> str:
    if not body:
        return "<empty>"
    if "event-stream" in content_type:
        return " -> ".join(_event_shapes(body))
    if "json" in content_type:
        try:
            return "{" + json_shape(json.loads(body)) + "}"
        except ValueError:
            return "<not JSON>"
    if is_form(content_type):
        parsed = parse_body(body, content_type)
        return "form: " + ", ".join(leaf.name or "" for leaf in (parsed.leaves if parsed else []))
    return f"<{content_type.split(';')[0].strip() or 'untyped'}>"


def shape_of(interaction: Interaction) -> Shape:
    request, response = interaction.request, interaction.response
    request_type = _content_type(request.headers)
    response_type = _content_type(response.headers)
    ended, ended_shown = ending(response.error.kind if response.error else None)
    return Shape(
        {
            "request": f"{request.method} {request.uri}",
            "request headers": _header_names(request.headers),
            "request body": body_shape(request.body, request_type),
            "status": str(response.status),
            "response headers": _header_names(response.headers),
            "response body": body_shape(response.body, response_type),
            "ended by": ended,
        },
        {"ended by": ended_shown},
    )


def drift(committed: CassetteData, fresh: CassetteData) -> list[str]:
    """Human-readable differences in structure; empty when the two recordings agree."""
    report: list[str] = []
    old, new = committed.interactions, fresh.interactions
    if len(old) != len(new):
        report.append(f"number of exchanges: {len(old)} -> {len(new)}")
    for position, (before, after) in enumerate(zip(old, new, strict=False)):
        report += [f"exchange #{position} {line}" for line in _compare(shape_of(before), shape_of(after))]
    return report


def _compare(before: Shape, after: Shape) -> Iterable[str]:
    for name, old_value in before.fields.items():
        new_value = after.fields[name]
        if old_value == new_value:
            continue
        if name in _LISTED_FIELDS:
            yield from _set_difference(name, old_value, new_value)
        else:
            old_shown, new_shown = before.shown.get(name, old_value), after.shown.get(name, new_value)
            yield f"{name}: {old_shown!r} -> {new_shown!r}"


def _set_difference(name: str, old_value: str, new_value: str) -> Iterable[str]:
    old_parts = set(re.split(r"; |, |[{}]| -> ", old_value)) - {""}
    new_parts = set(re.split(r"; |, |[{}]| -> ", new_value)) - {""}
    removed, added = sorted(old_parts - new_parts), sorted(new_parts - old_parts)
    if removed:
        yield f"{name}: gone: {', '.join(removed)}"
    if added:
        yield f"{name}: new: {', '.join(added)}"
    if not removed and not added:
        yield f"{name}: same parts, different order or repetition: {old_value!r} -> {new_value!r}"
