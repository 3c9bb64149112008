"""The record/replay harness against a real loopback upstream, with httpx and httpx-curl-cffi, sync and async."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from client_support import capture_sleeps

from providers.http import ClientSpec, async_client, sync_client
from tools.emulators.server import Exchange, LoopbackServer
from wiretape import (
    Cassette,
    CassetteFormatError,
    CassetteMissError,
    CassetteNotFoundError,
    RecordMode,
    SecretRules,
    load,
)

HOST = "upstream.test"
EVENTS = 50


def sse_pieces(count: int) -> list[bytes]:
    return [
        f"data: {json.dumps({'n': index, 'text': 'é' * (index % 3)})}\n\n".encode() for index in range(count)
    ]


def app(exchange: Exchange) -> None:
    if exchange.path == "/sse":
        count = int(exchange.query.get("n", EVENTS))
        delay = float(exchange.query.get("delay", 0))
        exchange.stream(200, sse_pieces(count), {"content-type": "text/event-stream"}, delay=delay)
    elif exchange.path == "/text":
        data = "Grüße aus dem Netz 😀 ".encode() * 3
        pieces = [data[i : i + 7] for i in range(0, len(data), 7)]
        exchange.stream(
            200,
            pieces,
            {"content-type": "text/plain; charset=utf-8"},
            delay=float(exchange.query.get("delay", 0)),
        )
    elif exchange.path == "/page":
        exchange.respond(
            200,
            '<input type="hidden" name="_wpnonce" value="a1b2c3d4e5">',
            {"content-type": "text/html", "set-cookie": "session=SeCrEtSeSsIoN42; Path=/; HttpOnly"},
        )
    elif exchange.path == "/echo":
        exchange.respond(
            200,
            json.dumps({"got": exchange.body.decode(), "cookie": exchange.header("cookie")}),
            {"content-type": "application/json"},
        )
    elif exchange.path == "/cut":
        exchange.stream(200, sse_pieces(3), {"content-type": "text/event-stream"}, then="cut")
    else:
        exchange.respond(404, "not here")


@pytest.fixture(scope="module")
def upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer({HOST: app}) as server:
        yield server


CLIENTS = [pytest.param(None, id="httpx"), pytest.param("chrome110", id="curl")]


def fetch_sync(impersonate: str | None, path: str) -> tuple[list[bytes], list[float]]:
    """The raw pieces the client sees and when (seconds since the request)."""
    pieces, times = [], []
    with sync_client(ClientSpec(provider="test", impersonate=impersonate)) as client:
        started = time.perf_counter()
        with client.stream("GET", f"https://{HOST}{path}") as response:
            for piece in response.iter_raw():
                pieces.append(piece)
                times.append(time.perf_counter() - started)
    return pieces, times


def fetch_async(impersonate: str | None, path: str) -> tuple[list[bytes], list[float]]:
    async def run() -> tuple[list[bytes], list[float]]:
        pieces, times = [], []
        async with async_client(ClientSpec(provider="test", impersonate=impersonate)) as client:
            started = time.perf_counter()
            async with client.stream("GET", f"https://{HOST}{path}") as response:
                async for piece in response.aiter_raw():
                    pieces.append(piece)
                    times.append(time.perf_counter() - started)
        return pieces, times

    return asyncio.run(run())


FETCHERS = [pytest.param(fetch_sync, id="sync"), pytest.param(fetch_async, id="async")]


@pytest.mark.parametrize("impersonate", CLIENTS)
@pytest.mark.parametrize("fetch", FETCHERS)
@pytest.mark.parametrize("path", ["/sse?n=6&delay=0.04", "/text?delay=0.02"])
def test_record_is_incremental_and_replay_keeps_chunks(
    upstream: LoopbackServer, tmp_path: Path, impersonate: str | None, fetch, path: str
) -> None:  # type: ignore[no-untyped-def]
    path_file = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path_file, mode="all"):
        recorded_pieces, recorded_times = fetch(impersonate, path)
    # Incremental while recording: the first piece arrives long before the last.
    assert len(recorded_pieces) > 3
    assert recorded_times[0] < recorded_times[-1] / 2

    before = upstream.requests_seen
    with Cassette(path_file) as replay:
        replayed_pieces, _ = fetch(impersonate, path)
        assert replay.all_played
    assert upstream.requests_seen == before  # served from the cassette
    assert replayed_pieces == recorded_pieces

    stored = load(path_file).interactions[0].response
    # The upstream paused between pieces; the recording keeps the pauses (a busy machine may absorb
    # some of them into a late read, never all ten of them).
    server_delay = float(path.rpartition("delay=")[2])
    assert sum(chunk.delay for chunk in stored.chunks) >= server_delay


@pytest.mark.parametrize("impersonate", CLIENTS)
@pytest.mark.parametrize("fetch", FETCHERS)
def test_realtime_replay_applies_the_recorded_delays_in_order(
    upstream: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    impersonate: str | None,
    fetch,  # type: ignore[no-untyped-def]
) -> None:
    """Checked by the delays asked of sleep, never by the wall clock (speed is the benchmark's job)."""
    path_file = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path_file, mode="all"):
        recorded_pieces, _ = fetch(impersonate, "/sse?n=6&delay=0.02")
    stored = load(path_file).interactions[0].response

    requested = capture_sleeps(monkeypatch)
    with Cassette(path_file, realtime=True):
        replayed_pieces, _ = fetch(impersonate, "/sse?n=6&delay=0.02")
    monkeypatch.undo()

    assert replayed_pieces == recorded_pieces
    expected = [stored.header_delay, *(chunk.delay for chunk in stored.chunks)]
    assert [delay for delay in requested if delay > 0] == [delay for delay in expected if delay > 0]
    assert len([delay for delay in expected if delay > 0]) >= len(stored.chunks)


