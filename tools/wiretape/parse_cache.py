"""A cache of parsed cassettes, as JSON, keyed by the file's content hash.

Parsing YAML is most of the cost of opening a large cassette (about 0.65 s for
1,000 interactions with libyaml, against 0.02 s to read the same document as
JSON), and a test suite opens the same unchanged cassettes on every run. The
cache holds only JSON (no code can come out of it), lives in a directory only
this user can write, and is skipped whenever that cannot be ensured.
``WIRETAPE_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

DISABLE_ENV = "WIRETAPE_NO_CACHE"
FORMAT = "1"


def _directory() -> Path | None:
    if os.environ.get(DISABLE_ENV):
        return None
    uid = os.getuid() if hasattr(os, "getuid") else 0
    directory = Path(tempfile.gettempdir()) / f"wiretape-cache-{uid}"
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        info = directory.stat()
    except OSError:
        return None
    private = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) == 0
    if hasattr(os, "getuid") and (info.st_uid != uid or not private):
        return None
    return directory


def _path(text: str) -> Path | None:
    directory = _directory()
    if directory is None:
        return None
    digest = hashlib.sha256(f"{FORMAT}\0{text}".encode()).hexdigest()
    return directory / f"{digest}.json"


def get(text: str) -> Any | None:
    """The parsed document of ``text`` if it was cached, else None."""
    path = _path(text)
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def put(text: str, document: Any) -> None:
    """Remember the parsed document of ``text`` (documents JSON cannot hold, e.g. bytes, are skipped)."""
    path = _path(text)
    if path is None:
        return
    try:
        encoded = json.dumps(document, ensure_ascii=False)
    except (TypeError, ValueError):
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(encoded)
        Path(temporary).replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
