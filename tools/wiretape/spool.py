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
import weakref
from typing import IO, NamedTuple

logger = logging.getLogger("wiretape")

#: Bytes held in memory before they are written to the file, in one batch.
IN_MEMORY = 1 << 20
# Buffers one writev takes; sysconf may say -1 (no limit known): 16, the least POSIX allows.
_IOV_MAX = max(os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 0, 0) or 16


class _Backing:
    """One open unnamed temporary file and how much of it is handed out."""

    def __init__(self) -> None:
        import tempfile  # here: `import wiretape` stays light

        self.file: IO[bytes] = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 - SpoolFile closes it
        self.end = 0


class SpoolFile:
    """The temporary file the large bodies of one cassette share, appended to from any thread; opened
    on the first batch. A process forked while it is open writes to a file of its own (a shared
    descriptor with two ideas of where the end is would overwrite the other's bodies)."""

    def __init__(self) -> None:
        self._backing: _Backing | None = None
        self._lock = threading.Lock()
        self._closed = False
        _OPEN.add(self)

    def append(self, pieces: list[bytes], size: int) -> Extent:
        """Write ``pieces`` (``size`` bytes in all) after everything before them; where they went.
        Raises OSError when the file takes no more (what was written of them is never read), or
        when it was closed."""
        with self._lock:
            if self._closed:
                raise OSError("the cassette's temporary file for large bodies is closed")
            if self._backing is None:
                self._backing = _Backing()
            backing = self._backing
            offset = backing.end
            # Reserved before writing: a failed batch leaves a gap, never a shift of the others.
            backing.end += size
            os.lseek(backing.file.fileno(), offset, os.SEEK_SET)
            _write_all(backing.file.fileno(), pieces)
            return Extent(backing, offset, size)

    def read(self, extent: Extent) -> bytes:
        with self._lock:
            if extent.backing.file.closed:
                raise ValueError("read of a body whose temporary file was closed (its cassette ended)")
            return _read_exactly(extent.backing.file.fileno(), extent.offset, extent.size)

    def close(self) -> None:
        """Final: the file goes, and later batches are refused (their spools keep them in memory)."""
        with self._lock:
            self._closed = True
            if self._backing is not None:
                self._backing.file.close()
                self._backing = None

    def _forked(self) -> None:
        # In the child: a new lock (the parent's may have been held by a thread that is not here), and
        # the next batch starts a new file. Extents written before the fork still read from the old one.
        self._lock = threading.Lock()
        self._backing = None


class Extent(NamedTuple):
    """Where one batch of a body went."""

    backing: _Backing
    offset: int
    size: int


_OPEN: weakref.WeakSet[SpoolFile] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for file in list(_OPEN):
        file._forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Spool:
    """Pieces of bytes appended in order, read back whole.

    ``file``: the file shared with other spools (its owner closes it); by default one of its own."""

    def __init__(self, in_memory: int | None = None, file: SpoolFile | None = None) -> None:
        self._in_memory = IN_MEMORY if in_memory is None else in_memory
        self._owns_file = file is None
        self._file = SpoolFile() if file is None else file
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._extents: list[Extent] = []
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
        """Everything added so far, in one piece (the spool goes on taking pieces after it).

        A body written in one stretch is one extent, read in one piece; one whose batches alternated
        with another body's is read extent by extent and joined, holding it twice for a moment."""
        if self._closed:
            raise ValueError("read of a closed spool: its body was let go of")
        if not self._extents:
            return b"".join(self._pending)
        if self._pending and self._spilling:
            self._spill()
        # Joining one piece gives that piece itself: a body in one extent is not copied again.
        return b"".join([*(self._file.read(extent) for extent in self._extents), *self._pending])

    def close(self) -> None:
        self._closed = True
        self._pending = []
        self._pending_size = 0
        self._extents = []
        if self._owns_file:
            self._file.close()

    def _spill(self) -> None:
        try:
            extent = self._file.append(self._pending, self._pending_size)
        except OSError as exc:
            # The file takes no more (a full disk): the rest stays in memory, the recording goes on.
            logger.warning("recording: a body's temporary file failed (%s); keeping the rest in memory", exc)
            self._spilling = False
            return
        last = self._extents[-1] if self._extents else None
        if last is not None and last.backing is extent.backing and last.offset + last.size == extent.offset:
            self._extents[-1] = last._replace(size=last.size + extent.size)
        else:
            self._extents.append(extent)
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