@pytest.mark.parametrize("impersonate", CLIENTS)
def test_fifty_event_stream_replays_as_fifty_chunks(
    upstream: LoopbackServer, tmp_path: Path, impersonate: str | None
) -> None:
    with upstream.overrides(), Cassette(tmp_path / "c.yaml", mode="all"):
        recorded, _ = fetch_sync(impersonate, "/sse")
    stored = load(tmp_path / "c.yaml").interactions[0].response
    assert b"".join(recorded) == b"".join(sse_pieces(EVENTS))
    assert [len(p) for p in stored.pieces()] == [len(p) for p in recorded]
    with Cassette(tmp_path / "c.yaml"):
        replayed, _ = fetch_async(impersonate, "/sse")
    assert replayed == recorded
    if impersonate is None:
        assert len(replayed) == EVENTS


def test_stock_vcrpy_replays_a_wiretape_cassette_to_the_same_bytes(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    import vcr

    path = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path, mode="all"), sync_client(ClientSpec(provider="t")) as client:
        originals = [client.get(f"https://{HOST}/sse").content, client.get(f"https://{HOST}/text").content]
    with vcr.use_cassette(str(path), record_mode="none"), httpx.Client() as client:
        replayed = [client.get(f"https://{HOST}/sse").content, client.get(f"https://{HOST}/text").content]
    assert replayed == originals


