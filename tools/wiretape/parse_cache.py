"""A cache of parsed cassettes, as JSON, keyed by the file's content hash.

Parsing YAML is most of the cost of opening a large cassette (about 0.65 s for
1,000 interactions with libyaml, against 0.02 s to read the same document as
JSON), and a test suite opens the same unchanged cassettes on every run.

- per user: ``$XDG_CACHE_HOME/wiretape`` (``~/.cache/wiretape``), a directory
  only its owner may use, else no cache at all;
- only documents that passed validation are put in (the caller's job), and
  only JSON comes out (no code can);
- bounded: past :data:`MAX_BYTES` the least recently used entries go, down to
  :data:`LOW_WATER` of it. Looking over the directory costs a ``stat`` per
  entry, so a process does it at its first entry and then only once its own
  entries could have filled the room left, or every :data:`RESCAN_SHARE` of the
  bound (what other processes wrote meanwhile is counted then): a full cache
  is not looked over on every put, and processes writing at once overshoot the
  bound by at most that share each.

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
#: Eviction goes down to this share of MAX_BYTES.
LOW_WATER = 0.75
#: A process looks over the directory again after writing this share of MAX_BYTES itself.
RESCAN_SHARE = 1 / 16

# Per cache directory: the bytes this process may still write before it looks over the directory.
_room: dict[Path, int] = {}


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
    data = encoded.encode("utf-8")
    if len(data) > MAX_BYTES:
        return
    temporary = path.with_name(f".{secrets.token_hex(6)}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    where = path.parent
    room = _room.get(where)
    _room[where] = room - len(data) if room is not None and room >= len(data) else _evict(where)


def _evict(where: Path) -> int:
    """Evict the least recently used entries if the cache is over its bound; the bytes this process
    may write before it looks again."""
    entries = []
    with contextlib.suppress(OSError), os.scandir(where) as scan:
        for entry in scan:
            if entry.name.endswith(".json"):
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    entries.append((info.st_mtime, info.st_size, entry.path))
    total = sum(size for _, size, _ in entries)
    if total > MAX_BYTES:
        for _, size, name in sorted(entries):
            if total <= MAX_BYTES * LOW_WATER:
                break
            with contextlib.suppress(OSError):
                Path(name).unlink()
            total -= size
    return min(MAX_BYTES - total, int(MAX_BYTES * RESCAN_SHARE))
