"""How much of a response a provider holds at once, and the capped reads that enforce it.

Sizes are counted after decompression, so a gzip bomb stops at the cap. The
limits are read when a read starts (set them on this module to change them).
"""

from __future__ import annotations

import httpx

from .errors import ResponseFormatError

#: One event-stream line, or the data of one event.
LINE_LIMIT = 1024 * 1024
#: A whole non-streamed answer (a page, a JSON answer, a joined plain-text answer).
ANSWER_LIMIT = 16 * 1024 * 1024
#: The part of an error response's body read for its excerpt (the rest is not read).
ERROR_BODY_LIMIT = 64 * 1024


def too_large(size: int) -> ResponseFormatError:
    return ResponseFormatError(f"answer larger than the {size}-byte answer limit")


def line_too_long(size: int) -> ResponseFormatError:
    return ResponseFormatError(f"event-stream line or event longer than the {size}-character line limit")


class SizeCounter:
    """Counts the bytes of one answer and raises once they pass ``limit``."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = ANSWER_LIMIT if limit is None else limit
        self.size = 0

    def add(self, amount: int) -> None:
        self.size += amount
        if self.size > self.limit:
            raise too_large(self.limit)


def stop_transfer(response: httpx.Response) -> None:
    """Make a curl transfer whose body will not be read stop, instead of finishing into memory.

    curl_cffi's async stream queues the rest of the body when its response is
    closed early (its ``aclose`` waits for the transfer); its quit event makes
    the write callback abort the transfer. httpx transports need nothing.
    """
    curl = response.extensions.get("curl")
    quit_now = getattr(curl["response"], "quit_now", None) if curl else None
    if quit_now is not None:
        quit_now.set()


def read_body(response: httpx.Response) -> bytes:
    """The whole (decoded) body of a streamed response, at most :data:`ANSWER_LIMIT` bytes."""
    counter = SizeCounter()
    pieces: list[bytes] = []
    try:
        for piece in response.iter_bytes():
            counter.add(len(piece))
            pieces.append(piece)
    except ResponseFormatError:
        stop_transfer(response)
        raise
    return b"".join(pieces)


async def aread_body(response: httpx.Response) -> bytes:
    """Async twin of :func:`read_body`."""
    counter = SizeCounter()
    pieces: list[bytes] = []
    try:
        async for piece in response.aiter_bytes():
            counter.add(len(piece))
            pieces.append(piece)
    except ResponseFormatError:
        stop_transfer(response)
        raise
    return b"".join(pieces)


async def aread_text(response: httpx.Response) -> str:
    """:func:`aread_body` decoded as ``response.text`` would be (the charset it declares, else UTF-8)."""
    body = await aread_body(response)
    return body.decode(response.encoding or "utf-8", errors="replace")


def read_error_body(response: httpx.Response) -> bytes:
    """At most :data:`ERROR_BODY_LIMIT` bytes of a streamed response body."""
    pieces: list[bytes] = []
    size = 0
    try:
        for piece in response.iter_bytes():
            pieces.append(piece)
            size += len(piece)
            if size >= ERROR_BODY_LIMIT:
                stop_transfer(response)
                break
    except httpx.DecodingError as exc:
        pieces.append(_undecodable(exc))
    return b"".join(pieces)[:ERROR_BODY_LIMIT]


async def aread_error_body(response: httpx.Response) -> bytes:
    """Async twin of :func:`read_error_body`."""
    pieces: list[bytes] = []
    size = 0
    try:
        async for piece in response.aiter_bytes():
            pieces.append(piece)
            size += len(piece)
            if size >= ERROR_BODY_LIMIT:
                stop_transfer(response)
                break
    except httpx.DecodingError as exc:
        pieces.append(_undecodable(exc))
    return b"".join(pieces)[:ERROR_BODY_LIMIT]


def _undecodable(exc: httpx.DecodingError) -> bytes:
    # An error answer keeps its status (and a 429 its Retry-After): its body only explains it.
    return f" (the body could not be decoded: {exc})".encode()
