"""A body being recorded: its first MiB in memory, the rest in an unnamed temporary file.

A client reading a large answer through the recording tee then holds no more of it than it would
without the tee; the body is read back once, when the cassette is written. The pieces go to the file
in batches of about :data:`IN_MEMORY` bytes, one ``writev`` each: a write per piece (often 16 KiB)
costs three times as much.
"""

from __future__ import annotations

import logging
import os
from typing import IO

logger = logging.getLogger("wiretape")

#: Bytes held in memory before they are written to the file, in one batch.
IN_MEMORY = 1 << 20
# Buffers one writev takes; sysconf may say -1 (no limit known): 16, the least POSIX allows.
_IOV_MAX = max(os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 0, 0) or 16


class Spool:
    """Pieces of bytes appended in order, read back whole."""

    def __init__(self, in_memory: int = IN_MEMORY) -> None:
        self._in_memory = in_memory
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._file: IO[bytes] | None = None
        self._spilled = 0
        self._spilling = True
        self._closed = False

    def add(self, data: bytes) -> None:
        if self._closed:  # the body was let go of: nothing more is kept (no file opened again)
            return
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size >= self._in_memory and self._spilling:
            self._spill()

    def read(self) -> bytes:
        """Everything added so far, in one piece (the spool goes on taking pieces after it)."""
        if self._closed:
            raise ValueError("read of a closed spool: its body was let go of")
        if self._file is None:
            return b"".join(self._pending)
        if self._pending and self._spilling:
            self._spill()
        head = _read_exactly(self._file.fileno(), self._spilled)
        return b"".join([head, *self._pending]) if self._pending else head

    def close(self) -> None:
        self._closed = True
        self._pending = []
        self._pending_size = 0
        if self._file is not None:
            self._file.close()
            self._file = None

    def _spill(self) -> None:
        try:
            if self._file is None:
                import tempfile  # here: `import wiretape` stays light

                self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 - close() closes it
            _write_all(self._file.fileno(), self._pending)
        except OSError as exc:
            # The file takes no more (a full disk): the rest stays in memory, the recording goes on.
            logger.warning("recording: a body's temporary file failed (%s); keeping the rest in memory", exc)
            self._spilling = False
            return
        self._spilled += self._pending_size
        self._pending = []
        self._pending_size = 0


def _write_all(fd: int, pieces: list[bytes]) -> None:
    for start in range(0, len(pieces), _IOV_MAX):
        batch = pieces[start : start + _IOV_MAX]
        written = os.writev(fd, batch)
        rest = memoryview(b"".join(batch))[written:] if written < sum(map(len, batch)) else memoryview(b"")
        while rest:  # a short write (a signal, a nearly full disk): the rest of the batch in turn
            rest = rest[os.write(fd, rest) :]


def _read_exactly(fd: int, size: int) -> bytes:
    """The file's first ``size`` bytes (those the spool wrote completely)."""
    parts, offset = [], 0
    while offset < size:
        part = os.pread(fd, size - offset, offset)
        if not part:
            raise OSError(f"the recording's temporary file ended at {offset} of {size} bytes")
        parts.append(part)
        offset += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)
