"""Validation of keyword arguments, before any request is sent.

Each function returns the accepted value or raises an error naming the
argument and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidArgumentError, InvalidArgumentTypeError

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
#: The accepted range of each sampling option, for every provider that reads it.
SAMPLING_RANGES: Mapping[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0),
    "presence_penalty": (-2.0, 2.0),
    "frequency_penalty": (-2.0, 2.0),
    "top_p": (0.0, 1.0),
}


def number(name: str, value: object, *, minimum: float, maximum: float, provider: str | None = None) -> float:
    """A finite real number within ``[minimum, maximum]`` (bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentTypeError(
            f"{name} must be a number, got {type(value).__name__}", provider=provider
        )
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise InvalidArgumentError(
            f"{name} must be between {minimum} and {maximum}, got {value!r}", provider=provider
        )
    return value


def index(name: str, value: object, *, size: int, provider: str | None = None) -> int:
    """An int in ``range(size)``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentTypeError(
            f"{name} must be an int, got {type(value).__name__}", provider=provider
        )
    if not 0 <= value < size:
        raise InvalidArgumentError(f"{name} must be between 0 and {size - 1}, got {value}", provider=provider)
    return value


def timeout(value: object, *, provider: str | None = None) -> float:
    """A positive, finite number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentTypeError(
            f"timeout must be a number of seconds, got {type(value).__name__}", provider=provider
        )
    if not math.isfinite(value) or value <= 0:
        raise InvalidArgumentError(
            f"timeout must be a positive number of seconds, got {value!r}", provider=provider
        )
    return float(value)


def proxy(value: object, *, provider: str | None = None) -> str | None:
    """None, or a URL ``scheme://host[:port]`` with a supported scheme."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentTypeError(
            f"proxy must be a URL string, got {type(value).__name__}", provider=provider
        )
    expected = f"a URL like http://host:port ({', '.join(PROXY_SCHEMES)})"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise InvalidArgumentError(f"proxy must be {expected}: {exc}", provider=provider) from None
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname or (port is not None and port < 1):
        raise InvalidArgumentError(f"proxy must be {expected}", provider=provider)
    return value


def boolean(name: str, value: object, *, provider: str | None = None) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentTypeError(
            f"{name} must be a bool, got {type(value).__name__}", provider=provider
        )
    return value


def sampling(kwargs: Mapping[str, Any], *, names: Iterable[str], provider: str | None = None) -> None:
    """Check the sampling options among ``names`` that ``kwargs`` holds against :data:`SAMPLING_RANGES`."""
    for name in names:
        if name in SAMPLING_RANGES and name in kwargs:
            low, high = SAMPLING_RANGES[name]
            number(name, kwargs[name], minimum=low, maximum=high, provider=provider)
