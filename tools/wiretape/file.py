"""The cassette file: vcrpy's YAML format (version 1) plus wiretape's own keys.

Stock vcrpy reads ``interactions[*].request`` and ``interactions[*].response``
and ignores everything else, so wiretape keeps its additions beside them:
``interactions[*].wiretape`` (chunk sizes and delays, a transport error that
ended the stream) and a top-level ``wiretape`` mapping (provenance). The
response body is stored whole, as vcrpy expects; the chunk list says how it
was cut on the wire.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import parse_cache
from .errors import CassetteFormatError

FORMAT_VERSION = 1
Headers = list[tuple[str, str]]


@dataclass
class RecordedRequest:
    method: str
    uri: str
    headers: Headers
    body: bytes


@dataclass
class Chunk:
    size: int
    delay: float


@dataclass
class RecordedFailure:
    """The transport error that ended a recorded response (or came instead of it): its class name and text."""

    kind: str
    message: str


@dataclass
class RecordedResponse:
    status: int
    reason: str
    headers: Headers
    body: bytes
    chunks: list[Chunk] = field(default_factory=list)
    header_delay: float = 0.0
    error: RecordedFailure | None = None

    def pieces(self) -> list[bytes]:
        """The body cut as it was on the wire (one piece when no chunk list was recorded)."""
        if not self.chunks:
            return [self.body] if self.body else []
        pieces, offset = [], 0
        for chunk in self.chunks:
            pieces.append(self.body[offset : offset + chunk.size])
            offset += chunk.size
        return pieces


@dataclass
class Interaction:
    request: RecordedRequest
    response: RecordedResponse


@dataclass
class CassetteData:
    interactions: list[Interaction] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- YAML


class _Dumper(yaml.CSafeDumper):
    pass


def _represent_str(dumper: _Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and _block_safe(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _block_safe(value: str) -> bool:
    # Literal blocks cannot keep trailing spaces on lines or carriage returns faithfully.
    return "\r" not in value and not any(line.endswith((" ", "\t")) for line in value.split("\n"))


_Dumper.add_representer(str, _represent_str)


def _body_out(body: bytes) -> str | bytes | None:
    if not body:
        return None if body is None else ""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


def _headers_out(headers: Headers) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name, []).append(value)
    return grouped


def to_document(data: CassetteData) -> dict[str, Any]:
    interactions = []
    for interaction in data.interactions:
        request, response = interaction.request, interaction.response
        extra: dict[str, Any] = {
            "chunks": [[chunk.size, round(chunk.delay, 6)] for chunk in response.chunks],
            "header_delay": round(response.header_delay, 6),
        }
        if response.error is not None:
            extra["error"] = {"kind": response.error.kind, "message": response.error.message}
        interactions.append(
            {
                "request": {
                    "method": request.method,
                    "uri": request.uri,
                    "headers": _headers_out(request.headers),
                    "body": _body_out(request.body),
                },
                "response": {
                    "status": {"code": response.status, "message": response.reason},
                    "headers": _headers_out(response.headers),
                    "body": {"string": _body_out(response.body)},
                },
                "wiretape": extra,
            }
        )
    document: dict[str, Any] = {"interactions": interactions, "version": FORMAT_VERSION}
    if data.metadata:
        document["wiretape"] = data.metadata
    return document


def dumps(data: CassetteData) -> str:
    return yaml.dump(to_document(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path) -> CassetteData:
    """Read a cassette, or raise :class:`CassetteFormatError` saying what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CassetteFormatError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise CassetteFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    return loads(text, source=str(path))


def loads(text: str, *, source: str = "<cassette>") -> CassetteData:
    document = parse_cache.get(text)
    if document is None:
        document = _parse(text, source)
        parse_cache.put(text, document)
    return _from_document(document, source)


