"""Cassette file names: test ids made safe to use as file names, and paths kept inside their directory."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import UnsafePathError

SUFFIX = ".yaml"
#: Longest file name most file systems accept, in bytes, with room left for the suffix.
MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r"[^\w.\-\[\]=,+@ ]")


def safe_file_name(name: str) -> str:
    """``name`` (a test name with its parametrize id, say) as one file name component.

    Separators, ``..`` and characters file systems refuse become ``-``. A name
    that had to change gains a short hash of the original, so that ``a/b``,
    ``a:b`` and ``a-b`` never share a file; one still too long keeps its start.
    """
    cleaned = _UNSAFE.sub("-", name).strip(" ")
    cleaned = re.sub(r"\.{2,}", "-", cleaned).lstrip(".")
    if cleaned == name:
        return name if len(name.encode()) <= MAX_NAME_BYTES else _shortened(name, name)
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return _shortened(f"{cleaned or '-'}-{digest}", name)


def _shortened(cleaned: str, name: str) -> str:
    if len(cleaned.encode()) <= MAX_NAME_BYTES:
        return cleaned
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    head = cleaned.encode()[: MAX_NAME_BYTES - 13].decode(errors="ignore")
    return f"{head}-{digest}"


def with_suffix(name: str) -> str:
    """``name`` with the cassette suffix, unless it already has a YAML one."""
    return name if name.endswith((".yaml", ".yml")) else name + SUFFIX


def contained(root: Path, relative: str) -> Path:
    """``root / relative``, refusing an absolute path or one that leads outside ``root``."""
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute() or not relative:
        raise UnsafePathError(f"cassette path {relative!r} must be relative to the cassette directory {root}")
    resolved_root = root.resolve()
    path = (resolved_root / relative).resolve()
    if not path.is_relative_to(resolved_root):
        raise UnsafePathError(f"cassette path {relative!r} leads outside the cassette directory {root}")
    return path
