"""Request matching: strict by default, configurable like vcrpy's ``match_on``, O(1) per request.

Named matchers (vcrpy's names) each compare one normalised part of a request:

==============  ===================================================================
``method``      the method, upper-case
``scheme``      ``https``
``host``        the host name, lower-case
``port``        the port (the scheme's default when absent)
``path``        the path
``query``       the query parameters, sorted; secret values (``?key=``) ignored
``uri``         scheme, host, port, path and query together
``headers``     every header but the ignored ones; cookies by name, secret headers by presence
``body``        the body as data: JSON as values, forms and multipart bodies as fields
                (a multipart boundary is ignored), secret values ignored; else the text
``raw_body``    the body byte for byte
==============  ===================================================================

The default, :data:`DEFAULT_MATCH_ON`, is strict: method, uri, headers, body.
A request's key is the tuple of its named parts, so finding its recording is
one dict lookup whatever the configuration; a request byte-for-byte equal to
a recording finds the key through that recording without computing it.

A custom matcher is a callable ``(recorded, sent) -> None`` that raises (any
exception; its message explains the difference) when two
:class:`RequestView` s do not match. Custom matchers cannot be indexed: they
are tried in turn on the recordings whose named parts match, a scan over those.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from .bodies import VOLATILE, canonical_body, parse_body
from .errors import ConfigurationError
from .rules import SecretRules, glob_regex
from .sanitize import normalise_cookie_header
from .terminal import escaped

#: Headers set by the transport, not by the caller: never compared.
DEFAULT_IGNORED_HEADERS = frozenset(
    {"content-length", "accept-encoding", "connection", "host", "transfer-encoding", "keep-alive"}
)
#: Headers that say which client made a request (its version, OS, runtime): a difference in these
#: alone means the client changed, not the request.
CLIENT_HEADERS = ("user-agent", "x-stainless-*", "sec-ch-ua*", "x-client-*", "x-sdk-*")
MATCHERS = ("method", "scheme", "host", "port", "path", "query", "uri", "headers", "body", "raw_body")
DEFAULT_MATCH_ON = ("method", "uri", "headers", "body")

Fields = Mapping[str, str]


class JsonSpelling(str):
    """A JSON body's value in its JSON spelling (``1``, ``"1"``, ``true``): shown as it is, since
    quoting it again would hide which of them it is."""

    __slots__ = ()


Key = tuple[object, ...]


@dataclass(frozen=True)
class RequestView:
    """What matching reads of a request, whether recorded or about to be sent (header names as given)."""

    method: str
    uri: str
    headers: Sequence[tuple[str, str]]
    body: bytes

    def __repr__(self) -> str:
        # Shown in tracebacks (pytest prints a frame's arguments), where a cassette's own secret rules
        # are not known: no header value, no query value, no password, no body.
        try:
            parts = urlsplit(self.uri)
            host = parts.hostname or ""
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            return f"RequestView({escaped(self.method)} <a URL that does not parse>)"
        query = "&".join(f"{name}=…" for name, _ in parse_qsl(parts.query, keep_blank_values=True))
        uri = f"{parts.scheme}://{host}{port}{parts.path}" + (f"?{query}" if query else "")
        names = ", ".join(name for name, _ in self.headers)
        shown = f"{self.method} {uri}, headers: {names}, body: {len(self.body)} bytes"
        return f"RequestView({escaped(shown)})"


CustomMatcher = Callable[[RequestView, RequestView], object]


@dataclass(frozen=True)
class MatchConfig:
    """What two requests must share to match.

    ``match_on``: matcher names and custom callables (default: strict);
    ``ignore_headers``: header names or globs (``x-stainless-*``), case-insensitive,
    ignored on top of :data:`DEFAULT_IGNORED_HEADERS`.
    """

    rules: SecretRules = field(default_factory=SecretRules)
    match_on: tuple[str | CustomMatcher, ...] = DEFAULT_MATCH_ON
    ignore_headers: tuple[str, ...] = ()
    named: tuple[str, ...] = field(init=False)
    custom: tuple[CustomMatcher, ...] = field(init=False)
    _ignored: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = [m for m in self.match_on if isinstance(m, str) and m not in MATCHERS]
        if unknown:
            raise ConfigurationError(
                f"unknown matcher(s) {', '.join(map(repr, unknown))}; one of: {', '.join(MATCHERS)}"
            )
        if isinstance(self.ignore_headers, str):
            raise ConfigurationError("ignore_headers takes a collection of names, not one string")
        object.__setattr__(self, "named", tuple(m for m in MATCHERS if m in self.match_on))
        object.__setattr__(self, "custom", tuple(m for m in self.match_on if not isinstance(m, str)))
        object.__setattr__(self, "_ignored", glob_regex((*DEFAULT_IGNORED_HEADERS, *self.ignore_headers)))

    def ignores(self, header: str) -> bool:
        return bool(self._ignored.match(header.lower()))


@dataclass(frozen=True)
class _Parts:
    method: str
    scheme: str
    host: str
    port: int
    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    content_type: str


def _parts(view: RequestView, config: MatchConfig) -> _Parts:
    """The request as matching compares it (secrets masked, cookie names only)."""
    parts = urlsplit(view.uri)
    rules = config.rules
    query = tuple(
        (name, VOLATILE if rules.is_secret_leaf(name, value) else value)
        for name, value in sorted(parse_qsl(parts.query, keep_blank_values=True))
    )
    headers: dict[str, str] = {}
    content_type = ""
    for name, value in view.headers:
        lower = name.lower()
        if lower == "content-type":
            content_type = value
        if config.ignores(lower):
            continue
        if lower == "cookie":
            value = normalise_cookie_header(value)
        elif value and rules.is_secret_header(lower):
            value = VOLATILE
        headers[lower] = f"{headers[lower]}, {value}" if lower in headers else value
    return _Parts(
        method=view.method.upper(),
        scheme=parts.scheme.lower(),
        host=(parts.hostname or "").lower(),
        port=parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0),
        path=parts.path or "/",
        query=query,
        headers=headers,
        content_type=content_type,
    )


def _part(name: str, parts: _Parts, view: RequestView, config: MatchConfig) -> object:
    if name == "uri":
        return (parts.scheme, parts.host, parts.port, parts.path, parts.query)
    if name == "headers":
        return tuple(sorted(parts.headers.items()))
    if name == "body":
        rules = config.rules
        return canonical_body(view.body, parts.content_type, rules.is_secret_leaf)
    if name == "raw_body":
        return view.body
    return getattr(parts, name)


def match_key(view: RequestView, config: MatchConfig) -> Key:
    """A hashable key equal for two requests exactly when the named matchers find them equal."""
    parts = _parts(view, config)
    return tuple(_part(name, parts, view, config) for name in config.named)


def request_fields(view: RequestView, config: MatchConfig) -> dict[str, str]:
    """The compared parts of a request flattened into named fields, to explain a miss field by field."""
    parts = _parts(view, config)
    named = set(config.named)
    fields: dict[str, str] = {}
    if "method" in named:
        fields["method"] = parts.method
    location = {"scheme": parts.scheme, "host": parts.host, "port": str(parts.port), "path": parts.path}
    for name, value in location.items():
        if name in named or "uri" in named:
            fields[name] = value
    if named & {"query", "uri"}:
        fields.update((f"query.{name}", value) for name, value in parts.query)
    if "headers" in named:
        fields.update((f"header.{name}", value) for name, value in parts.headers.items())
    if "body" in named:
        fields.update(_body_fields(view.body, parts.content_type, config))
    if "raw_body" in named:
        fields["raw_body"] = view.body.decode("utf-8", errors="replace")
    return fields


def _body_fields(body: bytes, content_type: str, config: MatchConfig) -> dict[str, str]:
    parsed = parse_body(body, content_type)
    if parsed is None:
        return {"body": body.decode("utf-8", errors="replace")} if body else {}
    fields: dict[str, str] = {}
    for leaf in parsed.leaves:
        if config.rules.is_secret_leaf(leaf.name, leaf.value):
            fields[leaf.path] = VOLATILE
        elif parsed.kind == "json":
            # JSON spelling keeps types apart: 1 vs "1" vs true.
            fields[leaf.path] = JsonSpelling(json.dumps(leaf.value, ensure_ascii=False))
        else:
            fields[leaf.path] = str(leaf.value)
    return fields


def differences(recorded: Fields, sent: Fields) -> list[str]:
    """One line per field that differs, recorded value first."""
    lines = []
    for name in sorted(set(recorded) | set(sent), key=_field_order):
        field = escaped(name)  # a query name or JSON key may hold any character
        if name not in sent:
            lines.append(f"{field}: recorded {_shown(recorded[name])}, not sent")
        elif name not in recorded:
            lines.append(f"{field}: sent {_shown(sent[name])}, not in the recording")
        elif recorded[name] != sent[name]:
            lines.append(f"{field}: recorded {_shown(recorded[name])} != sent {_shown(sent[name])}")
    return lines


def _shown(value: str) -> str:
    # repr() escapes every control character; a JSON spelling keeps C1's raw.
    return escaped(value) if isinstance(value, JsonSpelling) else repr(value)


_CLIENT_HEADERS = glob_regex(tuple(CLIENT_HEADERS))


def client_only(lines: Sequence[str]) -> list[str] | None:
    """The header names of differences that only identify the client; None if others differ too."""
    names = [line.split(":", 1)[0].removeprefix("header.") for line in lines]
    if (
        names
        and all(line.startswith("header.") for line in lines)
        and all(_CLIENT_HEADERS.match(n) for n in names)
    ):
        return names
    return None


def client_patterns(names: Iterable[str]) -> list[str]:
    """The :data:`CLIENT_HEADERS` entries (globs where they are) that cover ``names``."""
    return sorted({next(p for p in CLIENT_HEADERS if fnmatch.fnmatch(name, p)) for name in names})


def _field_order(name: str) -> tuple[int, str]:
    rank = {"method": 0, "scheme": 1, "host": 1, "port": 1, "path": 1}.get(name)
    if rank is None:
        rank = 2 if name.startswith("query.") else 3 if name.startswith("header.") else 4
    return rank, name


class RequestIndex:
    """Recorded requests, each played once, in order.

    A live request byte-for-byte equal to a recording (the usual case on replay)
    is found by its :func:`exact_key` alone: no match key is computed, no body
    parsed, whatever its size. Match keys are computed only when a request is
    not found that way, for every recording at once, once.
    """

    def __init__(self, config: MatchConfig, *, allow_repeats: bool = False) -> None:
        self.config = config
        self.allow_repeats = allow_repeats
        self._views: list[RequestView] = []
        self._keys: list[Key | None] = []
        self._played: list[bool] = []
        self._play_order: list[int] = []
        self._by_exact: dict[Key, deque[int]] = {}
        self._by_key: dict[Key, deque[int]] | None = None
        self._last_exact: dict[Key, int] = {}

    def add(self, view: RequestView) -> int:
        position = len(self._views)
        self._views.append(view)
        self._keys.append(None)
        self._played.append(False)
        lowered = RequestView(
            view.method, view.uri, [(name.lower(), value) for name, value in view.headers], view.body
        )
        self._by_exact.setdefault(exact_key(lowered), deque()).append(position)
        if self._by_key is not None:
            self._by_key.setdefault(self._key_at(position), deque()).append(position)
        return position

    def _key_at(self, position: int) -> Key:
        key = self._keys[position]
        if key is None:
            key = self._keys[position] = match_key(self._views[position], self.config)
        return key

    def _buckets(self) -> dict[Key, deque[int]]:
        if self._by_key is None:
            self._by_key = {}
            for position in range(len(self._views)):
                self._by_key.setdefault(self._key_at(position), deque()).append(position)
        return self._by_key

    def _unplayed(self, bucket: deque[int] | None) -> Iterator[int]:
        """The bucket's unplayed positions in order, found as they are asked for: requests that share
        a key (bodies of one length) are taken one by one, and a take looks no further than its match."""
        while bucket and self._played[bucket[0]]:
            bucket.popleft()
        return (position for position in bucket or () if not self._played[position])

    def take(self, view: RequestView) -> int | None:
        """The position of the first unplayed recording matching ``view``, marked played."""
        if not self.config.custom:
            exact = exact_key(view)
            for position in self._unplayed(self._by_exact.get(exact)):
                # Bodies compared here, not hashed into the key: a memcmp beats hashing megabytes.
                if self._views[position].body == view.body:
                    if self.allow_repeats:  # kept only then: each key holds the request's headers
                        self._last_exact[exact] = position
                    return self._play(position)
            again = self._last_exact.get(exact)
            if self.allow_repeats and again is not None and self._views[again].body == view.body:
                return again
        key = match_key(view, self.config)
        candidates = self._unplayed(self._buckets().get(key))
        if self.config.custom:
            candidates = (p for p in candidates if not self.custom_failures(self._views[p], view))
        first = next(candidates, None)
        if first is not None:
            return self._play(first)
        return self.played_before(view) if self.allow_repeats else None

    def _play(self, position: int) -> int:
        self._played[position] = True
        self._play_order.append(position)
        return position

    def custom_failures(self, recorded: RequestView, sent: RequestView) -> list[str]:
        """What each custom matcher that refuses the pair says."""
        failures = []
        for matcher in self.config.custom:
            try:
                matcher(recorded, sent)
            except Exception as refusal:  # noqa: BLE001 - a matcher says no by raising anything
                name = getattr(matcher, "__name__", type(matcher).__name__)
                failures.append(f"{name}: {refusal or type(refusal).__name__}")
        return failures

    def played_before(self, view: RequestView) -> int | None:
        """The last played recording that matches ``view``, if any."""
        key = match_key(view, self.config)
        for position in reversed(self._play_order):
            if self._key_at(position) == key and not self.custom_failures(self._views[position], view):
                return position
        return None

    def nearest(self, view: RequestView) -> tuple[int, list[str]] | None:
        """The recording with the fewest differing fields, and those differences."""
        sent = request_fields(view, self.config)
        best: tuple[int, list[str]] | None = None
        for position, recorded in enumerate(self._views):
            lines = differences(request_fields(recorded, self.config), sent)
            lines += self.custom_failures(recorded, view)
            if best is None or len(lines) < len(best[1]):
                best = (position, lines)
        return best

    def __len__(self) -> int:
        return len(self._views)


def exact_key(view: RequestView) -> Key:
    """The request byte for byte (its body by length; equal bodies are compared in
    :meth:`RequestIndex.take`), but for the headers every configuration ignores (``host``,
    ``content-length``…, which a recording may lack): equal ones have equal match keys, so on replay
    the key is found without computing it (no body parsed, whatever its size). Header names must be
    lower-case (adapters give them so; the index lowers the recorded ones once)."""
    headers = tuple(pair for pair in view.headers if pair[0] not in DEFAULT_IGNORED_HEADERS)
    return (view.method, view.uri, headers, len(view.body))
