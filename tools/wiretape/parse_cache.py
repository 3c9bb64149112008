"""A cache of parsed cassettes, keyed by the file's content hash.

Parsing YAML is most of the cost of opening a large cassette (about 0.65 s for
1,000 interactions with libyaml, against 0.02 s to read the same document as
JSON), and a test suite opens the same unchanged cassettes on every run.

An entry is one line of JSON, the document with each ``bytes`` value (a body)
replaced by ``{"\\u0000blob": [offset, length]}``, a newline, then those values
back to back: a body comes out as one slice of the entry, with no JSON string
or base64 to decode (a 10 MB body: about 10 ms less per open).

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

import contextlib
import hashlib
import json
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Any

DISABLE_ENV = "WIRETAPE_NO_CACHE"
FORMAT = "5"
SUFFIX = ".entry"
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


def _path(content: bytes) -> Path | None:
    where = directory()
    if where is None:
        return None
    # The prefix hashed apart: joining it to a large content first would copy the content once more.
    key = hashlib.sha256(f"{FORMAT}\0".encode())
    key.update(content)
    return where / f"{key.hexdigest()}{SUFFIX}"


_BLOB = "\u0000blob"  # the key of a value stored after the JSON line


def get(content: bytes) -> Any | None:
    """The parsed document of the cassette file ``content`` if it was cached, else None."""
    path = _path(content)
    if path is None:
        return None
    try:
        entry = path.read_bytes()
        os.utime(path)  # recently used: evicted last
    except OSError:
        return None
    return _document(entry)


def _document(entry: bytes) -> Any | None:
    """The document an entry holds; None for anything that is not a whole entry."""
    end = entry.find(b"\n")
    if end < 0:
        return None
    start = end + 1

    def blob(mapping: dict[str, Any]) -> object:
        if len(mapping) != 1 or _BLOB not in mapping:
            return mapping
        offset, length = mapping[_BLOB]
        if not all(type(number) is int and number >= 0 for number in (offset, length)):
            raise ValueError("a blob reference is not two counts")
        if start + offset + length > len(entry):
            raise ValueError("a blob reaches past the entry")
        return entry[start + offset : start + offset + length]

    try:
        return json.loads(entry[:end], object_hook=blob)
    except (ValueError, TypeError, RecursionError):  # not JSON, not UTF-8, a bad blob reference
        return None


def put(content: bytes, document: Any) -> None:
    """Remember the parsed document of the cassette file ``content`` (its ``bytes`` values stored as
    they are; anything else JSON cannot hold, e.g. a date, keeps the document out)."""
    path = _path(content)
    if path is None:
        return
    blobs: list[bytes] = []
    stored = 0

    def blob(value: object) -> object:
        nonlocal stored
        if not isinstance(value, bytes):
            raise TypeError(f"{type(value).__name__} is not cached")
        blobs.append(value)
        stored += len(value)
        return {_BLOB: [stored - len(value), len(value)]}

    try:
        # No indent: the JSON stays on one line (a newline inside a string is written \n).
        line = json.dumps(document, ensure_ascii=False, default=blob).encode("utf-8")
    except (TypeError, ValueError):
        return
    if line.count(b'"\\u0000blob"') != len(blobs):
        return  # the document holds the marker itself (YAML can write "\0blob"): it would read back wrong
    size = len(line) + 1 + stored
    if size > MAX_BYTES:
        return
    temporary = path.with_name(f".{secrets.token_hex(6)}.tmp")
    try:
        with temporary.open("wb") as stream:
            stream.writelines([line, b"\n", *blobs])
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    where = path.parent
    room = _room.get(where)
    _room[where] = room - size if room is not None and room >= size else _evict(where)


#: An entry of an earlier format (``<sha256>.json``), which nothing reads any more.
_OLD_ENTRY = re.compile(r"[0-9a-f]{64}\.json")


def _evict(where: Path) -> int:
    """Evict the least recently used entries if the cache is over its bound, and any entry of an
    earlier format; the bytes this process may write before it looks again."""
    entries = []
    with contextlib.suppress(OSError), os.scandir(where) as scan:
        for entry in scan:
            if _OLD_ENTRY.fullmatch(entry.name):
                with contextlib.suppress(OSError):
                    Path(entry.path).unlink()
            elif entry.name.endswith(SUFFIX):
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
