"""The OpenAI-style chat completion protocol that EasyChat and Equing speak.

Request body with the key order and defaults of SPEC.md (EasyChat, Equing), and the reading of
both answers: one JSON completion, or an event stream of completion chunks
ended by ``data: [DONE]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from .bodies import json_object, require_event_stream
from .errors import ResponseFormatError, excerpt
from .limits import read_body
from .messages import Messages
from .streams import EventStreamDecoder, Utf8StreamDecoder

DONE = "[DONE]"
SAMPLING_DEFAULTS: Mapping[str, float] = {
    "temperature": 0.5,
    "presence_penalty": 0,
    "frequency_penalty": 0,
    "top_p": 1,
}
OPTION_TYPES: Mapping[str, str] = dict.fromkeys(SAMPLING_DEFAULTS, "float")


def completion_body(
    messages: Messages, *, stream: bool, model: str, options: Mapping[str, Any]
) -> dict[str, Any]:
    """``messages, stream, model, temperature, presence_penalty, frequency_penalty, top_p``."""
    body: dict[str, Any] = {"messages": messages, "stream": stream, "model": model}
    for name, default in SAMPLING_DEFAULTS.items():
        body[name] = options.get(name, default)
    return body


def read_completion(response: httpx.Response, *, stream: bool) -> Iterator[str]:
    """The answer's text pieces, from a streamed response whose status was checked."""
    if not stream:
        body = read_body(response)
        yield completion_content(body, response.headers.get("content-type", ""))
        return
    require_event_stream(response)
    parser = CompletionStreamParser()
    for piece in response.iter_bytes():
        yield from parser.feed(piece)
        if parser.done:
            return
    parser.close()


def completion_content(body: bytes, content_type: str = "") -> str:
    """``choices[0].message.content`` of a non-streamed completion."""
    data = json_object(body, content_type=content_type)
    choices = data.get("choices")
    if not choices or not isinstance(choices, list):
        raise ResponseFormatError(f"No response from server: {excerpt(json.dumps(data))}")
    content = _path(choices[0], "message", "content")
    if not isinstance(content, str):
        raise ResponseFormatError("choices[0].message.content is not a string")
    return content


class CompletionStreamParser:
    """Bytes of a completion event stream in, non-empty delta texts out, until ``[DONE]``."""

    def __init__(self) -> None:
        self._text = Utf8StreamDecoder()
        self._events = EventStreamDecoder()
        self.done = False

    def feed(self, data: bytes) -> Iterator[str]:
        """The texts of the events completed by ``data``, one at a time: a malformed event
        raises only after the texts before it were handed over, however the bytes were cut."""
        for event in self._events.feed(self._text.feed(data)):
            if event.data == DONE:
                self.done = True
                return
            content = delta_content(event.data)
            if content:
                yield content

    def close(self) -> None:
        """Check the stream ended cleanly (whole characters, whole events)."""
        self._text.close()
        self._events.close()


def delta_content(data: str) -> str | None:
    """``choices[0].delta.content`` of one chunk; None where a chunk carries no text."""
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError:
        raise ResponseFormatError(f"malformed event JSON: {excerpt(data)!r}") from None
    if not isinstance(chunk, dict) or not isinstance(chunk.get("choices"), list):
        raise ResponseFormatError(f"event without a choices list: {excerpt(data)!r}")
    choices = chunk["choices"]
    if not choices:
        return None
    content = _path(choices[0], "delta", "content")
    if content is None or isinstance(content, str):
        return content
    raise ResponseFormatError(f"delta content is not a string: {excerpt(data)!r}")


def _path(value: Any, *keys: str) -> Any:
    for key in keys:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ResponseFormatError(f"expected an object holding {key!r}")
        value = value.get(key)
    return value
