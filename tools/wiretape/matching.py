"""Strict request matching: method, URL, headers and body, with volatile values ignored.

A request is flattened into named fields (``method``, ``url``, ``query.q``,
``header.user-agent``, ``body.messages[0].content`` …). Two requests match
when their fields are equal, so the lookup is one hash of the flattened
request (O(1) per request, O(N) to replay N interactions), and a miss can be
explained field by field against the nearest recording. The lookup key is
built without flattening (one canonical JSON dump of the body); the fields are
computed only to explain a miss.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from .bodies import VOLATILE, canonical_body, parse_body
from .rules import SecretRules
from .sanitize import normalise_cookie_header

#: Headers set by the transport, not by the provider: never compared.
DEFAULT_IGNORED_HEADERS = frozenset(
    {"content-length", "accept-encoding", "connection", "host", "transfer-encoding", "keep-alive"}
)

Fields = Mapping[str, str]
Key = tuple[object, ...]


@dataclass(frozen=True)
class MatchConfig:
    rules: SecretRules = field(default_factory=SecretRules)
    ignored_headers: frozenset[str] = DEFAULT_IGNORED_HEADERS


@dataclass(frozen=True)
class RequestView:
    """What matching reads of a request, whether recorded or about to be sent."""

    method: str
    uri: str
    headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class _Normalised:
    method: str
    url: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    content_type: str


def _normalise(view: RequestView, config: MatchConfig) -> _Normalised:
    """Method, URL, query and headers as matching compares them (secrets masked, cookie names only)."""
    parts = urlsplit(view.uri)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
    url = f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}{parts.path or '/'}"
    rules = config.rules
    query = [
        (name, VOLATILE if rules.is_secret_leaf(name, value) else value)
        for name, value in sorted(parse_qsl(parts.query, keep_blank_values=True))
    ]
    headers: dict[str, str] = {}
    content_type = ""
    for name, value in view.headers:
        lower = name.lower()
        if lower == "content-type":
            content_type = value
        if lower in config.ignored_headers:
            continue
        if lower == "cookie":
            value = normalise_cookie_header(value)
        elif value and rules.is_secret_header(lower):
            value = VOLATILE
        headers[lower] = f"{headers[lower]}, {value}" if lower in headers else value
    return _Normalised(view.method.upper(), url, query, headers, content_type)


def match_key(view: RequestView, config: MatchConfig) -> Key:
    """A hashable key equal for two requests exactly when their :func:`request_fields` are equal."""
    normal = _normalise(view, config)
    body = canonical_body(
        view.body, normal.content_type, config.rules.is_secret_leaf, config.rules.may_name_secret
    )
    return (normal.method, normal.url, tuple(normal.query), tuple(sorted(normal.headers.items())), body)


def request_fields(view: RequestView, config: MatchConfig) -> dict[str, str]:
    """The request flattened into named fields, to explain a miss field by field."""
    normal = _normalise(view, config)
    fields: dict[str, str] = {"method": normal.method, "url": normal.url}
    fields.update((f"query.{name}", value) for name, value in normal.query)
    fields.update((f"header.{name}", value) for name, value in normal.headers.items())
    fields.update(_body_fields(view.body, normal.content_type, config))
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
            fields[leaf.path] = json.dumps(leaf.value, ensure_ascii=False)
        else:
            fields[leaf.path] = str(leaf.value)
    return fields


def differences(recorded: Fields, sent: Fields) -> list[str]:
    """One line per field that differs, recorded value first."""
    lines = []
    for name in sorted(set(recorded) | set(sent), key=_field_order):
        if name not in sent:
            lines.append(f"{name}: recorded {recorded[name]!r}, not sent")
        elif name not in recorded:
            lines.append(f"{name}: sent {sent[name]!r}, not in the recording")
        elif recorded[name] != sent[name]:
            lines.append(f"{name}: recorded {recorded[name]!r} != sent {sent[name]!r}")
    return lines


def _field_order(name: str) -> tuple[int, str]:
    rank = {"method": 0, "url": 1}.get(name)
    if rank is None:
        rank = 2 if name.startswith("query.") else 3 if name.startswith("header.") else 4
    return rank, name


class RequestIndex:
    """Recorded requests by match key; each recording is played once, in order.

    A request byte-for-byte equal to a recording (the usual case on replay)
    finds its key through that recording, without computing it. Fields (for
    explaining a miss) are computed only when a miss needs them.
    """

    def __init__(self, config: MatchConfig, *, allow_repeats: bool = False) -> None:
        self.config = config
        self.allow_repeats = allow_repeats
        self._unplayed: dict[Key, deque[int]] = {}
        self._last_played: dict[Key, int] = {}
        self._views: list[RequestView] = []
        self._keys_by_exact: dict[Key, Key] = {}

    def add(self, view: RequestView) -> int:
        position = len(self._views)
        self._views.append(view)
        key = match_key(view, self.config)
        headers = [(name.encode(), value.encode()) for name, value in view.headers]
        self._keys_by_exact.setdefault(exact_key(view.method, view.uri, headers, view.body), key)
        self._unplayed.setdefault(key, deque()).append(position)
        return position

    def key_of(self, exact: Key, view: Callable[[], RequestView]) -> Key:
        """The match key of a request: that of a recording with the same :func:`exact_key`,
        else computed from ``view()``."""
        known = self._keys_by_exact.get(exact)
        return known if known is not None else match_key(view(), self.config)

    def take(self, key: Key) -> int | None:
        """The position of the first unplayed recording with this key, marked played."""
        positions = self._unplayed.get(key)
        if positions:
            position = positions.popleft()
            self._last_played[key] = position
            return position
        if self.allow_repeats:
            return self._last_played.get(key)
        return None

    def played_before(self, key: Key) -> int | None:
        """A recording with this key that was already played, if any."""
        return self._last_played.get(key)

    def nearest(self, view: RequestView) -> tuple[int, list[str]] | None:
        """The recording with the fewest differing fields, and those differences."""
        sent = request_fields(view, self.config)
        best: tuple[int, list[str]] | None = None
        for position, recorded in enumerate(self._views):
            lines = differences(request_fields(recorded, self.config), sent)
            if best is None or len(lines) < len(best[1]):
                best = (position, lines)
        return best

    def __len__(self) -> int:
        return len(self._views)


def exact_key(method: str, uri: str, headers: Iterable[tuple[bytes, bytes]], body: bytes) -> Key:
    """The request byte for byte (header names lower-case): equal ones have equal match keys,
    so on replay the key is found without computing it."""
    return (method, uri, tuple(headers), body)
