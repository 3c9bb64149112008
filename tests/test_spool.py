"""The recording tee's spool: a small body in memory, a large one in a temporary file, always whole."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import open_descriptors
from wiretape import spool
from wiretape.spool import Spool


def pieces(total: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    out, size = [], 0
    while size < total:
        piece = rng.randbytes(rng.randint(1, 3000))
        out.append(piece)
        size += len(piece)
    return out


def test_a_body_within_the_bound_never_touches_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_file(*_: object, **__: object) -> None:
        raise AssertionError("a temporary file was made")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_file)
    body = Spool(in_memory=10_000)
    parts = pieces(9_000)
    for part in parts:
        body.add(part)
    assert body.read() == b"".join(parts)


def test_a_large_body_reads_back_whole_even_while_it_grows() -> None:
    body = Spool(in_memory=4_000)
    parts = pieces(50_000)
    for index, part in enumerate(parts):
        body.add(part)
        if index % 9 == 0:
            assert body.read() == b"".join(parts[: index + 1])
    assert body.read() == b"".join(parts)
    body.close()


def test_more_pieces_in_a_batch_than_one_writev_takes() -> None:
    body = Spool(in_memory=3 * os.sysconf("SC_IOV_MAX"))
    parts = [bytes([index % 256]) for index in range(10_000)]
    for part in parts:
        body.add(part)
    assert body.read() == b"".join(parts)
    body.close()


def test_a_short_write_goes_on_where_it_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    writev = os.writev

    def half(fd: int, buffers: list[bytes]) -> int:
        joined = b"".join(buffers)
        return writev(fd, [joined[: max(1, len(joined) // 2)]])

    monkeypatch.setattr(spool.os, "writev", half)
    body = Spool(in_memory=1_000)
    parts = pieces(20_000)
    for part in parts:
        body.add(part)
    assert body.read() == b"".join(parts)
    body.close()


def test_a_full_disk_keeps_the_rest_in_memory_and_loses_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    writev = os.writev
    calls = []

    def fills_up(fd: int, buffers: list[bytes]) -> int:
        calls.append(fd)
        if len(calls) > 2:
            # Part of the batch lands before the disk is full: the spool must not count it.
            os.write(fd, b"garbage")
            raise OSError(errno.ENOSPC, "No space left on device")
        return writev(fd, buffers)

    monkeypatch.setattr(spool.os, "writev", fills_up)
    body = Spool(in_memory=1_000)
    parts = pieces(20_000)
    with caplog.at_level(logging.WARNING, logger="wiretape"):
        for part in parts:
            body.add(part)
    assert body.read() == b"".join(parts)
    assert "No space left on device" in caplog.text and "keeping the rest in memory" in caplog.text
    body.close()


def open_files() -> set[str]:
    found = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):  # the listing's own descriptor, closed by now
            found.add(str(fd.readlink()))
    return found


def test_pieces_after_close_open_no_file_and_a_read_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client may read on after its cassette was written: nothing is kept, no file is opened again
    (none would be closed), and a read does not give part of the body as if it were all of it."""
    body = Spool(in_memory=1_000)
    for part in pieces(5_000):
        body.add(part)
    body.read()
    body.close()

    def no_file(*_: object, **__: object) -> None:
        raise AssertionError("a temporary file was made after close()")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_file)
    for part in pieces(5_000, seed=8):
        body.add(part)
    with pytest.raises(ValueError, match="closed"):
        body.read()


def test_a_body_read_on_after_its_cassette_is_written_holds_no_file(tmp_path: Path) -> None:
    from wiretape import Cassette, load
    from wiretape.matching import RequestView

    megabyte = b"x" * (1 << 20)
    cassette = Cassette(tmp_path / "c.yaml", mode="all")
    with cassette:
        record = cassette.begin(RequestView("GET", "https://a.test/", [], b"")).respond(200, "OK", [])
        for _ in range(2):
            record.chunk(megabyte)
    before = open_files()
    for _ in range(3):  # the client reads on: the cassette is written already
        record.chunk(megabyte)
    assert open_files() <= before
    cassette.write()  # written again: the same body, read before the cassette closed
    assert load(tmp_path / "c.yaml").interactions[0].response.body == megabyte * 2


def test_the_cassette_written_while_another_thread_still_reads_a_body() -> None:
    """complete() takes what was read so far, whole and in step with its pieces' sizes, while a
    thread goes on adding pieces (a stream read in the background as the cassette is written)."""
    import threading
    import time

    from wiretape.file import RecordedResponse
    from wiretape.intercept import TeeRecord

    record = TeeRecord(RecordedResponse(status=200, reason="OK", headers=[], body=b""), time.perf_counter())
    record._spool = Spool(in_memory=64 * 1024)
    done = threading.Event()

    def read_on() -> None:
        # Bounded and paced like a socket read: with sleep(0) Python 3.10's GIL let this
        # thread starve the writer while the body grew without end.
        for index in range(2000):
            if done.is_set():
                return
            record.chunk(bytes([index % 256]) * 4096)
            time.sleep(0.0001)

    reader = threading.Thread(target=read_on)
    reader.start()
    try:
        for _ in range(20):
            time.sleep(0.005)
            record.complete()
            chunks = record.response.chunks
            assert record.response.body == b"".join(bytes([i % 256]) * 4096 for i in range(len(chunks)))
            assert all(chunk.size == 4096 for chunk in chunks)
    finally:
        done.set()
        reader.join()
        record.close()


