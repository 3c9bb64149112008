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


def require_event_stream(response: httpx.Response) -> None:
    """A response announced as something other than an event stream cannot be one."""
    content_type = response.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type and media_type != "text/event-stream":
        raise ResponseFormatError(f"expected an event stream, got {media_type}")


def refuse_html(response: httpx.Response) -> None:
    """An HTML page where the answer's text was expected (a challenge or error page) is not an answer."""
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in ("text/html", "application/xhtml+xml"):
        raise ResponseFormatError(f"expected the answer's text, got an HTML page ({media_type})")
