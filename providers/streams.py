"""Incremental decoding of response bodies: event streams and UTF-8 text.

Written here rather than taken from httpx-sse because a stream that ends in
the middle of an event must be an error (a cut answer), while httpx-sse,
following browser semantics, silently drops the partial event. The decoders
take arbitrary pieces (any chunking gives the same result) and hold no I/O,
so the providers' sync and async paths share them.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .errors import ResponseFormatError


@dataclass(frozen=True)
class Event:
    """One dispatched server-sent event."""

    data: str
    event: str = ""
    id: str = ""


class EventStreamDecoder:
    """The WHATWG event-stream grammar, fed with text in arbitrary pieces.

    Lines end with CRLF, LF or CR; lines starting with ``:`` are comments;
    ``field:value`` with one optional space after the colon; several ``data``
    lines join with ``\\n``; a blank line dispatches the event.
    """

    def __init__(self) -> None:
        self._partial_line: list[str] = []
        self._pending_cr = False
        self._data: list[str] = []
        self._event = ""
        self._id = ""
        self._has_fields = False

    def feed(self, text: str) -> list[Event]:
        events: list[Event] = []
        if self._pending_cr:
            self._pending_cr = False
            if text.startswith("\n"):
                text = text[1:]
        start = 0
        length = len(text)
        position = 0
        while position < length:
            char = text[position]
            if char == "\r" or char == "\n":
                self._partial_line.append(text[start:position])
                line = "".join(self._partial_line)
                self._partial_line = []
                event = self._line(line)
                if event is not None:
                    events.append(event)
                if char == "\r":
                    if position + 1 < length:
                        if text[position + 1] == "\n":
                            position += 1
                    else:
                        self._pending_cr = True
                start = position + 1
            position += 1
        if start < length:
            self._partial_line.append(text[start:])
        return events

    def close(self) -> None:
        """Check the stream ended on an event boundary."""
        if any(self._partial_line) or self._has_fields:
            raise ResponseFormatError("event stream ended in the middle of an event")

    def _line(self, line: str) -> Event | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
            self._has_fields = True
        elif field == "event":
            self._event = value
            self._has_fields = True
        elif field == "id":
            if "\0" not in value:
                self._id = value
            self._has_fields = True
        # "retry" and unknown fields are ignored, as the grammar says.
        return None

    def _dispatch(self) -> Event | None:
        if not self._has_fields:
            return None
        data = "\n".join(self._data)
        event = Event(data=data, event=self._event, id=self._id)
        has_data = bool(self._data)
        self._data = []
        self._event = ""
        self._has_fields = False
        return event if has_data else None


class Utf8StreamDecoder:
    """UTF-8 decoding across piece boundaries; invalid or cut text is an error."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")

    def feed(self, data: bytes) -> str:
        try:
            return str(self._decoder.decode(data))
        except UnicodeDecodeError as exc:
            raise ResponseFormatError(f"response is not valid UTF-8: {exc.reason}") from None

    def close(self) -> None:
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ResponseFormatError("response ended in the middle of a UTF-8 character") from None