def test_a_mismatch_names_the_cassette_and_diffs_field_by_field(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    body = {"model": "m", "temperature": 0.5, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    headers = {"user-agent": "agent/1", "origin": "https://upstream.test"}
    with (
        upstream.overrides(),
        Cassette(path, mode="all"),
        sync_client(ClientSpec(provider="t", headers=headers)) as client,
    ):
        client.post(f"https://{HOST}/echo", json=body)
    changed = {**body, "temperature": 0.7, "stream": "true", "messages": [{"role": "user", "content": "hey"}]}
    with (
        Cassette(path),
        sync_client(ClientSpec(provider="t", headers={"user-agent": "agent/2"})) as client,
        pytest.raises(CassetteMissError) as raised,
    ):
        client.post(f"https://{HOST}/echo", json=changed)
    message = str(raised.value)
    assert str(path) in message and "POST https://upstream.test/echo" in message
    assert "nearest recording: interaction #0" in message
    assert "header.user-agent: recorded 'agent/1' != sent 'agent/2'" in message
    assert "header.origin: recorded 'https://upstream.test', not sent" in message
    # A JSON body's values in their JSON spelling, which keeps 1, "1" and true apart without quoting it.
    assert "body.temperature: recorded 0.5 != sent 0.7" in message
    assert 'body.messages[0].content: recorded "hi" != sent "hey"' in message
    assert 'body.stream: recorded true != sent "true"' in message
    assert "body.model" not in message


def test_each_recording_plays_once_and_a_repeat_says_so(upstream: LoopbackServer, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path, mode="all"), sync_client(ClientSpec(provider="t")) as client:
        client.get(f"https://{HOST}/text")
    with Cassette(path), sync_client(ClientSpec(provider="t")) as client:
        client.get(f"https://{HOST}/text")
        with pytest.raises(CassetteMissError, match="already played"):
            client.get(f"https://{HOST}/text")
    with Cassette(path, allow_repeats=True), sync_client(ClientSpec(provider="t")) as client:
        assert client.get(f"https://{HOST}/text").content == client.get(f"https://{HOST}/text").content


def test_sanitising_removes_cookies_nonces_and_client_ids_and_replay_still_links_them(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    client_id = "9f8e7d6c5b"
    spec = ClientSpec(provider="t", headers={"authorization": "Bearer sk-TOPSECRET123"})
    with (
        upstream.overrides(),
        Cassette(path, mode="all", rules=SecretRules(secret_patterns=(r"sk-[A-Za-z0-9]+",))),
        sync_client(spec) as client,
    ):
        page = client.get(f"https://{HOST}/page")
        nonce = page.text.split('value="')[1].split('"')[0]
        echoed = client.post(
            f"https://{HOST}/echo",
            data={"_wpnonce": nonce, "wpaicg_chat_client_id": client_id, "message": "hi"},
        )
    assert echoed.json()["cookie"] == "session=SeCrEtSeSsIoN42"
    text = path.read_text()
    for secret in ("a1b2c3d4e5", "SeCrEtSeSsIoN42", client_id, "TOPSECRET123"):
        assert secret not in text
    stored = load(path)
    page_body = stored.interactions[0].response.body.decode()
    post_body = stored.interactions[1].request.body.decode()
    placeholder = page_body.split('value="')[1].split('"')[0]
    assert len(placeholder) == len("a1b2c3d4e5") and f"_wpnonce={placeholder}" in post_body
    # Replay: the nonce taken from the replayed page is the one the recorded POST carries,
    # and a fresh client id still matches (it is volatile).
    with Cassette(path) as replay, sync_client(spec) as client:
        page = client.get(f"https://{HOST}/page")
        replayed_nonce = page.text.split('value="')[1].split('"')[0]
        client.post(
            f"https://{HOST}/echo",
            data={"_wpnonce": replayed_nonce, "wpaicg_chat_client_id": "0000000000", "message": "hi"},
        )
        assert replay.all_played
    assert replayed_nonce == placeholder


def test_a_failing_block_leaves_the_old_cassette_untouched(upstream: LoopbackServer, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path, mode="all"), sync_client(ClientSpec(provider="t")) as client:
        client.get(f"https://{HOST}/text")
    before = path.read_bytes()
    with (
        pytest.raises(KeyboardInterrupt),
        upstream.overrides(),
        Cassette(path, mode="all"),
        sync_client(ClientSpec(provider="t")) as client,
    ):
        client.get(f"https://{HOST}/sse")
        raise KeyboardInterrupt
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".c.yaml.lock",
        "c.yaml",
    ]  # no temp file left behind


def test_mode_all_replaces_instead_of_appending_and_new_episodes_appends(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    for _ in range(2):
        with (
            upstream.overrides(),
            Cassette(path, mode=RecordMode.ALL),
            sync_client(ClientSpec(provider="t")) as client,
        ):
            client.get(f"https://{HOST}/text")
    assert len(load(path).interactions) == 1
    with (
        upstream.overrides(),
        Cassette(path, mode=RecordMode.NEW_EPISODES),
        sync_client(ClientSpec(provider="t")) as client,
    ):
        client.get(f"https://{HOST}/text")  # replayed
        client.get(f"https://{HOST}/sse?n=2")  # recorded
    assert [i.request.uri for i in load(path).interactions] == [
        f"https://{HOST}/text",
        f"https://{HOST}/sse?n=2",
    ]


def test_mode_once_records_a_missing_cassette_then_only_replays(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path, mode="once"), sync_client(ClientSpec(provider="t")) as client:
        client.get(f"https://{HOST}/text")
    with (
        Cassette(path, mode="once"),
        sync_client(ClientSpec(provider="t")) as client,
        pytest.raises(CassetteMissError),
    ):
        client.get(f"https://{HOST}/sse")


def test_replay_of_a_missing_cassette_says_how_to_record_it(tmp_path: Path) -> None:
    with pytest.raises(CassetteNotFoundError, match="record-mode=once"), Cassette(tmp_path / "absent.yaml"):
        pass


@pytest.mark.parametrize("impersonate", CLIENTS)
def test_a_stream_cut_mid_event_is_recorded_and_replayed_as_the_same_failure(
    upstream: LoopbackServer, tmp_path: Path, impersonate: str | None
) -> None:
    path = tmp_path / "c.yaml"

    def read_all() -> tuple[list[bytes], type[BaseException]]:
        pieces: list[bytes] = []
        with (
            sync_client(ClientSpec(provider="t", impersonate=impersonate)) as client,
            client.stream("GET", f"https://{HOST}/cut") as response,
        ):
            try:
                for piece in response.iter_raw():
                    pieces.append(piece)
            except Exception as exc:
                return pieces, type(exc)
        raise AssertionError("the cut stream ended cleanly")

    with upstream.overrides(), Cassette(path, mode="all"):
        recorded, _ = read_all()
    assert load(path).interactions[0].response.error is not None
    with Cassette(path):
        replayed, error = read_all()
    assert replayed == recorded and issubclass(error, httpx.TransportError)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("interactions: [\n  - {request: ", "not valid YAML at line"),
        ("!!python/object/apply:os.system ['echo hacked']", "safe loader"),
        ("version: 1\ninteractions: {}", "'interactions' must be a list"),
        (
            "version: 1\ninteractions:\n- request: {method: GET, uri: u}\n  response: {status: {code: ok}}",
            "status.code must be an HTTP status",
        ),
        ("- just a list", "not a cassette"),
        # A character YAML refuses anywhere: where, as a line and column, not an offset into the text.
        ("version: 1\ninteractions:\n- {uri: 'a\x07b'}", "not valid YAML at line 3, column 11: unacceptable"),
    ],
)
def test_broken_cassettes_are_named_errors_not_yaml_tracebacks(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(CassetteFormatError, match=fragment) as raised:
        Cassette(path).__enter__()
    assert str(path) in str(raised.value)
    assert not isinstance(raised.value, yaml.YAMLError)


def test_rechunk_hook_cuts_the_recorded_body_anywhere(upstream: LoopbackServer, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path, mode="all"):
        recorded, _ = fetch_sync(None, "/text")
    body = b"".join(recorded)

    def bytewise(whole: bytes, pieces: list[bytes]) -> list[bytes]:
        assert b"".join(pieces) == whole
        return [whole[i : i + 1] for i in range(len(whole))]

    with Cassette(path, rechunk=bytewise):
        replayed, _ = fetch_sync(None, "/text")
    assert replayed == [body[i : i + 1] for i in range(len(body))]

    with (
        Cassette(path, rechunk=lambda whole, pieces: [whole[:-1]]),
        pytest.raises(ValueError, match="cut the body"),
    ):
        fetch_sync(None, "/text")


def equing_app(exchange: Exchange) -> None:
    prompt = json.loads(exchange.body)["messages"][-1]["content"]
    events = [
        f"data: {json.dumps({'choices': [{'delta': {'content': word + ' '}}]})}\n\n".encode()
        for word in prompt.split()
    ]
    exchange.stream(200, [*events, b"data: [DONE]\n\n"], {"content-type": "text/event-stream"}, delay=0.01)


def test_a_provider_recorded_through_the_harness_replays_offline_in_both_streaming_styles(
    tmp_path: Path,
) -> None:
    import providers
    from tests.helpers import call

    path = tmp_path / "equing.yaml"
    messages = [{"role": "user", "content": "ein zwei drei vier"}]
    with (
        LoopbackServer({"next.eqing.tech": equing_app}) as server,
        server.overrides(),
        Cassette(path, mode="all"),
    ):
        recorded = list(providers.Equing.create_completion("gpt-3.5-turbo", messages, stream=True))
    assert recorded == ["ein ", "zwei ", "drei ", "vier "]
    # create_async asks Equing for a non-streamed answer: a different request, so not in this cassette.
    for style in ("sync", "async_generator"):
        with Cassette(path):
            chunks = call(providers.Equing, style, "gpt-3.5-turbo", messages, stream=True)
        assert "".join(chunks) == "ein zwei drei vier "


def test_one_cassette_object_entered_twice_replays_each_time(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    """Each block starts afresh from the file: its recordings play once per block."""
    path = tmp_path / "c.yaml"
    spec = ClientSpec(provider="t")
    with upstream.overrides(), Cassette(path, mode="once"), sync_client(spec) as client:
        client.post(f"https://{HOST}/echo", json={"n": 1}).raise_for_status()
    again = Cassette(path)
    for _ in range(3):
        with again, sync_client(spec) as client:
            assert client.post(f"https://{HOST}/echo", json={"n": 1}).json()["got"] == '{"n":1}'


def test_a_recording_too_large_to_read_back_is_refused_before_it_replaces_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written, a cassette past the size a cassette may have could never be replayed (and re-recording
    would write it again): the block ends with an error that says so, and the old file stays."""
    from wiretape import CassetteTooLargeError
    from wiretape import file as cassette_file
    from wiretape.matching import RequestView

    monkeypatch.setattr(cassette_file, "MAX_CASSETTE_BYTES", 64 * 1024)
    path = tmp_path / "c.yaml"
    path.write_text("version: 1\ninteractions: []\n")
    before = path.read_bytes()
    recording = Cassette(path, mode="all")
    with pytest.raises(CassetteTooLargeError) as raised, recording:
        for index in range(3):
            request = RequestView("GET", f"https://a.test/{index}", [], b"")
            recording.begin(request).respond(200, "OK", []).chunk(b"x" * 30_000)
    message = str(raised.value)
    assert str(path) in message and "more than the 65536 bytes a cassette may have" in message
    assert "split" in message
    assert path.read_bytes() == before
    assert load(path).interactions == []


def test_writing_a_cassette_holds_its_bodies_not_its_text_too(tmp_path: Path) -> None:
    """The YAML goes into the file as it is emitted: written as one text, then encoded, a cassette of
    many large answers was held three times over (a 600 MB recording peaked at 2.3 GB)."""
    import tracemalloc

    from wiretape.matching import RequestView

    megabyte, count = 1 << 20, 16
    recording = Cassette(tmp_path / "c.yaml", mode="all")
    with recording:
        for index in range(count):
            request = RequestView("GET", f"https://a.test/{index}", [], b"")
            recording.begin(request).respond(200, "OK", [("content-type", "text/plain")]).chunk(
                bytes([97 + index]) * megabyte
            )
        tracemalloc.start()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Read back from the spool (1x) and made text for YAML (1x): about twice the bodies, not four times.
    assert peak < 2.5 * count * megabyte, f"{peak / megabyte:.0f} MiB to write {count} MiB"
    assert [len(i.response.body) for i in load(tmp_path / "c.yaml").interactions] == [megabyte] * count
