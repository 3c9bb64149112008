"""The cassette file: vcrpy's YAML format (version 1) plus wiretape's own keys.

Stock vcrpy reads ``interactions[*].request`` and ``interactions[*].response``
and ignores everything else, so wiretape keeps its additions beside them:
``interactions[*].wiretape`` (chunk sizes and delays, a transport error that
ended the stream) and a top-level ``wiretape`` mapping (provenance). The
response body is stored whole, as vcrpy expects; the chunk list says how it
was cut on the wire.
"""

from __future__ import annotations

import functools
import math
import os
import re
import secrets
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from . import parse_cache
from .errors import CassetteFormatError, CassetteTooLargeError

if TYPE_CHECKING:
    # yaml is imported where a cassette is parsed or written, not here: a replay from the parse cache
    # never needs it, and `import wiretape` stays light.
    import yaml

FORMAT_VERSION = 1
#: The kinds a recorded transport failure can have (before the response, or ending its body): httpx's names.
FAILURE_KINDS = (
    "ConnectError",
    "ConnectTimeout",
    "RemoteProtocolError",
    "ReadError",
    "ReadTimeout",
    "WriteError",
    "NetworkError",
    "TimeoutException",
)
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
    #: The content-encoding the body was decoded from before it was stored (``gzip``…), if any.
    decoded_from: str | None = None
    #: The client stopped reading here: the upstream may have sent more, which was not recorded.
    truncated_by_client: bool = False
    #: Provenance: the client library that recorded it (``library``, ``impersonate``…); never matched.
    client: dict[str, str] | None = None

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


@functools.cache
def _yaml() -> Any:
    """yaml, imported on first use and then kept. A runner that forgets the modules a run imported
    (pytester) would otherwise import it anew, and libyaml's parser, loaded once per process, would
    go on building the first import's nodes: a valid file then reads as "no constructor for tag None"."""
    import yaml

    return yaml


@functools.cache
def _dumper() -> type[yaml.CSafeDumper]:
    dumper: type[yaml.CSafeDumper] = type("Dumper", (_yaml().CSafeDumper,), {})
    dumper.add_representer(str, _represent_str)
    return dumper


