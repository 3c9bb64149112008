"""A body being recorded: its first MiB in memory, the rest in an unnamed temporary file.

A client reading a large answer through the recording tee then holds no more of it than it would
without the tee; the body is read back once, when the cassette is written. The pieces go to the file
in batches of about :data:`IN_MEMORY` bytes, one ``writev`` each: a write per piece (often 16 KiB)
costs three times as much. The bodies of one cassette share one file (:class:`SpoolFile`), each
keeping where its batches went: a descriptor per body would run a cassette of a thousand large
answers out of descriptors, and the client's next socket with it.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import IO

logger = logging.getLogger("wiretape")

#: Bytes held in memory before they are written to the file, in one batch.
IN_MEMORY = 1 << 20
# Buffers one writev takes; sysconf may say -1 (no limit known): 16, the least POSIX allows.
_IOV_MAX = max(os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 0, 0) or 16


class SpoolFile:
    """An unnamed temporary file that batches are appended to, from any thread; opened on the first."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._end = 0
        self._lock = threading.Lock()

    def append(self, pieces: list[bytes], size: int) -> int:
        """Write ``pieces`` (``size`` bytes in all) after everything before them; where they start.
        Raises OSError when the file takes no more (what was written of them is never read)."""
        with self._lock:
            if self._file is None:
                import tempfile  # here: `import wiretape` stays light

                self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 - close() closes it
            offset = self._end
            # Reserved before writing: a failed batch leaves a gap, never a shift of the others.
            self._end += size
            os.lseek(self._file.fileno(), offset, os.SEEK_SET)
            _write_all(self._file.fileno(), pieces)
            return offset

    def read(self, offset: int, size: int) -> bytes:
        """The ``size`` bytes written at ``offset`` (pread: appends may go on meanwhile)."""
        if self._file is None:
            raise ValueError("read of a spool file that holds nothing (or was closed)")
        return _read_exactly(self._file.fileno(), offset, size)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
            self._end = 0


class Spool:
    """Pieces of bytes appended in order, read back whole.

    ``file``: the file shared with other spools (its owner closes it); by default one of its own."""

    def __init__(self, in_memory: int | None = None, file: SpoolFile | None = None) -> None:
        self._in_memory = IN_MEMORY if in_memory is None else in_memory
        self._owns_file = file is None
        self._file = SpoolFile() if file is None else file
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._extents: list[tuple[int, int]] = []
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
        if not self._extents:
            return b"".join(self._pending)
        if self._pending and self._spilling:
            self._spill()
        parts = [self._file.read(offset, size) for offset, size in self._extents]
        return b"".join([*parts, *self._pending])

    def close(self) -> None:
        self._closed = True
        self._pending = []
        self._pending_size = 0
        self._extents = []
        if self._owns_file:
            self._file.close()

    def _spill(self) -> None:
        try:
            offset = self._file.append(self._pending, self._pending_size)
        except OSError as exc:
            # The file takes no more (a full disk): the rest stays in memory, the recording goes on.
            logger.warning("recording: a body's temporary file failed (%s); keeping the rest in memory", exc)
            self._spilling = False
            return
        if self._extents and sum(self._extents[-1]) == offset:  # right after its previous batch
            start, size = self._extents[-1]
            self._extents[-1] = (start, size + self._pending_size)
        else:
            self._extents.append((offset, self._pending_size))
        self._pending = []
        self._pending_size = 0


def _write_all(fd: int, pieces: list[bytes]) -> None:
    for start in range(0, len(pieces), _IOV_MAX):
        batch = pieces[start : start + _IOV_MAX]
        written = os.writev(fd, batch)
        rest = memoryview(b"".join(batch))[written:] if written < sum(map(len, batch)) else memoryview(b"")
        while rest:  # a short write (a signal, a nearly full disk): the rest of the batch in turn
            rest = rest[os.write(fd, rest) :]


def _read_exactly(fd: int, offset: int, size: int) -> bytes:
    """The ``size`` bytes at ``offset`` (written completely by :meth:`SpoolFile.append`)."""
    parts, done = [], 0
    while done < size:
        part = os.pread(fd, size - done, offset + done)
        if not part:
            end = offset + size
            raise OSError(f"the recording's temporary file ended at {offset + done}, short of {end}")
        parts.append(part)
        done += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)
