"""A body's Content-Encoding undone piece by piece, for the curl transport (:mod:`providers.curl`).

gzip and deflate, the codings the clients advertise, come out in pieces of
at most :data:`PIECE` bytes however far one network piece expands, and only
as they are read, so a compression bomb costs what the reader keeps
(:mod:`providers.limits`). br and zstd, which httpx advertises only where
brotli or zstandard is installed, are decoded by httpx's own decoders a
network piece at a time, as for the httpx providers. A coding known to
neither is a :class:`httpx.DecodingError` when the body is read, as it was
when curl decoded.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import Protocol

import httpx

# The registry of httpx's decoders: what its clients advertise is derived from it.
from httpx._decoders import SUPPORTED_DECODERS, ContentDecoder

#: The most decoded bytes one step hands over.
PIECE = 64 * 1024
_GZIP = 16 + zlib.MAX_WBITS
#: zlib's wbits for each coding; deflate's is known from its first two bytes.
_ZLIB_WBITS: dict[str, int | None] = {"gzip": _GZIP, "x-gzip": _GZIP, "deflate": None}


class Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class ZlibDecoder:
    """gzip or deflate, in pieces of at most PIECE bytes."""

    def __init__(self, wbits: int | None) -> None:
        # None: deflate, zlib-wrapped or raw (as some servers send it, and as httpx and curl
        # accept it), told apart by its first two bytes.
        self._inflate = None if wbits is None else zlib.decompressobj(wbits)
        self._start = b""

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._inflate is None:
            self._start += data
            if len(self._start) < 2:
                return
            data, self._start = self._start, b""
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS if _zlib_wrapped(data) else -zlib.MAX_WBITS)
        try:
            yield from _inflated(self._inflate, data)
        except zlib.error as exc:
            raise httpx.DecodingError(str(exc)) from exc

    def flush(self) -> Iterator[bytes]:
        if self._inflate is None:
            if self._start:
                raise httpx.DecodingError("compressed body ended early")
            return  # no body at all (HEAD, 204)
        try:
            out = self._inflate.flush()
        except zlib.error as exc:
            raise httpx.DecodingError(str(exc)) from exc
        if out:
            yield out
        # zlib hands over what it could decode of a stream cut short, without a word.
        if not self._inflate.eof:
            raise httpx.DecodingError("compressed body ended early")


def _zlib_wrapped(start: bytes) -> bool:
    """Whether deflate data starts with a zlib header (RFC 1950), checked as zlib checks it."""
    method, window = start[0] & 0x0F, start[0] >> 4
    return method == zlib.DEFLATED and window <= 7 and (start[0] << 8 | start[1]) % 31 == 0


def _inflated(inflate: zlib._Decompress, data: bytes) -> Iterator[bytes]:
    while True:
        out = inflate.decompress(data, PIECE)
        if out:
            yield out
        data = inflate.unconsumed_tail
        # A full piece may leave output pending inside zlib even once the input is used up.
        if not data and len(out) < PIECE:
            return


class HttpxDecoder:
    """One of httpx's decoders, a network piece at a time."""

    def __init__(self, decoder: ContentDecoder) -> None:
        self._decoder = decoder

    def decode(self, data: bytes) -> Iterator[bytes]:
        out = self._decoder.decode(data)
        if out:
            yield out

    def flush(self) -> Iterator[bytes]:
        out = self._decoder.flush()
        if out:
            yield out


class Unsupported:
    """A coding nobody here decodes: an error once there is a body to read."""

    def __init__(self, coding: str) -> None:
        self._coding = coding

    def decode(self, data: bytes) -> Iterator[bytes]:
        raise httpx.DecodingError(f"unsupported content-encoding {self._coding!r}")

    def flush(self) -> Iterator[bytes]:
        return iter(())


class Chain:
    """Several codings, undone in turn (the last one applied is the first undone)."""

    def __init__(self, stages: Sequence[Decoder]) -> None:
        self._stages = stages

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, [data])

    def flush(self) -> Iterator[bytes]:
        for index, stage in enumerate(self._stages):
            yield from self._through(index + 1, stage.flush())

    def _through(self, start: int, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for stage in self._stages[start:]:
            pieces = _decoded(stage, pieces)
        yield from pieces


def _decoded(stage: Decoder, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from stage.decode(piece)


def stage_for(coding: str) -> Decoder:
    if coding in _ZLIB_WBITS:
        return ZlibDecoder(_ZLIB_WBITS[coding])
    if coding in SUPPORTED_DECODERS:
        return HttpxDecoder(SUPPORTED_DECODERS[coding]())
    return Unsupported(coding)


def decoder_for(headers: httpx.Headers) -> Decoder | None:
    """The decoder for a body sent with ``headers``; None when it is sent as it is."""
    codings = [value.strip().lower() for value in headers.get_list("content-encoding", split_commas=True)]
    stages = [stage_for(coding) for coding in reversed(codings) if coding not in ("", "identity")]
    if not stages:
        return None
    return stages[0] if len(stages) == 1 else Chain(stages)


class DecodedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The pieces of ``inner`` decoded, each only when it is read."""

    def __init__(self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, decoder: Decoder) -> None:
        self._inner = inner
        self._decoder = decoder

    def __iter__(self) -> Iterator[bytes]:
        assert isinstance(self._inner, httpx.SyncByteStream)
        for piece in self._inner:
            yield from self._decoder.decode(piece)
        yield from self._decoder.flush()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._inner, httpx.AsyncByteStream)
        async for piece in self._inner:
            for out in self._decoder.decode(piece):
                yield out
        for out in self._decoder.flush():
            yield out

    def close(self) -> None:
        assert isinstance(self._inner, httpx.SyncByteStream)
        self._inner.close()

    async def aclose(self) -> None:
        assert isinstance(self._inner, httpx.AsyncByteStream)
        await self._inner.aclose()


def decoded(response: httpx.Response) -> httpx.Response:
    """``response`` with its body decoded as it is read, by the codings its headers name."""
    _decode(response)
    return response


def decode_here(response: httpx.Response) -> None:
    """A response hook for an httpx client: the body is decoded here, as for the curl transport,
    instead of by httpx (which has no bound per piece and hands an unknown coding on undecoded)."""
    if _decode(response):
        del response.headers["content-encoding"]


def _decode(response: httpx.Response) -> bool:
    """Have ``response``'s body decoded as it is read; whether it was encoded at all."""
    decoder = decoder_for(response.headers)
    if decoder is None:
        return False
    response.stream = DecodedStream(response.stream, decoder)
    return True