def _represent_str(dumper: yaml.CSafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and _block_safe(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _block_safe(value: str) -> bool:
    # Literal blocks cannot keep trailing spaces on lines or carriage returns faithfully.
    return "\r" not in value and not any(line.endswith((" ", "\t")) for line in value.split("\n"))


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


def to_document(data: CassetteData, *, exact: bool = False) -> dict[str, Any]:
    """The document a cassette file holds. ``exact`` (for the parse cache) keeps bodies as bytes and
    pauses unrounded: the document reads back to data equal to ``data``."""

    def body_out(body: bytes) -> str | bytes | None:
        return body if exact else _body_out(body)

    def seconds(value: float) -> float:
        return value if exact else round(value, 6)

    interactions = []
    for interaction in data.interactions:
        request, response = interaction.request, interaction.response
        extra: dict[str, Any] = {
            "chunks": [[chunk.size, seconds(chunk.delay)] for chunk in response.chunks],
            "header_delay": seconds(response.header_delay),
        }
        if response.error is not None:
            extra["error"] = {"kind": response.error.kind, "message": response.error.message}
        if response.decoded_from:
            extra["decoded"] = response.decoded_from
        if response.truncated_by_client:
            extra["truncated_by_client"] = True
        if response.client:
            extra["client"] = dict(response.client)
        interactions.append(
            {
                "request": {
                    "method": request.method,
                    "uri": request.uri,
                    "headers": _headers_out(request.headers),
                    "body": body_out(request.body),
                },
                "response": {
                    "status": {"code": response.status, "message": response.reason},
                    "headers": _headers_out(response.headers),
                    "body": {"string": body_out(response.body)},
                },
                "wiretape": extra,
            }
        )
    document: dict[str, Any] = {"interactions": interactions, "version": FORMAT_VERSION}
    if data.metadata:
        document["wiretape"] = data.metadata
    return document


def dumps(data: CassetteData) -> str:
    text: str = _yaml().dump(to_document(data), **_DUMP_OPTIONS, Dumper=_dumper())
    return text


class TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


def dump(data: CassetteData, stream: TextSink) -> None:
    """:func:`dumps` into ``stream`` as it is emitted: a large cassette is never held as one text."""
    _yaml().dump(to_document(data), stream, **_DUMP_OPTIONS, Dumper=_dumper())


_DUMP_OPTIONS: dict[str, Any] = {"allow_unicode": True, "sort_keys": False, "width": 1000}


# ---------------------------------------------------------------- writing


def _temporaries(path: Path) -> list[Path]:
    return list(path.parent.glob(f".{glob_escape(path.name)}.*.tmp"))


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def remove_stale_temporaries(path: Path) -> None:
    """Delete temp files a killed writer of ``path`` left behind; call it holding the cassette's lock."""
    for stale in _temporaries(path):
        stale.unlink(missing_ok=True)


def write_cassette(path: Path, data: CassetteData) -> None:
    """Write ``data`` to ``path`` atomically, emitted straight into the file; refused, with nothing
    written, past :data:`MAX_CASSETTE_BYTES` (a cassette that large could not be read back)."""
    try:
        write_atomically_with(path, lambda stream: dump(data, _Bounded(stream, MAX_CASSETTE_BYTES)))
    except _TooLarge:
        raise CassetteTooLargeError(
            f"{path}: not written: its recordings come to more than the {MAX_CASSETTE_BYTES} bytes a "
            "cassette may have (it could not be read back); split them over several cassettes (one per "
            "test), or leave the largest answers out of the recording"
        ) from None


class _TooLarge(Exception):
    """Raised by :class:`_Bounded` through the YAML emitter, turned into CassetteTooLargeError."""


class _Bounded:
    """A text stream that refuses to take more than ``limit`` bytes of UTF-8."""

    def __init__(self, stream: IO[str], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._size = 0

    def write(self, text: str) -> int:
        # An ASCII piece (nearly all of them) is as many bytes as characters; another is encoded to count.
        self._size += len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        if self._size > self._limit:
            raise _TooLarge
        return self._stream.write(text)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves either the old file or the new one.

    The file keeps its mode when it is replaced; a new one gets the default mode (0666 less the umask).
    """
    write_atomically_with(path, lambda stream: stream.write(text))


def write_atomically_with(path: Path, write: Callable[[IO[str]], object]) -> None:
    """:func:`write_atomically`, the text given by ``write`` into a stream; if it raises, the old file
    stays and the temporary one goes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            write(stream)
            stream.flush()
            if mode is not None:
                os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- reading (untrusted input, bounded)

#: A cassette larger than this is refused unread.
MAX_CASSETTE_BYTES = 256 << 20
#: Deepest nesting of YAML collections (a cassette needs about 8).
MAX_DEPTH = 64
#: Most YAML nodes a document may hold once its aliases are expanded (alias bombs).
MAX_NODES = 5_000_000
#: The longest pause a cassette may record before a chunk or the headers, in seconds.
MAX_DELAY = 3600.0


def load(path: Path, *, cache: bool = True) -> CassetteData:
    """Read a cassette, or raise :class:`CassetteFormatError` saying what is wrong with it.

    ``cache=False`` keeps the file out of the parse cache (``lint`` reads unsanitised files).
    """
    try:
        size = path.stat().st_size
        if size > MAX_CASSETTE_BYTES:
            raise CassetteFormatError(
                f"{path}: {size} bytes, more than the {MAX_CASSETTE_BYTES} a cassette may have"
            )
        content = path.read_bytes()
    except OSError as exc:
        raise CassetteFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    return _load(content, None, str(path), cache)


def loads(text: str, *, source: str = "<cassette>", cache: bool = True) -> CassetteData:
    try:
        content = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: no file holds it, and YAML cannot read it
        raise CassetteFormatError(
            f"{source}: not UTF-8 text (a lone surrogate at character {exc.start})"
        ) from None
    return _load(content, text, source, cache)


def _load(content: bytes, text: str | None, source: str, cache: bool) -> CassetteData:
    """The cassette in ``content`` (the file's bytes; ``text`` their decoding, when the caller has it).

    A cached document is looked up by the bytes: a cassette seen before is never decoded to text.
    """
    document = parse_cache.get(content) if cache else None
    if document is not None:
        try:
            return _from_document(document, source)
        except (CassetteFormatError, ValueError):
            pass  # a damaged entry (only a valid cassette is put in): the file is parsed, the entry replaced
    if text is None:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CassetteFormatError(f"{source}: not UTF-8 text ({exc.reason})") from None
    _check_structure(text, source)
    data = _from_document(_parse(text, source), source)
    if cache and _text_keys(data.metadata):
        # Only a valid cassette is cached, as the data it gave: its bodies already bytes. Metadata keyed
        # by YAML's 1, true or null is not: JSON would write the key as text ("1", "true", "null").
        parse_cache.put(content, to_document(data, exact=True))
    return data


def _text_keys(value: Any) -> bool:
    """Whether every mapping in ``value`` is keyed by text only (walked without recursion)."""
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if not all(type(key) is str for key in value):
                return False
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True


class _Frame:
    __slots__ = ("anchor", "children", "keys", "mapping", "nodes")

    def __init__(self, anchor: str | None, mapping: bool) -> None:
        self.anchor = anchor
        self.mapping = mapping
        self.nodes = 1
        self.children = 0
        self.keys: set[str] = set()


def _check_structure(text: str, source: str) -> None:
    """Refuse, before building anything, deep nesting, alias bombs and duplicate keys.

    Walks libyaml's events (an iterative parser: no recursion however deep the
    input); each alias counts as the nodes it stands for.
    """
    yaml = _yaml()
    stack: list[_Frame] = [_Frame(None, mapping=False)]
    sizes: dict[str, int] = {}

    def add(nodes: int, key: str | None) -> None:
        parent = stack[-1]
        if parent.mapping and parent.children % 2 == 0 and key is not None:
            if key in parent.keys:
                raise CassetteFormatError(f"{source}: duplicate key {key!r} in one mapping")
            parent.keys.add(key)
        parent.children += 1
        parent.nodes += nodes
        if parent.nodes > MAX_NODES:
            raise CassetteFormatError(f"{source}: more than {MAX_NODES} YAML nodes (aliases expanded)")

    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) > MAX_DEPTH:
                    raise CassetteFormatError(f"{source}: collections nested deeper than {MAX_DEPTH} levels")
                stack.append(_Frame(event.anchor, mapping=isinstance(event, yaml.MappingStartEvent)))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                if frame.anchor:
                    sizes[frame.anchor] = frame.nodes
                add(frame.nodes, None)
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    sizes[event.anchor] = 1
                add(1, event.value)
            elif isinstance(event, yaml.AliasEvent):
                add(sizes.get(event.anchor or "", 1), None)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, text) from None


def _yaml_error(exc: yaml.YAMLError, source: str, text: str) -> CassetteFormatError:
    position = getattr(exc, "position", None)
    if isinstance(position, int) and getattr(exc, "problem_mark", None) is None:
        # The reader (a character YAML refuses anywhere) gives an offset into the text: as line, column.
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        where = f"line {line}, column {column}"
        return CassetteFormatError(f"{source}: not valid YAML at {where}: {str(exc).splitlines()[0]}")
    problem = getattr(exc, "problem", None) or str(exc)
    # Where libyaml noticed, and what it was reading then: a bracket left open shows at the next line.
    context, started = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    noticed = getattr(exc, "problem_mark", None)
    opened = ""
    if context and started is not None and (noticed is None or _position(started) != _position(noticed)):
        opened = f" ({context} at {_position(started)})"
    return CassetteFormatError(f"{source}: not valid YAML{_at(noticed)}: {problem}{opened}")


def _at(mark: yaml.Mark | None) -> str:
    return f" at {_position(mark)}" if mark is not None else ""


def _position(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _parse(text: str, source: str) -> Any:
    yaml = _yaml()
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.constructor.ConstructorError as exc:
        raise CassetteFormatError(
            f"{source}: rejected a YAML tag that a cassette never holds ({exc.problem}); "
            "cassettes are read with a safe loader only"
        ) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, text) from None
    except ValueError as exc:  # an integer too long to convert, a date out of range
        raise CassetteFormatError(f"{source}: a value cannot be read: {exc}") from None


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


def _header_text(item: Any) -> str | None:
    """A header value as vcrpy's readers accept it: text, bytes (``!!binary``), a number, or a list of
    those (a hand redaction ``[REDACTED]`` inside the value list); None for anything else."""
    if isinstance(item, bytes):
        try:
            return item.decode("utf-8")
        except UnicodeDecodeError:
            return item.decode("latin-1")
    if isinstance(item, list):
        parts = [_header_text(part) for part in item]
        return None if any(part is None for part in parts) else ", ".join(str(part) for part in parts)
    if isinstance(item, bool) or not isinstance(item, (str, int, float)):
        return None
    return str(item)


def _headers_in(value: Any, source: str, where: str) -> Headers:
    _require(isinstance(value, Mapping), source, f"{where} must be a mapping of name to list of values")
    # Grouped by name, as the file is written back (and the parse cache stores it): two keys can give one
    # name (0x1 and '1').
    grouped: dict[str, list[str]] = {}
    for name, values in value.items():
        group = grouped.setdefault(_header_text(name) or str(name), [])
        for item in values if isinstance(values, list) else [values]:
            text = _header_text(item)
            _require(text is not None, source, f"{where}.{name} holds a value that is not text")
            group.append(str(text))
    return [(name, text) for name, texts in grouped.items() for text in texts]


def _vcrpy_httpx_legacy(response: Mapping[str, Any]) -> Mapping[str, Any]:
    """The response layout vcrpy wrote for httpx before 6.0 (``status_code``, ``content``,
    ``http_version``), in today's layout; its body is decoded as vcrpy decodes it on replay."""
    if "status_code" not in response or "status" in response:
        return response
    return {
        "status": {"code": response.get("status_code"), "message": ""},
        "headers": response.get("headers") or {},
        "body": {"string": response.get("content")},
        "legacy_httpx": True,
    }


def _delay(value: Any, source: str, where: str) -> float:
    """A pause in seconds: a finite number from 0 to :data:`MAX_DELAY`."""
    _require(
        not isinstance(value, bool) and isinstance(value, (int, float)),
        source,
        f"{where} must be a number of seconds, not {type(value).__name__}",
    )
    _require(
        math.isfinite(value) and 0 <= value <= MAX_DELAY,
        source,
        f"{where} must be between 0 and {MAX_DELAY:.0f} seconds, not {value!r}",
    )
    return float(value)


def _status(value: Any, source: str, where: str) -> int:
    """An HTTP status (100-599), or 0 for a request that got no response."""
    _require(
        not isinstance(value, bool) and isinstance(value, int) and (value == 0 or 100 <= value <= 599),
        source,
        f"{where} must be an HTTP status from 100 to 599 (or 0: no response), not {value!r}",
    )
    return int(value)


def _uri(value: Any, source: str, where: str) -> str:
    _require(isinstance(value, str) and bool(value), source, f"{where} must be a URL")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError as exc:
        raise CassetteFormatError(f"{source}: {where} is not a valid URL ({exc})") from None
    _require(bool(parts.scheme and parts.netloc), source, f"{where} must be an absolute URL")
    return str(value)


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
    if not isinstance(request, Mapping):
        raise CassetteFormatError(f"{source}: {where}.request is missing")
    if not isinstance(response, Mapping):
        raise CassetteFormatError(f"{source}: {where}.response is missing")
    response = _vcrpy_httpx_legacy(response)
    _require(
        isinstance(request.get("method"), str) and bool(request.get("method")),
        source,
        f"{where}.request.method must be a string",
    )
    status = response.get("status")
    if not isinstance(status, Mapping):
        raise CassetteFormatError(f"{source}: {where}.response.status must be a mapping with 'code'")
    code = _status(status.get("code"), source, f"{where}.response.status.code")
    body = response.get("body") or {"string": None}
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
    client = extra.get("client")
    _require(
        client is None or (isinstance(client, Mapping) and all(isinstance(v, str) for v in client.values())),
        source,
        f"{where}.wiretape.client must be a mapping of names to text",
    )
    _require(
        code != 0 or error is not None,
        source,
        f"{where}: status 0 (no response) needs the failure that came instead (wiretape.error)",
    )
    if error is not None:
        _require(
            error["kind"] in FAILURE_KINDS,
            source,
            f"{where}.wiretape.error.kind {error['kind']!r} is not one of: {', '.join(FAILURE_KINDS)}",
        )
    decoded_from = extra.get("decoded")
    _require(
        decoded_from is None or isinstance(decoded_from, str),
        source,
        f"{where}.wiretape.decoded must be a name",
    )
    interaction = Interaction(
        request=RecordedRequest(
            method=str(request["method"]),
            uri=_uri(request.get("uri"), source, f"{where}.request.uri"),
            headers=_headers_in(request.get("headers") or {}, source, f"{where}.request.headers"),
            body=_body_in(request.get("body"), source, f"{where}.request.body"),
        ),
        response=RecordedResponse(
            status=code,
            reason=str(status.get("message") or ""),
            headers=_headers_in(response.get("headers") or {}, source, f"{where}.response.headers"),
            body=response_body,
            chunks=chunks,
            header_delay=_delay(extra.get("header_delay") or 0.0, source, f"{where}.wiretape.header_delay"),
            error=RecordedFailure(str(error["kind"]), str(error.get("message", ""))) if error else None,
            decoded_from=decoded_from or None,  # '' names no coding (and is not written back)
            truncated_by_client=extra.get("truncated_by_client") is True,
            client={str(k): str(v) for k, v in client.items()} if client else None,
        ),
    )
    if response.get("legacy_httpx"):
        from .encodings import decoded  # encodings reads this module's types

        interaction.response = decoded(interaction.response)
    return interaction


def _chunks(raw: Any, body_size: int, source: str, where: str) -> list[Chunk]:
    _require(isinstance(raw, list), source, f"{where} must be a list of [size, delay]")
    try:
        # Most cassettes are well formed: one pass over them; the checks below say what is wrong. An entry
        # must be a list: bytes (!!binary) or a set of two items would unpack as a pair too.
        chunks = [
            Chunk(size, float(delay))
            for entry in raw
            if type(entry) is list
            for size, delay in (entry,)
            if type(size) is int and size >= 0 and type(delay) in (int, float) and 0 <= delay <= MAX_DELAY
        ]
    except (TypeError, ValueError):
        chunks = []
    if len(chunks) != len(raw):
        chunks = [_chunk(entry, source, f"{where}[{index}]") for index, entry in enumerate(raw)]
    if chunks:
        total = sum(chunk.size for chunk in chunks)
        _require(
            total == body_size, source, f"{where} sizes add up to {total}, the body has {body_size} bytes"
        )
    return chunks


def _chunk(entry: Any, source: str, where: str) -> Chunk:
    _require(
        isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], int)
        and not isinstance(entry[0], bool)
        and entry[0] >= 0,
        source,
        f"{where} must be a [size, delay] pair",
    )
    return Chunk(size=entry[0], delay=_delay(entry[1], source, f"{where} delay"))
