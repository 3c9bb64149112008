"""Structural drift between two recordings of one scenario.

Values that legitimately change between recordings (answer text, ids,
timestamps, placeholders, cookie values, chunk timing) are ignored; what is
compared is the shape: number of exchanges, method and URL, status, header
names, the values of the response headers the providers read (content-type,
the names of the cookies set, retry-after), JSON key paths with their types,
form field names, the sequence of event names and shapes of an event stream,
which forms a page carries its tokens in (nonce, post id), and how a stream
ended. Each line names the exchange by its position and request.
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


# A field made of parts (header names, key paths, events): items in order, each of one or more parts.
# Two are equal when the items are; a difference is reported by the parts gone and new.
Parts = tuple[tuple[str, ...], ...]
NONE = "<none>"
# The names a page's tokens go by (ChatGptEs's nonce and post id), and the forms a page carries them in.
_TOKEN_NAME = re.compile(r"(?i)nonce|post[_-]?id")
_TOKEN_FORMS = (
    (
        "hidden input",
        re.compile(r"""<input\b(?=[^>]*\btype\s*=\s*["']?hidden)[^>]*\bname\s*=\s*["']?([\w-]+)"""),
    ),
    ("JSON key", re.compile(r""""([\w-]+)"\s*:""")),
    ("var", re.compile(r"""\b(?:var|let|const)\s+([\w$]+)\s*=""")),
    ("attribute", re.compile(r"""\b(data-[\w-]+)\s*=""")),
    ("object key", re.compile(r"""[{,]\s*([A-Za-z_$][\w$]*)\s*:""")),
)


@dataclass(frozen=True)
class Shape:
    """The structure of one exchange, as comparable fields (``shown``: how a field is
    reported when it differs, if not as its compared value)."""

    label: str
    fields: Mapping[str, str | Parts]
    shown: Mapping[str, str]


def ending(kind: str | None) -> tuple[str, str]:
    """How a response ended: what is compared, and what is shown."""
    if kind is None:
        return "complete body", "complete body"
    category = _ENDINGS.get(kind, kind)
    return category, f"{category} ({kind})"


