"""The provider registry: a provider is registered by defining it."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import BaseProvider

ProviderLister = Callable[[], "list[type[BaseProvider]]"]

_providers: dict[str, type[BaseProvider]] = {}
providers: Mapping[str, type[BaseProvider]] = MappingProxyType(_providers)


def register(provider: type[BaseProvider]) -> None:
    key = provider.__name__.lower()
    existing = _providers.get(key)
    if existing is not None and existing is not provider:
        raise ValueError(
            f"a provider named {provider.__name__} is already registered "
            f"({existing.__module__}.{existing.__qualname__})"
        )
    _providers[key] = provider


def get(name: str) -> type[BaseProvider]:
    """The provider class named ``name`` (case-insensitive)."""
    try:
        return _providers[name.lower()]
    except KeyError:
        known = ", ".join(p.__name__ for p in _providers.values())
        raise KeyError(f"no provider named {name!r}; known providers: {known}") from None


def all_providers() -> list[type[BaseProvider]]:
    """Every registered provider class, in definition order."""
    return list(_providers.values())


def deprecated_all() -> list[type[BaseProvider]]:
    """``providers.all()``: :func:`all_providers` under its old name, which shadowed the builtin."""
    warnings.warn(
        "providers.all() is deprecated and will be removed in the next release; "
        "use providers.all_providers()",
        DeprecationWarning,
        stacklevel=2,
    )
    return all_providers()
