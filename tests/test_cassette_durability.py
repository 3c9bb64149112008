"""Concurrent and interrupted re-recording: the cassette is never corrupt, never half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.emulators.server import Exchange, LoopbackServer
from wiretape import load

HOST = "slow.test"

RECORDER = """
import sys
from providers.http import ClientSpec, network_overrides, sync_client
from wiretape import Cassette

path, port, ca, what = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with network_overrides(routes={"slow.test": ("127.0.0.1", port)}, ca_bundle=ca):
    with Cassette(path, mode="all"), sync_client(ClientSpec(provider="t")) as client:
        print("recording", flush=True)
        client.get("https://slow.test/" + what).read()
"""


#: Set once the slow answer's first two pieces have gone out: a recorder killed then dies mid-stream.
SLOW_ANSWER_STARTED = threading.Event()


def pieces(path: str) -> Iterator[bytes]:
    for index in range(8):
        if index == 2 and path == "/slow":
            SLOW_ANSWER_STARTED.set()
        yield path.encode() * 50


def app(exchange: Exchange) -> None:
    delay = 0.5 if exchange.path == "/slow" else 0.01
    exchange.stream(200, pieces(exchange.path), {"content-type": "text/plain"}, delay=delay)


@pytest.fixture(scope="module")
def upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer({HOST: app}) as server:
        yield server


def recorder(path: Path, upstream: LoopbackServer, what: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RECORDER, str(path), str(upstream.port), upstream.ca_file, what],
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_sigkill_during_re_recording_leaves_the_previous_cassette_intact(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    first = recorder(path, upstream, "fast")
    assert first.wait(timeout=60) == 0
    before = path.read_bytes()
    second = recorder(path, upstream, "slow")
    assert second.stdout is not None and second.stdout.readline().strip() == "recording"
    assert SLOW_ANSWER_STARTED.wait(timeout=60)
    os.kill(second.pid, signal.SIGKILL)
    second.wait(timeout=10)
    assert path.read_bytes() == before
    assert load(path).interactions[0].request.uri == "https://slow.test/fast"


@pytest.mark.slow
def test_concurrent_recorders_of_one_cassette_never_corrupt_it(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    processes = [recorder(path, upstream, f"worker{index}") for index in range(4)]
    assert [process.wait(timeout=120) for process in processes] == [0, 0, 0, 0]
    data = load(path)
    assert len(data.interactions) == 1
    path_part = "/" + data.interactions[0].request.uri.rsplit("/", 1)[1]
    assert data.interactions[0].response.body == path_part.encode() * 50 * 8
    # The cassette and its lock file (beside it, so that every recorder finds it); no temp file.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".c.yaml.lock", "c.yaml"]


@pytest.mark.parametrize("failing", ["wiretape.clients.aiohttp_session", "wiretape.clients.requests_session"])
def test_a_cassette_whose_clients_cannot_be_patched_leaves_nothing_installed_or_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """A client library found but broken (a dependency missing) fails the cassette's opening: no
    handler stays active to answer the next requests, no patch stays, the file is not left locked."""
    import importlib

    import filelock
    import requests.adapters

    from wiretape import Cassette, intercept
    from wiretape.cassette import lock_path

    original_send = requests.adapters.HTTPAdapter.send
    adapter = importlib.import_module(failing)
    install = adapter.install

    def broken() -> None:
        install()  # patched part of the library, then
        raise ImportError("No module named 'a_missing_dependency'")

    monkeypatch.setattr(adapter, "install", broken)
    path = tmp_path / "c.yaml"
    with pytest.raises(ImportError, match="a_missing_dependency"), Cassette(path, mode="all"):
        pass
    assert intercept.current() is None
    assert requests.adapters.HTTPAdapter.send is original_send
    with filelock.FileLock(lock_path(path), timeout=0):
        pass
