"""The secret values a call sent (cookies, authorization, tokens), and their masking in error text.

An upstream may echo what it received into an error page or a refusal; the
errors quote upstream text, so every value the call sent as a secret is
replaced by :data:`MASK` in them (``translated_errors`` applies it).
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

MASK = "[masked]"
#: Shorter values would mask ordinary words and numbers of the message.
MIN_SECRET_LENGTH = 4
_SECRET_HEADERS = ("cookie", "authorization", "proxy-authorization")
_ELLIPSIS = "…"


class Secrets:
    """A growing set of values to mask."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self.add(*values)

    def add(self, *values: str) -> None:
        self._values.update(value for value in values if len(value) >= MIN_SECRET_LENGTH)

    def add_request(self, request: httpx.Request) -> None:
        """The cookie values and credentials of a request about to be sent."""
        for name in _SECRET_HEADERS:
            for value in request.headers.get_list(name):
                if name == "cookie":
                    self.add(*(pair.partition("=")[2].strip() for pair in value.split(";")))
                else:
                    self.add(value, value.partition(" ")[2].strip())

    def mask(self, text: str) -> str:
        # Longest first, so a value containing another is masked whole.
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, MASK)
        if text.endswith(_ELLIPSIS):
            text = self._mask_cut_tail(text[: -len(_ELLIPSIS)]) + _ELLIPSIS
        return text

    def _mask_cut_tail(self, text: str) -> str:
        """An excerpt may end inside a secret: mask the secret's start it ends with."""
        for value in sorted(self._values, key=len, reverse=True):
            for length in range(len(value) - 1, MIN_SECRET_LENGTH - 1, -1):
                if text.endswith(value[:length]):
                    return text[:-length] + MASK
        return text
