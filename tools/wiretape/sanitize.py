"""What counts as a secret or a volatile value, and how it is replaced before anything is written.

One set of rules serves two jobs: the sanitiser replaces secret values by
placeholders before a cassette touches disk, and the matcher ignores the
values of the same fields when it compares a request with a recording.

Placeholders are stable within one cassette (the same value always becomes
the same placeholder, so a nonce on a page still equals the nonce in the
next POST) and have the same length as the value they replace, so the
recorded chunk boundaries of a streamed body stay where they were.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from .bodies import is_form, parse_body
from .file import CassetteData, Headers, Interaction, RecordedRequest, RecordedResponse

DEFAULT_SECRET_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "api-key")
DEFAULT_SECRET_FIELD = r"(?i)(nonce|token|secret|password|passwd|api[_-]?key|client[_-]?id|session|csrf)"
MIN_SECRET_LENGTH = 4


@dataclass(frozen=True)
class SecretRules:
    """Which values are secrets (sanitised on write) and volatile (ignored when matching).

    - cookies (request ``cookie``, response ``set-cookie``) are always secrets;
    - ``secret_headers``: whole header values;
    - ``secret_fields``: a regex on JSON / form field names (nonces, tokens, client ids);
    - ``extra_fields``: more field names, e.g. ``("post_id",)`` where a post id is private;
    - ``secret_patterns``: regexes whose matches anywhere (bodies, headers, URLs) are secrets.
    """

    secret_headers: tuple[str, ...] = DEFAULT_SECRET_HEADERS
    secret_fields: str = DEFAULT_SECRET_FIELD
    extra_fields: tuple[str, ...] = ()
    secret_patterns: tuple[str, ...] = ()
    _field_regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_field_regex", re.compile(self.secret_fields))

    def is_secret_field(self, name: str) -> bool:
        return name in self.extra_fields or bool(self._field_regex.search(name))

    def may_name_secret(self, text: str) -> bool:
        """False only when no field name in ``text`` can be a secret one (a quick pre-check)."""
        return bool(self._field_regex.search(text)) or any(name in text for name in self.extra_fields)


class Placeholders:
    """Value -> placeholder, stable within one cassette, same length as the value."""

    def __init__(self) -> None:
        self.mapping: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def add(self, value: str, kind: str) -> None:
        if len(value) < MIN_SECRET_LENGTH or value in self.mapping or value in self.mapping.values():
            return
        self._counts[kind] = self._counts.get(kind, 0) + 1
        self.mapping[value] = _same_length(f"{kind}{self._counts[kind]}", len(value))

    def apply(self, text: str) -> str:
        # Longest first, so a secret containing another is replaced whole.
        for value in sorted(self.mapping, key=len, reverse=True):
            if value in text:
                text = text.replace(value, self.mapping[value])
        return text


def _same_length(tag: str, length: int) -> str:
    tag = re.sub(r"[^A-Za-z0-9]", "", tag)
    return (tag + "X" * length)[:length] if length >= len(tag) else ("X" * length)


# ---------------------------------------------------------------- finding secrets


def cookie_pairs(header_value: str) -> list[tuple[str, str]]:
    """``name=value`` pairs of a Cookie header."""
    pairs = []
    for part in header_value.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            pairs.append((name, value))
    return pairs


def set_cookie_value(header_value: str) -> tuple[str, str] | None:
    """The ``(name, value)`` of a Set-Cookie header."""
    first = header_value.split(";", 1)[0]
    name, sep, value = first.strip().partition("=")
    return (name, value) if sep else None


def _header(headers: Headers, name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def collect_secrets(data: CassetteData, rules: SecretRules) -> Placeholders:
    placeholders = Placeholders()
    for interaction in data.interactions:
        request, response = interaction.request, interaction.response
        for name, value in request.headers:
            lower = name.lower()
            if lower == "cookie":
                for cookie_name, cookie_value in cookie_pairs(value):
                    placeholders.add(cookie_value, f"cookie{_alnum(cookie_name)}")
            elif lower in rules.secret_headers and value:
                scheme, _, credential = value.partition(" ")
                placeholders.add(credential if credential else scheme, "secret")
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                pair = set_cookie_value(value)
                if pair:
                    placeholders.add(pair[1], f"cookie{_alnum(pair[0])}")
        parsed = parse_body(request.body, _header(request.headers, "content-type"))
        for leaf in parsed.leaves if parsed else []:
            if isinstance(leaf.value, str) and leaf.name is not None and rules.is_secret_field(leaf.name):
                placeholders.add(leaf.value, _alnum(leaf.name)[-8:] or "field")
        for pattern in rules.secret_patterns:
            for text in _texts(interaction):
                for match in re.finditer(pattern, text):
                    placeholders.add(match.group(0), "secret")
    return placeholders


def _alnum(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _texts(interaction: Interaction) -> Iterable[str]:
    yield interaction.request.uri
    yield interaction.request.body.decode("utf-8", errors="replace")
    yield interaction.response.body.decode("utf-8", errors="replace")
    for _, value in (*interaction.request.headers, *interaction.response.headers):
        yield value


# ---------------------------------------------------------------- replacing them


def sanitize(data: CassetteData, rules: SecretRules) -> CassetteData:
    """A copy of ``data`` with every secret replaced by its placeholder."""
    placeholders = collect_secrets(data, rules)
    if not placeholders.mapping:
        return data
    out = CassetteData(metadata=data.metadata)
    for interaction in data.interactions:
        request, response = interaction.request, interaction.response
        out.interactions.append(
            Interaction(
                request=RecordedRequest(
                    method=request.method,
                    uri=placeholders.apply(request.uri),
                    headers=_apply_headers(request.headers, placeholders),
                    body=_apply_bytes(request.body, placeholders, _header(request.headers, "content-type")),
                ),
                response=RecordedResponse(
                    status=response.status,
                    reason=response.reason,
                    headers=_apply_headers(response.headers, placeholders),
                    body=_apply_bytes(response.body, placeholders, ""),
                    chunks=response.chunks,
                    header_delay=response.header_delay,
                    error=response.error,
                ),
            )
        )
    return out


def _apply_headers(headers: Headers, placeholders: Placeholders) -> Headers:
    return [(name, placeholders.apply(value)) for name, value in headers]


def _apply_bytes(body: bytes, placeholders: Placeholders, content_type: str) -> bytes:
    if not body:
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    replaced = placeholders.apply(text)
    if is_form(content_type):
        # A secret with characters that need escaping is only found in the decoded fields.
        pairs = parse_qsl(replaced, keep_blank_values=True)
        if any(placeholders.apply(value) != value for _, value in pairs):
            replaced = urlencode([(key, placeholders.apply(value)) for key, value in pairs])
    return replaced.encode("utf-8")


def normalise_cookie_header(value: str) -> str:
    """Cookie names only, sorted: what a replayed request must share with the recording."""
    return "; ".join(sorted(name for name, _ in cookie_pairs(value)))
