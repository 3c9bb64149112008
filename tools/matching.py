"""Strict request matching: method, URL, headers and body, with volatile values ignored.

A request is flattened into named fields (``method``, ``url``, ``query.q``,
``header.user-agent``, ``body.messages[0].content`` …). Two requests match
when their fields are equal, so the lookup is one hash of the flattened
request (O(1) per request, O(N) to replay N interactions), and a miss can be
explained field by field against the nearest recording.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from .cassette_file import Headers
from .request_body import parse_body
from .sanitize import VOLATILE, SecretRules, normalise_cookie_header

#: Headers set by the transport, not by the provider: never compared.
DEFAULT_IGNORED_HEADERS = frozenset(
    {"content-length", "accept-encoding", "connection", "host", "transfer-encoding", "keep-alive"}
)

Fields = Mapping[str, str]


@dataclass(frozen=True)
class MatchConfig:
    rules: SecretRules = field(default_factory=SecretRules)
    ignored_headers: frozenset[str] = DEFAULT_IGNORED_HEADERS


def request_fields(
    method: str, uri: str, headers: Headers, body: bytes, config: MatchConfig
) -> dict[str, str]:
    """The request flattened into comparable named fields."""
    fields: dict[str, str] = {"method": method.upper()}
    parts = urlsplit(uri)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
    fields["url"] = f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}{parts.path or '/'}"
    for name, value in sorted(parse_qsl(parts.query, keep_blank_values=True)):
        fields[f"query.{name}"] = VOLATILE if config.rules.is_secret_field(name) else value
    content_type = ""
    for name, value in headers:
        lower = name.lower()
        if lower == "content-type":
            content_type = value
        if lower in config.ignored_headers:
            continue
        if lower == "cookie":
            value = normalise_cookie_header(value)
        elif lower in config.rules.secret_headers and value:
            value = VOLATILE
        key = f"header.{lower}"
        fields[key] = f"{fields[key]}, {value}" if key in fields else value
    fields.update(_body_fields(body, content_type, config))
    return fields


def _body_fields(body: bytes, content_type: str, config: MatchConfig) -> dict[str, str]:
    parsed = parse_body(body, content_type)
    if parsed is None:
        return {"body": body.decode("utf-8", errors="replace")} if body else {}
    fields: dict[str, str] = {}
    for leaf in parsed.leaves:
        if isinstance(leaf.value, str) and leaf.name is not None and config.rules.is_secret_field(leaf.name):
            fields[leaf.path] = VOLATILE
        elif parsed.kind == "json":
            # JSON spelling keeps types apart: 1 vs "1" vs true.
            fields[leaf.path] = json.dumps(leaf.value, ensure_ascii=False)
        else:
            fields[leaf.path] = str(leaf.value)
    return fields


def key_of(fields: Fields) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(fields.items()))


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
    """Recorded requests by their flattened fields; each recording is played once, in order."""

    def __init__(self, config: MatchConfig, *, allow_repeats: bool = False) -> None:
        self.config = config
        self.allow_repeats = allow_repeats
        self._unplayed: dict[tuple[tuple[str, str], ...], deque[int]] = {}
        self._last_played: dict[tuple[tuple[str, str], ...], int] = {}
        self._fields: list[dict[str, str]] = []

    def add(self, fields: dict[str, str]) -> int:
        position = len(self._fields)
        self._fields.append(fields)
        self._unplayed.setdefault(key_of(fields), deque()).append(position)
        return position

    def take(self, fields: Fields) -> int | None:
        """The position of the first unplayed recording equal to ``fields``, marked played."""
        key = key_of(fields)
        positions = self._unplayed.get(key)
        if positions:
            position = positions.popleft()
            self._last_played[key] = position
            return position
        if self.allow_repeats:
            return self._last_played.get(key)
        return None

    def played_before(self, fields: Fields) -> int | None:
        """A recording equal to ``fields`` that was already played, if any."""
        return self._last_played.get(key_of(fields))

    def nearest(self, fields: Fields) -> tuple[int, list[str]] | None:
        """The recording with the fewest differing fields, and those differences."""
        best: tuple[int, list[str]] | None = None
        for position, recorded in enumerate(self._fields):
            lines = differences(recorded, fields)
            if best is None or len(lines) < len(best[1]):
                best = (position, lines)
        return best

    def __len__(self) -> int:
        return len(self._fields)
