"""Secrets replaced before a cassette touches disk (what a secret is: :mod:`wiretape.rules`).

Placeholders are stable within one cassette (the same value always becomes
the same placeholder, so a nonce on a page still equals the nonce in the
next POST) and have the same length in bytes as the text they replace, so
the recorded chunk boundaries of a streamed body stay where they were. A
value is also replaced where it appears escaped: JSON-escaped (``"`` and
``\\``, ``\\u00e9``) and URL-encoded, each spelling by a placeholder of its own
length. Compressed bodies are decoded first (:mod:`wiretape.encodings`).

A placeholder is recognisable (:func:`is_placeholder`), so sanitising is
idempotent and lint never reports one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import SplitResult, parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from .bodies import is_form, parse_body
from .encodings import decoded
from .file import CassetteData, Headers, Interaction, RecordedRequest
from .rules import SecretRules

MIN_SECRET_LENGTH = 4
MASK = "<secret>"
_PLACEHOLDER = re.compile(r"[A-Za-z][A-Za-z0-9]*?\d+X+|X+|9+")


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is a placeholder this module writes (``cookiesession1XXXX``, ``XXXX``, ``9999``)."""
    return bool(_PLACEHOLDER.fullmatch(value))


def _same_length(tag: str, length: int, *, numeric: bool) -> str:
    if numeric:
        return "9" * length
    tag = re.sub(r"[^A-Za-z0-9]", "", tag)
    return tag + "X" * (length - len(tag)) if length > len(tag) else "X" * length


def spellings(value: str) -> set[str]:
    """The ways ``value`` can be written in a body or URL: as it is, JSON-escaped, URL-encoded."""
    return {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        quote_plus(value),
        quote(value, safe=""),
    }


class Placeholders:
    """Secret value -> placeholder tag; applied to every spelling of the value, length kept in bytes."""

    def __init__(self) -> None:
        self.mapping: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._replacements: dict[str, str] | None = None

    def add(self, value: object, kind: str) -> None:
        text = str(value)
        if len(text) < MIN_SECRET_LENGTH or text in self.mapping or is_placeholder(text):
            return
        self._counts[kind] = self._counts.get(kind, 0) + 1
        numeric = isinstance(value, (int, float))
        self.mapping[text] = _same_length(f"{kind}{self._counts[kind]}", len(text.encode()), numeric=numeric)
        self._replacements = None

    def replacements(self) -> dict[str, str]:
        """Every spelling of every secret -> its placeholder (same length in bytes), longest first."""
        if self._replacements is None:
            found: dict[str, str] = {}
            for value, placeholder in self.mapping.items():
                numeric = placeholder.isdigit()
                tag = placeholder.rstrip("X") or "X"
                for spelling in spellings(value):
                    size = len(spelling.encode())
                    found.setdefault(spelling, _same_length(tag, size, numeric=numeric))
            self._replacements = dict(sorted(found.items(), key=lambda item: -len(item[0])))
        return self._replacements

    def apply(self, text: str) -> str:
        for value, placeholder in self.replacements().items():
            if value in text:
                text = text.replace(value, placeholder)
        return text


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


