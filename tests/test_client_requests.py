"""requests (HTTPAdapter.send, urllib3 below) recorded and replayed piece for piece; stock vcrpy replays
what wiretape records through requests and aiohttp."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

requests = pytest.importorskip("requests")

from tests.client_support import (  # noqa: E402
    BEFORE_RESET,
    BODY,
    GATE,
    GATED_BODY,
    TEXT,
    assert_rechunked_and_paced_as_recorded,
    assert_reset_recorded,
    assert_streamed_as_recorded,
    upstream,
    url,
)
from wiretape import Cassette, ClientNotInterceptedError, clients, load  # noqa: E402


def fetch(address: str, ca_file: str | None = None, received: list[bytes] | None = None) -> list[bytes]:
    pieces = [] if received is None else received
    with requests.Session() as session, session.get(address, stream=True, verify=ca_file or True) as response:
        for piece in response.iter_content(chunk_size=None):
            pieces.append(piece)
    return pieces


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[bytes]]:
    """The cassettes recorded against one upstream, which is then stopped: the tests replay offline."""
    directory = tmp_path_factory.mktemp("requests")
    with upstream() as server:
        base = url(server, "")
        with Cassette(directory / "stream.yaml", mode="all"):
            pieces = fetch(base + "/stream", server.ca_file)
        with Cassette(directory / "reset.yaml", mode="all"), pytest.raises(requests.RequestException):
            fetch(base + "/reset", server.ca_file)
        with Cassette(directory / "whole.yaml", mode="all"):
            requests.post(base + "/json", json={"q": 1}, verify=server.ca_file).raise_for_status()
    return directory, base, pieces


def test_a_streamed_answer_replays_offline_piece_for_piece(
    recorded: tuple[Path, str, list[bytes]],
) -> None:
    directory, base, pieces = recorded
    with Cassette(directory / "stream.yaml") as cassette:
        replayed = fetch(base + "/stream")
        assert cassette.all_played
    assert_streamed_as_recorded(pieces, replayed)
    assert load(directory / "stream.yaml").interactions[0].response.client == {"library": "requests"}


def test_iter_lines_and_a_smaller_chunk_size(recorded: tuple[Path, str, list[bytes]]) -> None:
    directory, base, _ = recorded
    with Cassette(directory / "stream.yaml"), requests.get(base + "/stream", stream=True) as response:
        lines = [line.decode() for line in response.iter_lines()]
    assert lines == TEXT.splitlines()
    with Cassette(directory / "stream.yaml"), requests.get(base + "/stream", stream=True) as response:
        small = list(response.iter_content(chunk_size=4))
    assert b"".join(small) == BODY and max(len(piece) for piece in small) == 4


def test_a_whole_answer_replays_with_its_json(recorded: tuple[Path, str, list[bytes]]) -> None:
    directory, base, _ = recorded
    with Cassette(directory / "whole.yaml"):
        response = requests.post(base + "/json", json={"q": 1})
    assert (response.status_code, response.reason) == (200, "OK")
    assert response.json() == {"ok": True, "text": "Grüße"}
    assert response.headers["Content-Type"] == "application/json"


def test_a_reset_mid_stream_replays_as_requests_chunked_encoding_error(
    recorded: tuple[Path, str, list[bytes]],
) -> None:
    directory, base, _ = recorded
    assert_reset_recorded(directory / "reset.yaml")
    received: list[bytes] = []
    with Cassette(directory / "reset.yaml"), pytest.raises(requests.exceptions.ChunkedEncodingError):
        fetch(base + "/reset", received=received)
    assert b"".join(received) == b"".join(BEFORE_RESET)


def test_realtime_replay_pauses_as_recorded_and_rechunk_recuts(
    recorded: tuple[Path, str, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, base, _ = recorded
    assert_rechunked_and_paced_as_recorded(
        directory / "stream.yaml", lambda: fetch(base + "/stream"), BODY, monkeypatch
    )


def test_without_the_adapter_a_request_inside_a_cassette_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with upstream() as server:
        monkeypatch.delitem(clients.ADAPTERS, "requests")
        with pytest.raises(ClientNotInterceptedError), Cassette(tmp_path / "refused.yaml", mode="all"):
            requests.get(url(server, "/json"), verify=server.ca_file)


def test_the_caller_gets_the_first_piece_before_the_upstream_sends_the_rest(tmp_path: Path) -> None:
    """The tee is incremental: the upstream waits for the caller to have the first piece."""
    GATE.clear()
    pieces = []
    with (
        upstream() as server,
        Cassette(tmp_path / "gated.yaml", mode="all"),
        requests.get(url(server, "/gated"), stream=True, verify=server.ca_file) as response,
    ):
        for piece in response.iter_content(chunk_size=None):
            pieces.append(piece)
            GATE.set()
    assert b"".join(pieces) == GATED_BODY == load(tmp_path / "gated.yaml").interactions[0].response.body


# ---------------------------------------------------------------- stock vcrpy reads what wiretape wrote


def test_stock_vcrpy_replays_a_cassette_written_through_requests(
    recorded: tuple[Path, str, list[bytes]],
) -> None:
    vcr = pytest.importorskip("vcr")
    directory, base, _ = recorded
    with vcr.use_cassette(str(directory / "stream.yaml"), record_mode="none") as cassette:
        response = requests.get(base + "/stream")
        assert cassette.play_count == 1
    assert response.content.decode() == TEXT


def test_stock_vcrpy_replays_a_cassette_written_through_aiohttp(tmp_path: Path) -> None:
    vcr = pytest.importorskip("vcr")
    aiohttp = pytest.importorskip("aiohttp")
    import ssl

    async def get(address: str, ca_file: str | None) -> str:
        context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        async with aiohttp.ClientSession() as session, session.get(address, ssl=context) as response:
            return await response.text()

    path = tmp_path / "aiohttp.yaml"
    with upstream() as server:
        address = url(server, "/stream")
        with Cassette(path, mode="all"):
            assert asyncio.run(get(address, server.ca_file)) == TEXT
    with vcr.use_cassette(str(path), record_mode="none") as cassette:
        assert asyncio.run(get(address, None)) == TEXT
        assert cassette.play_count == 1
