"""Cookies from a file the user points to (never from browser profiles).

Accepted files: Netscape ``cookies.txt`` as browsers and their extensions
export it, or JSON: ``{"name": "value"}``, ``{"domain": {"name": "value"}}``,
or a list of ``{"domain", "name", "value"}`` objects. The file comes from the
``cookies_file`` argument or the :data:`COOKIES_FILE_ENV` variable.
"""

from __future__ import annotations

import json
import os
import time
from http.cookiejar import LoadError, MozillaCookieJar
from pathlib import Path
from typing import Any

from .errors import InvalidArgumentError

COOKIES_FILE_ENV = "WIRETAPE_COOKIES_FILE"


def cookies_for(
    domain: str, *, cookies_file: str | os.PathLike[str] | None = None, provider: str | None = None
) -> dict[str, str]:
    """Cookies for ``domain`` (and its subdomains) from the configured file; {} if none is set.

    Errors about the file name ``provider``, the provider that asked for it.
    """
    location = cookies_file or os.environ.get(COOKIES_FILE_ENV)
    if not location:
        return {}
    path = Path(location)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidArgumentError(
            f"cookies file {path} cannot be read: {exc.strerror}", provider=provider
        ) from None
    if text.lstrip().startswith(("{", "[")):
        return _from_json(path, text, domain, provider)
    return _from_netscape(path, domain, provider)


def _matches(cookie_domain: str, domain: str) -> bool:
    cookie_domain = cookie_domain.lstrip(".").lower()
    return domain == cookie_domain or domain.endswith("." + cookie_domain)


def _from_netscape(path: Path, domain: str, provider: str | None) -> dict[str, str]:
    jar = MozillaCookieJar()
    try:
        # Browsers export session cookies with expiry 0: keep those, drop truly expired ones.
        jar.load(str(path), ignore_discard=True, ignore_expires=True)
    except LoadError as exc:
        raise InvalidArgumentError(
            f"cookies file {path} is neither JSON nor Netscape cookies.txt: {exc}", provider=provider
        ) from None
    now = time.time()
    return {
        c.name: c.value or ""
        for c in jar
        if _matches(c.domain, domain) and not (c.expires and c.expires < now)
    }


def _from_json(path: Path, text: str, domain: str, provider: str | None) -> dict[str, str]:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArgumentError(
            f"cookies file {path} is not valid JSON: {exc}", provider=provider
        ) from None
    if isinstance(data, list):
        return {
            str(item["name"]): str(item["value"])
            for item in data
            if isinstance(item, dict)
            and {"name", "value"} <= item.keys()
            and _matches(str(item.get("domain", domain)), domain)
        }
    # The text starts with "{" or "[", so valid JSON there is an object when it is not a list.
    nested = {key: value for key, value in data.items() if isinstance(value, dict)}
    if nested:
        found: dict[str, str] = {}
        for cookie_domain, jar in nested.items():
            if _matches(cookie_domain, domain):
                found.update({str(k): str(v) for k, v in jar.items()})
        return found
    return {str(key): str(value) for key, value in data.items()}