def header(headers: Headers, name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def _alnum(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _header_secrets(headers: Headers, rules: SecretRules) -> Iterator[tuple[str, str]]:
    for name, value in headers:
        lower = name.lower()
        if lower == "cookie":
            yield from ((value, f"cookie{_alnum(cookie)}") for cookie, value in cookie_pairs(value))
        elif lower == "set-cookie":
            pair = set_cookie_value(value)
            if pair:
                yield pair[1], f"cookie{_alnum(pair[0])}"
        elif lower == "location":
            yield from ((secret, _alnum(kind)[-8:] or "field") for kind, secret in rules.uri_secrets(value))
        elif rules.is_secret_header(name) and value:
            scheme, _, credential = value.partition(" ")
            yield (credential if credential else scheme), "secret"


def _body_secrets(body: bytes, content_type: str, rules: SecretRules) -> Iterator[tuple[object, str]]:
    parsed = parse_body(body, content_type)
    for leaf in parsed.leaves if parsed else []:
        if rules.is_secret_leaf(leaf.name, leaf.value):
            yield leaf.value, _alnum(leaf.name or "")[-8:] or "field"
            if isinstance(leaf.value, str):
                # "Bearer abc…": the credential alone is what may appear elsewhere too.
                scheme, _, credential = leaf.value.partition(" ")
                if credential and scheme.isalpha():
                    yield credential, _alnum(leaf.name or "")[-8:] or "field"


def collect_secrets(data: CassetteData, rules: SecretRules) -> Placeholders:
    placeholders = Placeholders()
    for interaction in data.interactions:
        request, response = interaction.request, interaction.response
        for kind, secret in rules.uri_secrets(request.uri):
            placeholders.add(secret, _alnum(kind)[-8:] or "field")
        for secret, kind in _header_secrets([*request.headers, *response.headers], rules):
            placeholders.add(secret, kind)
        for body, headers in ((request.body, request.headers), (response.body, response.headers)):
            for value, kind in _body_secrets(body, header(headers, "content-type"), rules):
                placeholders.add(value, kind)
        for pattern in rules.secret_patterns:
            for text in _texts(interaction):
                for match in re.finditer(pattern, text):
                    placeholders.add(match.group(0), "secret")
    return placeholders


def _texts(interaction: Interaction) -> Iterable[str]:
    yield interaction.request.uri
    yield interaction.request.body.decode("utf-8", errors="replace")
    yield interaction.response.body.decode("utf-8", errors="replace")
    for _, value in (*interaction.request.headers, *interaction.response.headers):
        yield value


# ---------------------------------------------------------------- replacing them


def sanitize(data: CassetteData, rules: SecretRules) -> CassetteData:
    """A copy of ``data`` with compressed bodies decoded and every secret replaced by its placeholder."""
    data = CassetteData(
        interactions=[replace(i, response=decoded(i.response)) for i in data.interactions],
        metadata=data.metadata,
    )
    placeholders = collect_secrets(data, rules)
    if not placeholders.mapping:
        return data
    out = CassetteData(metadata=_apply_values(data.metadata, placeholders))
    for interaction in data.interactions:
        request, response = interaction.request, interaction.response
        out.interactions.append(
            Interaction(
                request=RecordedRequest(
                    method=request.method,
                    uri=placeholders.apply(request.uri),
                    headers=_apply_headers(request.headers, placeholders),
                    body=_apply_bytes(request.body, placeholders, header(request.headers, "content-type")),
                ),
                response=replace(
                    response,
                    headers=_apply_headers(response.headers, placeholders),
                    body=_apply_bytes(response.body, placeholders, ""),
                ),
            )
        )
    return out


def _apply_values(value: Any, placeholders: Placeholders) -> Any:
    """The metadata a caller stored (an outcome's message may quote a cookie) with secrets replaced."""
    if isinstance(value, str):
        return placeholders.apply(value)
    if isinstance(value, dict):
        return {key: _apply_values(item, placeholders) for key, item in value.items()}
    if isinstance(value, list):
        return [_apply_values(item, placeholders) for item in value]
    return value


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


# ---------------------------------------------------------------- masking for messages


def mask_uri(uri: str, rules: SecretRules) -> str:
    """``uri`` with its password and secret query values shown as ``<secret>`` (for messages)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(f":{parts.password}@", f":{MASK}@", 1)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(rules.is_secret_leaf(name, value) for name, value in pairs) and netloc == parts.netloc:
        return uri
    query = "&".join(
        f"{name}={MASK if rules.is_secret_leaf(name, value) else quote_plus(value)}" for name, value in pairs
    )
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment))


def normalise_cookie_header(value: str) -> str:
    """Cookie names only, sorted: what a replayed request must share with the recording."""
    return "; ".join(sorted(name for name, _ in cookie_pairs(value)))