def test_many_large_bodies_recorded_in_one_cassette_share_one_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each body past the memory bound waits in a file until the cassette is written: one file for
    them all, or a cassette of a thousand large answers would run the process out of descriptors (and
    its next socket would fail)."""
    from providers.http import ClientSpec, sync_client
    from tools.emulators.server import Exchange, LoopbackServer
    from wiretape import Cassette, load

    monkeypatch.setattr(spool, "IN_MEMORY", 16 * 1024)
    count = 60

    def app(exchange: Exchange) -> None:
        index = int(exchange.path.rsplit("/", 1)[1])
        exchange.stream(200, [bytes([index]) * 8192] * 8, {"content-type": "application/octet-stream"})

    path = tmp_path / "many.yaml"
    with (
        LoopbackServer({"big.test": app}) as server,
        server.overrides(),
        sync_client(ClientSpec(provider="spool")) as client,
    ):
        client.get("https://big.test/0").read()  # the connection opened before counting
        with Cassette(path, mode="all"):
            before = open_descriptors()
            for index in range(1, count + 1):
                assert client.get(f"https://big.test/{index}").content == bytes([index]) * 65536
            assert open_descriptors() <= before + 1
    bodies = [interaction.response.body for interaction in load(path).interactions]
    assert bodies == [bytes([index]) * 65536 for index in range(1, count + 1)]


def test_bodies_sharing_a_file_read_back_each_its_own_pieces() -> None:
    """Batches of several bodies land in one file in whatever order they spill; each body is read back
    from its own, whole and in order, while the others go on growing."""
    from wiretape.spool import SpoolFile

    shared = SpoolFile()
    bodies = [Spool(in_memory=2_000 + 1_000 * index, file=shared) for index in range(3)]
    parts = [pieces(40_000, seed=index) for index in range(3)]
    for step in range(max(map(len, parts))):
        for body, own in zip(bodies, parts, strict=True):
            if step < len(own):
                body.add(own[step])
        if step % 11 == 0:
            assert bodies[step % 3].read() == b"".join(parts[step % 3][: step + 1])
    for body, own in zip(bodies, parts, strict=True):
        assert body.read() == b"".join(own)
    bodies[0].close()  # a body let go of leaves the shared file to the others
    assert bodies[1].read() == b"".join(parts[1])
    shared.close()
    with pytest.raises(ValueError, match="temporary file was closed"):
        bodies[2].read()  # never another body's bytes from a file opened after


def in_a_forked_child(work: Callable[[], bool], meanwhile: Callable[[], None] = lambda: None) -> bool:
    """Run ``work`` in a child process made by fork (a multiprocessing pool's workers are), once the
    parent has done ``meanwhile``; the child's verdict. An alarm stops the child if it hangs."""
    import signal
    import warnings

    go_on, go = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads about (xdist's)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        signal.alarm(10)
        verdict = False
        try:
            os.read(go_on, 1)
            verdict = work()
        finally:
            os._exit(0 if verdict else 1)
    meanwhile()
    os.write(go, b"!")
    _, status = os.waitpid(pid, 0)
    os.close(go_on)
    os.close(go)
    return os.waitstatus_to_exitcode(status) == 0


def test_a_forked_child_never_overwrites_the_parents_bodies() -> None:
    """Parent and child hold the same file after a fork; the child's batches go to a file of its own."""
    from wiretape.spool import SpoolFile

    shared = SpoolFile()
    before = Spool(in_memory=1, file=shared)
    before.add(b"a" * 4096)

    after = Spool(in_memory=1, file=shared)

    def child() -> bool:
        body = Spool(in_memory=1, file=shared)
        body.add(b"b" * 8192)
        return body.read() == b"b" * 8192 and before.read() == b"a" * 4096

    assert in_a_forked_child(child, meanwhile=lambda: after.add(b"c" * 4096))
    assert before.read() == b"a" * 4096 and after.read() == b"c" * 4096
    shared.close()


def test_a_child_forked_while_a_batch_is_being_written_still_records() -> None:
    """A fork copies a lock held by another thread as held: the child would wait for it forever."""
    from wiretape.spool import SpoolFile

    shared = SpoolFile()
    with shared._lock:  # as a writer thread holds it, mid-batch, when another thread forks

        def child() -> bool:
            body = Spool(in_memory=1, file=shared)
            body.add(b"d" * 4096)
            return body.read() == b"d" * 4096

        assert in_a_forked_child(child)
    shared.close()


def test_an_answer_that_comes_after_its_block_ended_is_not_kept(tmp_path: Path) -> None:
    """A response head on a client's thread as the block ends: its body is not recorded, holds no file,
    and is not written by a later block of the same cassette."""
    from wiretape import Cassette, load
    from wiretape.matching import RequestView

    cassette = Cassette(tmp_path / "c.yaml", mode="all")
    with cassette:
        late = cassette.begin(RequestView("GET", "https://a.test/late", [], b""))
    before = open_files()
    record = late.respond(200, "OK", [])
    record.chunk(b"L" * (2 << 20))
    assert open_files() <= before
    with cassette:
        cassette.begin(RequestView("GET", "https://a.test/now", [], b"")).respond(200, "OK", []).chunk(b"n")
    assert [i.request.uri for i in load(tmp_path / "c.yaml").interactions] == ["https://a.test/now"]