def _parse(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.constructor.ConstructorError as exc:
        raise CassetteFormatError(
            f"{source}: rejected a YAML tag that a cassette never holds ({exc.problem}); "
            "cassettes are read with a safe loader only"
        ) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CassetteFormatError(f"{source}: not valid YAML{line}: {problem}") from None


def _require(condition: bool, source: str, what: str) -> None:
    if not condition:
        raise CassetteFormatError(f"{source}: {what}")


def _body_in(value: Any, source: str, where: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    _require(isinstance(value, str), source, f"{where} must be a string")
    return str(value).encode("utf-8")


def _headers_in(value: Any, source: str, where: str) -> Headers:
    _require(isinstance(value, Mapping), source, f"{where} must be a mapping of name to list of values")
    headers: Headers = []
    for name, values in value.items():
        values = values if isinstance(values, list) else [values]
        for item in values:
            _require(isinstance(item, (str, int, float)), source, f"{where}.{name} holds a non-string value")
            headers.append((str(name), str(item)))
    return headers


def _from_document(document: Any, source: str) -> CassetteData:
    _require(isinstance(document, Mapping), source, "not a cassette (expected a mapping at the top)")
    _require(document.get("version") == FORMAT_VERSION, source, f"version must be {FORMAT_VERSION}")
    raw = document.get("interactions")
    _require(isinstance(raw, list), source, "'interactions' must be a list")
    interactions = [_interaction(item, source, f"interactions[{index}]") for index, item in enumerate(raw)]
    metadata = document.get("wiretape") or {}
    _require(isinstance(metadata, Mapping), source, "'wiretape' must be a mapping")
    return CassetteData(interactions=interactions, metadata=dict(metadata))


def _interaction(item: Any, source: str, where: str) -> Interaction:
    _require(isinstance(item, Mapping), source, f"{where} must be a mapping")
    request, response = item.get("request"), item.get("response")
    _require(isinstance(request, Mapping), source, f"{where}.request is missing")
    _require(isinstance(response, Mapping), source, f"{where}.response is missing")
    for key in ("method", "uri"):
        _require(isinstance(request.get(key), str), source, f"{where}.request.{key} must be a string")
    status = response.get("status")
    _require(
        isinstance(status, Mapping) and isinstance(status.get("code"), int),
        source,
        f"{where}.response.status.code must be an integer",
    )
    body = response.get("body")
    _require(isinstance(body, Mapping), source, f"{where}.response.body must be a mapping with 'string'")
    response_body = _body_in(body.get("string"), source, f"{where}.response.body.string")
    extra = item.get("wiretape") or {}
    _require(isinstance(extra, Mapping), source, f"{where}.wiretape must be a mapping")
    chunks = _chunks(extra.get("chunks") or [], len(response_body), source, f"{where}.wiretape.chunks")
    error = extra.get("error")
    if error is not None:
        _require(
            isinstance(error, Mapping) and isinstance(error.get("kind"), str),
            source,
            f"{where}.wiretape.error must have a 'kind'",
        )
    return Interaction(
        request=RecordedRequest(
            method=str(request["method"]),
            uri=str(request["uri"]),
            headers=_headers_in(request.get("headers") or {}, source, f"{where}.request.headers"),
            body=_body_in(request.get("body"), source, f"{where}.request.body"),
        ),
        response=RecordedResponse(
            status=int(status["code"]),
            reason=str(status.get("message") or ""),
            headers=_headers_in(response.get("headers") or {}, source, f"{where}.response.headers"),
            body=response_body,
            chunks=chunks,
            header_delay=float(extra.get("header_delay") or 0.0),
            error=RecordedFailure(str(error["kind"]), str(error.get("message", ""))) if error else None,
        ),
    )


def _chunks(raw: Any, body_size: int, source: str, where: str) -> list[Chunk]:
    _require(isinstance(raw, list), source, f"{where} must be a list of [size, delay]")
    chunks = []
    for entry in raw:
        _require(
            isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int) and entry[0] >= 0,
            source,
            f"{where} must hold [size, delay] pairs",
        )
        chunks.append(Chunk(size=entry[0], delay=float(entry[1])))
    if chunks:
        total = sum(chunk.size for chunk in chunks)
        _require(
            total == body_size, source, f"{where} sizes add up to {total}, the body has {body_size} bytes"
        )
    return chunks
