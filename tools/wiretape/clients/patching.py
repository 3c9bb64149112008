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


#: What restore() puts back for an attribute that was only inherited: nothing of its own.
_INHERITED = object()


class Patches:
    """Attributes replaced on library classes and modules, restored in reverse order."""

    def __init__(self) -> None:
        self._saved: list[tuple[Any, str, Any]] = []

    def set(self, owner: Any, name: str, value: Any) -> None:
        """Set ``owner.name`` to ``value``; restore() puts back what it was (an attribute ``owner``
        only inherited is inherited again)."""
        self._saved.append((owner, name, vars(owner).get(name, _INHERITED)))
        setattr(owner, name, value)

    def replace(self, cls: type, name: str, make: Callable[[Any], Any]) -> None:
        """Set ``cls.name`` to ``make(original)``, remembering the original."""
        self.set(cls, name, make(cls.__dict__[name]))

    def restore(self) -> None:
        while self._saved:
            owner, name, original = self._saved.pop()
            if original is _INHERITED:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
