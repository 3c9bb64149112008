"""A cache of parsed cassettes, as JSON, keyed by the file's content hash.

Parsing YAML is most of the cost of opening a large cassette (about 0.65 s for
1,000 interactions with libyaml, against 0.02 s to read the same document as
JSON), and a test suite opens the same unchanged cassettes on every run.

- per user: ``$XDG_CACHE_HOME/wiretape`` (``~/.cache/wiretape``), a directory
  only its owner may use, else no cache at all;
- only documents that passed validation are put in (the caller's job), and
  only JSON comes out (no code can);
- bounded: past :data:`MAX_BYTES` the least recently used entries go.

``WIRETAPE_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

DISABLE_ENV = "WIRETAPE_NO_CACHE"
FORMAT = "3"
MAX_BYTES = 256 << 20


def directory() -> Path | None:
    """The cache directory of this user, created private; None when off or not safely usable."""
    if os.environ.get(DISABLE_ENV):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    where = Path(base) / "wiretape"
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = where.stat()
    except (OSError, RuntimeError):
        return None
    private = info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) == 0
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return where if private and owned else None


def _path(text: str) -> Path | None:
    where = directory()
    if where is None:
        return None
    # The prefix hashed apart: joining it to a large text first would copy the text once more.
    key = hashlib.sha256(f"{FORMAT}\0".encode())
    key.update(text.encode())
    return where / f"{key.hexdigest()}.json"


_BYTES = "\u0000bytes"  # the key of a binary value ({_BYTES: base64}); no YAML mapping can hold it


def _encode(value: object) -> object:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not cached")


def _decode(mapping: dict[str, Any]) -> object:
    if len(mapping) == 1 and _BYTES in mapping:
        return base64.b64decode(mapping[_BYTES])
    return mapping


def get(text: str) -> Any | None:
    """The parsed document of ``text`` if it was cached, else None."""
    path = _path(text)
    if path is None:
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
        os.utime(path)  # recently used: evicted last
    except (OSError, ValueError):
        return None
    return document


def put(text: str, document: Any) -> None:
    """Remember the parsed document of ``text`` (binary values as base64; anything else JSON cannot
    hold, e.g. a date, keeps the document out)."""
    path = _path(text)
    if path is None:
        return
    try:
        encoded = json.dumps(document, ensure_ascii=False, default=_encode)
    except (TypeError, ValueError):
        return
    if len(encoded) > MAX_BYTES:
        return
    temporary = path.with_name(f".{secrets.token_hex(6)}.tmp")
    try:
        temporary.write_text(encoded, encoding="utf-8")
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    _evict(path.parent)


def _evict(where: Path) -> None:
    entries = []
    for entry in where.glob("*.json"):
        with contextlib.suppress(OSError):
            info = entry.stat()
            entries.append((info.st_mtime, info.st_size, entry))
    total = sum(size for _, size, _ in entries)
    for _, size, entry in sorted(entries):
        if total <= MAX_BYTES:
            break
        with contextlib.suppress(OSError):
            entry.unlink()
        total -= size
