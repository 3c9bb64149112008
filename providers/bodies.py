"""Checks on response bodies shared by the providers: JSON, content types."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .errors import ResponseFormatError, excerpt


def parse_json(body: bytes, *, content_type: str = "") -> Any:
    """The JSON value of ``body``; a body that is not JSON is a :class:`ResponseFormatError`."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        kind = f" ({content_type.split(';')[0]})" if content_type else ""
        text = excerpt(body.decode("utf-8", errors="replace"))
        raise ResponseFormatError(f"expected JSON, got{kind}: {text!r}") from None


def json_object(body: bytes, *, content_type: str = "") -> dict[str, Any]:
    """``body`` parsed as a JSON object."""
    value = parse_json(body, content_type=content_type)
    if not isinstance(value, dict):
        raise ResponseFormatError(
            f"expected a JSON object, got {type(value).__name__}: {excerpt(repr(value))}"
        )
    return value


def media_type(response: httpx.Response) -> str:
    """The response's media type, lowercased, without parameters; "" without a Content-Type."""
    content_type: str = response.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower()


def require_event_stream(response: httpx.Response) -> None:
    """A response not announced as an event stream (or not announced at all) cannot be one."""
    kind = media_type(response)
    if kind != "text/event-stream":
        raise ResponseFormatError(f"expected an event stream, got {kind or 'no Content-Type'}")


def require_text(response: httpx.Response) -> None:
    """An answer's text must be announced as such: not as an HTML page (a challenge or error page),
    and not without a Content-Type."""
    kind = media_type(response)
    if not kind:
        raise ResponseFormatError("expected the answer's text, got no Content-Type")
    if kind in ("text/html", "application/xhtml+xml"):
        raise ResponseFormatError(f"expected the answer's text, got an HTML page ({kind})")
