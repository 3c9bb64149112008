"""What counts as a secret: the one rule set behind the sanitiser, the matcher, the miss message and lint.

- headers: cookies (by name; their values are secrets), and every header whose
  name matches a secret pattern — ``authorization``, ``*token*``, ``*api-key*``,
  ``*apikey*``, ``*secret*``, ``*password*``, ``*session*``, ``*-auth*`` — on
  requests and responses alike. ``authority``, ``x-ratelimit-*`` and
  ``content-*`` match none of them (the providers need those verbatim);
- fields (JSON keys at any depth, form and multipart fields, query
  parameters): names matching :data:`DEFAULT_SECRET_FIELD`; a string or number
  under such a name is a secret (``true``/``false``/``null`` are not);
- URLs: the password of ``user:pass@`` and secret query parameters, in
  request URLs and ``Location`` headers;
- anything matching one of ``secret_patterns`` (regexes), anywhere.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qsl, urlsplit

DEFAULT_SECRET_HEADERS = (
    "authorization",
    "proxy-authorization",
    "*token*",
    "*api-key*",
    "*apikey*",
    "*secret*",
    "*password*",
    "*session*",
    "*-auth*",
)
DEFAULT_SECRET_FIELD = (
    r"(?i)nonce|token|secret|passw(or)?d|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?id"
    r"|session|csrf|authori[sz]ation|credential|signature|^(auth|key|sig|pwd)$"
)
COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})


@functools.lru_cache(maxsize=64)
def glob_regex(globs: tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching a lower-cased name against any of ``globs`` (case-insensitive); none: nothing.
    Cached: each cassette opened builds its rules, and translating globs costs more than a replay."""
    return re.compile("|".join(fnmatch.translate(glob.lower()) for glob in globs) or "(?!)")


@dataclass(frozen=True)
class SecretRules:
    """Which values are secrets (sanitised on write, ignored when matching, masked in messages).

    - ``secret_headers``: header-name globs (case-insensitive), see the module docstring;
    - ``secret_fields``: a regex searched in JSON / form / multipart / query field names;
    - ``extra_fields``: more exact field names, e.g. ``("post_id",)`` where a post id is private;
    - ``secret_patterns``: regexes whose matches anywhere (bodies, headers, URLs) are secrets.
    """

    secret_headers: tuple[str, ...] = DEFAULT_SECRET_HEADERS
    secret_fields: str = DEFAULT_SECRET_FIELD
    extra_fields: tuple[str, ...] = ()
    secret_patterns: tuple[str, ...] = ()
    _header_regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _field_regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # tuple(): the cached glob_regex needs a hashable key, and a caller may pass a list or a set.
        object.__setattr__(self, "_header_regex", glob_regex(tuple(self.secret_headers)))
        object.__setattr__(self, "_field_regex", re.compile(self.secret_fields))

    def is_secret_header(self, name: str) -> bool:
        """Whether a header's whole value is a secret (cookies are handled by name, not here)."""
        lower = name.lower()
        return lower not in COOKIE_HEADERS and bool(self._header_regex.match(lower))

    def is_secret_field(self, name: str) -> bool:
        return name in self.extra_fields or bool(self._field_regex.search(name))

    def is_secret_leaf(self, name: str | None, value: object) -> bool:
        """Whether a body or query value is a secret: a string or number under a secret name."""
        if name is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return False
        return value != "" and self.is_secret_field(name)

    def uri_secrets(self, uri: str) -> list[tuple[str, str]]:
        """``(kind, value)`` of the secrets of a URL: its password, its secret query values."""
        parts = _split(uri)
        if parts is None:
            return []
        found = [("password", parts.password)] if parts.password else []
        found += [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if self.is_secret_leaf(name, value)
        ]
        return found


def _split(uri: str) -> SplitResult | None:
    try:
        return urlsplit(uri)
    except ValueError:
        return None
