"""The patch bookkeeping every adapter shares: replace a class's method, restore it, import lazily."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any


def importable(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it (a missing library costs nothing)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a missing parent package
        return False


class Patches:
    """Methods replaced on library classes, restored in reverse order."""

    def __init__(self) -> None:
        self._saved: list[tuple[type, str, Any]] = []

    def replace(self, cls: type, name: str, make: Callable[[Any], Any]) -> None:
        """Set ``cls.name`` to ``make(original)``, remembering the original."""
        original = cls.__dict__[name]
        self._saved.append((cls, name, original))
        setattr(cls, name, make(original))

    def restore(self) -> None:
        while self._saved:
            cls, name, original = self._saved.pop()
            setattr(cls, name, original)
