"""Native curl_cffi sessions (``Session`` / ``AsyncSession``) recorded and replayed piece for piece."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

curl_requests = pytest.importorskip("curl_cffi.requests")

from tests.client_support import (  # noqa: E402
    BEFORE_RESET,
    GATE,
    GATED_BODY,
    assert_rechunked_and_paced_as_recorded,
    assert_reset_recorded,
    assert_streamed_as_recorded,
    upstream,
    url,
)
from wiretape import Cassette, ClientNotInterceptedError, clients, load  # noqa: E402

RequestsError = curl_requests.RequestsError
Fetch = Callable[..., list[bytes]]


def fetch_sync(address: str, ca_file: str | None = None, impersonate: str = "chrome110") -> list[bytes]:
    pieces = []
    with curl_requests.Session(verify=ca_file or True) as session:
        response = session.request("GET", address, stream=True, impersonate=impersonate)
        try:
            for piece in response.iter_content():
                pieces.append(piece)
        except RequestsError:
            fetch_sync.partial = pieces  # type: ignore[attr-defined]
            raise
        finally:
            response.close()
    return pieces


def fetch_async(address: str, ca_file: str | None = None, impersonate: str = "chrome110") -> list[bytes]:
    async def run() -> list[bytes]:
        pieces = []
        async with curl_requests.AsyncSession(verify=ca_file or True) as session:
            response = await session.request("GET", address, stream=True, impersonate=impersonate)
            try:
                async for piece in response.aiter_content():
                    pieces.append(piece)
            except RequestsError:
                fetch_async.partial = pieces  # type: ignore[attr-defined]
                raise
            finally:
                await response.aclose()
        return pieces

    return asyncio.run(run())


FETCHES = {"sync": fetch_sync, "async": fetch_async}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, list[bytes]]]:
    """Every cassette recorded against one upstream, which is then stopped: the tests replay offline."""
    directory = tmp_path_factory.mktemp("curl_cffi")
    pieces = {}
    with upstream() as server:
        base = url(server, "")
        for name, fetch in FETCHES.items():
            with Cassette(directory / f"{name}.yaml", mode="all"):
                pieces[name] = fetch(base + "/stream", server.ca_file)
            with Cassette(directory / f"{name}-reset.yaml", mode="all"), pytest.raises(RequestsError):
                fetch(base + "/reset", server.ca_file)
    return directory, base, pieces


@pytest.mark.parametrize("name", FETCHES)
def test_a_streamed_answer_replays_offline_piece_for_piece(
    recorded: tuple[Path, str, dict[str, list[bytes]]], name: str
) -> None:
    directory, base, pieces = recorded
    with Cassette(directory / f"{name}.yaml") as cassette:
        replayed = FETCHES[name](base + "/stream")
        assert cassette.all_played
    assert_streamed_as_recorded(pieces[name], replayed)


@pytest.mark.parametrize("name", FETCHES)
def test_a_reset_mid_stream_replays_as_curl_cffis_error(
    recorded: tuple[Path, str, dict[str, list[bytes]]], name: str
) -> None:
    directory, base, _ = recorded
    assert_reset_recorded(directory / f"{name}-reset.yaml")
    fetch = FETCHES[name]
    with Cassette(directory / f"{name}-reset.yaml"), pytest.raises(RequestsError) as raised:
        fetch(base + "/reset")
    assert b"".join(fetch.partial) == b"".join(BEFORE_RESET)  # type: ignore[attr-defined]
    assert raised.value.code  # a libcurl error code, as curl_cffi gives


def test_impersonation_is_kept_as_provenance_not_matched_on(
    recorded: tuple[Path, str, dict[str, list[bytes]]],
) -> None:
    directory, base, pieces = recorded
    response = load(directory / "sync.yaml").interactions[0].response
    assert response.client == {"library": "curl_cffi", "impersonate": "chrome110"}
    with Cassette(directory / "sync.yaml"):
        assert fetch_sync(base + "/stream", impersonate="chrome120") == pieces["sync"]


@pytest.mark.parametrize("name", FETCHES)
def test_realtime_replay_pauses_as_recorded_and_rechunk_recuts(
    recorded: tuple[Path, str, dict[str, list[bytes]]], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, base, pieces = recorded
    assert_rechunked_and_paced_as_recorded(
        directory / f"{name}.yaml",
        lambda: FETCHES[name](base + "/stream"),
        b"".join(pieces[name]),
        monkeypatch,
    )


def test_a_whole_answer_passes_the_bypass_guard_and_replays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "whole.yaml"
    with upstream() as server:
        address = url(server, "/json")
        with Cassette(path, mode="all"), curl_requests.Session(verify=server.ca_file) as session:
            assert session.post(address, json={"q": 1}).json() == {"ok": True, "text": "Grüße"}
        # Without the adapter, the same request inside a cassette is refused.
        monkeypatch.delitem(clients.ADAPTERS, "curl_cffi")
        with (
            pytest.raises(ClientNotInterceptedError),
            Cassette(tmp_path / "refused.yaml", mode="all"),
            curl_requests.Session(verify=server.ca_file) as session,
        ):
            session.post(address, json={"q": 1})
        monkeypatch.undo()
    with Cassette(path), curl_requests.Session() as session:
        response = session.post(address, json={"q": 1})
    assert (response.status_code, response.json()) == (200, {"ok": True, "text": "Grüße"})
    assert response.headers["content-type"] == "application/json"


def test_the_caller_gets_the_first_piece_before_the_upstream_sends_the_rest(tmp_path: Path) -> None:
    """The tee is incremental: the upstream waits for the caller to have the first piece."""
    GATE.clear()
    pieces = []
    with (
        upstream() as server,
        Cassette(tmp_path / "gated.yaml", mode="all"),
        curl_requests.Session(verify=server.ca_file) as session,
    ):
        response = session.request("GET", url(server, "/gated"), stream=True)
        for piece in response.iter_content():
            pieces.append(piece)
            GATE.set()
        response.close()
    assert b"".join(pieces) == GATED_BODY == load(tmp_path / "gated.yaml").interactions[0].response.body