def _header(headers: Headers, name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def stable_headers(headers: Headers) -> list[tuple[str, str]]:
    """The headers that do not vary between two fetches of the same thing, names lower-cased."""
    return [(name.lower(), value) for name, value in headers if name.lower() not in UNSTABLE_HEADERS]


def _header_names(headers: Headers) -> Parts:
    return tuple((name,) for name in sorted({name.lower() for name, _ in headers} - UNSTABLE_HEADERS))


def _media_type(value: str) -> str:
    """A content-type as compared: lower-cased, parameters kept, spacing normalised."""
    return "; ".join(part.strip() for part in value.lower().split(";") if part.strip()) or NONE


def _cookie_names(headers: Headers) -> str:
    names = sorted(
        {
            value.split(";", 1)[0].partition("=")[0].strip()
            for key, value in headers
            if key.lower() == "set-cookie"
        }
    )
    return ", ".join(names) or NONE


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


def json_shape(value: Any) -> tuple[str, ...]:
    """Sorted ``path: type`` parts of a JSON value, list positions folded into ``[]``."""
    leaves = parse_body(json.dumps(value).encode(), "application/json")
    paths = {
        f"{_LIST_INDEX.sub('[]', leaf.path)}: {_type_name(leaf.value)}"
        for leaf in (leaves.leaves if leaves else [])
    }
    return tuple(sorted(paths))


def _event_shapes(body: bytes) -> Parts:
    decoder = EventStreamDecoder()
    events = decoder.feed(body.decode("utf-8", errors="replace"))
    try:
        decoder.close()
    except ProviderError:
        ending: Parts = (("<partial event>",),)
    else:
        ending = ()
    shapes: list[tuple[str, ...]] = []
    for event in events:
        name = (f"event: {event.event}",) if event.event else ()
        if event.data.strip() == "[DONE]":
            shape = (*name, "[DONE]")
        else:
            try:
                shape = (*name, *json_shape(json.loads(event.data)))
            except ValueError:
                shape = (*name, "<not JSON>")
        # Repeats of one shape are the answer's length, which may change.
        if not shapes or shapes[-1] != shape:
            shapes.append(shape)
    return (*shapes, *ending)


def body_shape(body: bytes, content_type: str) -> Parts:
    if not body:
        return (("<empty>",),)
    if "event-stream" in content_type:
        return _event_shapes(body)
    if "json" in content_type:
        try:
            return (json_shape(json.loads(body)),)
        except ValueError:
            return (("<not JSON>",),)
    if is_form(content_type):
        parsed = parse_body(body, content_type)
        return (tuple(f"form field {leaf.name or ''}" for leaf in (parsed.leaves if parsed else [])),)
    return ((f"<{content_type.split(';')[0].strip() or 'untyped'}>",),)


def page_tokens(body: bytes, content_type: str) -> Parts:
    """Which forms an HTML page carries a token in (``hidden input _wpnonce``), not the values."""
    if "html" not in content_type or not body:
        return ()
    page = body.decode("utf-8", errors="replace")
    found = {
        f"{form} {name}"
        for form, pattern in _TOKEN_FORMS
        for name in pattern.findall(page)
        if _TOKEN_NAME.search(name)
    }
    return (tuple(sorted(found)),) if found else ()


def shape_of(interaction: Interaction) -> Shape:
    request, response = interaction.request, interaction.response
    request_type = _header(request.headers, "content-type")
    response_type = _header(response.headers, "content-type")
    ended, ended_shown = ending(response.error.kind if response.error else None)
    return Shape(
        f"({request.method} {request.uri})",
        {
            "request": f"{request.method} {request.uri}",
            "request headers": _header_names(request.headers),
            "request body": body_shape(request.body, request_type),
            "status": str(response.status),
            "response headers": _header_names(response.headers),
            "response content-type": _media_type(response_type),
            "response set-cookie names": _cookie_names(response.headers),
            "response retry-after": _header(response.headers, "retry-after").strip() or NONE,
            "response body": body_shape(response.body, response_type),
            "page tokens": page_tokens(response.body, response_type),
            "ended by": ended,
        },
        {"ended by": ended_shown},
    )


def drift(committed: CassetteData, fresh: CassetteData) -> list[str]:
    """Human-readable differences in structure, first exchange first; empty when the two agree."""
    report: list[str] = []
    old, new = committed.interactions, fresh.interactions
    for position, (before, after) in enumerate(zip(old, new, strict=False)):
        old_shape = shape_of(before)
        report += [
            f"exchange #{position} {old_shape.label} {line}" for line in _compare(old_shape, shape_of(after))
        ]
    if len(old) != len(new):
        report.append(f"number of exchanges: {len(old)} -> {len(new)}")
        for position in range(min(len(old), len(new)), max(len(old), len(new))):
            gone = position < len(old)
            shape = shape_of((old if gone else new)[position])
            report.append(f"exchange #{position} {shape.label} {'gone' if gone else 'new'}")
    return report


def _compare(before: Shape, after: Shape) -> Iterable[str]:
    for name, old_value in before.fields.items():
        new_value = after.fields[name]
        if old_value == new_value:
            continue
        if isinstance(old_value, tuple) and isinstance(new_value, tuple):
            yield from _parts_difference(name, old_value, new_value)
        else:
            old_shown, new_shown = before.shown.get(name, old_value), after.shown.get(name, new_value)
            yield f"{name}: {old_shown!r} -> {new_shown!r}"


def _parts_difference(name: str, old_value: Parts, new_value: Parts) -> Iterable[str]:
    old_parts = {part for item in old_value for part in item}
    new_parts = {part for item in new_value for part in item}
    removed, added = sorted(old_parts - new_parts), sorted(new_parts - old_parts)
    changes = [f"gone: {', '.join(removed)}"] if removed else []
    changes += [f"new: {', '.join(added)}"] if added else []
    if changes:
        yield f"{name}: {'; '.join(changes)}"
    else:
        yield f"{name}: same parts, different order or repetition: {_items(old_value)} -> {_items(new_value)}"


def _items(value: Parts) -> str:
    return " -> ".join("{" + "; ".join(item) + "}" for item in value)
