"""httpx2 (under the openai 3 SDK) is intercepted like httpx; a client wiretape does not intercept
(urllib) is refused inside a cassette, replaying or recording, loopback included."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from openai_upstream import PIECES, upstream

from wiretape import CassetteMissError, ClientNotInterceptedError, cassette, load

needs_httpx2 = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="httpx2 and the openai 3 SDK need Python 3.11 or newer"
)


@needs_httpx2
def test_httpx2_records_and_replays_the_pieces_as_they_came(tmp_path: Path) -> None:
    import httpx2

    path = tmp_path / "c.yaml"
    with (
        upstream() as url,
        cassette(path, mode="all"),
        httpx2.Client() as client,
        client.stream("GET", f"{url}/stream") as live,
    ):
        recorded_pieces = list(live.iter_raw())
    assert b"".join(recorded_pieces) == b"".join(PIECES)
    stored = load(path).interactions[0].response
    assert [chunk.size for chunk in stored.chunks] == [len(piece) for piece in recorded_pieces]
    # The server is gone: replay gives the same pieces, a split é included.
    with cassette(path), httpx2.Client() as client, client.stream("GET", f"{url}/stream") as replayed:
        assert list(replayed.iter_raw()) == recorded_pieces
        assert replayed.reason_phrase == "OK"


@needs_httpx2
def test_the_openai_sdk_replays_offline(tmp_path: Path) -> None:
    import openai

    path = tmp_path / "c.yaml"
    messages = [{"role": "user", "content": "Hello"}]
    with upstream() as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="sk-test-0123456789abcdef", max_retries=0)
        with cassette(path, mode="all"):
            live = client.chat.completions.create(model="gpt-test", messages=messages)  # type: ignore[arg-type]
    assert live.choices[0].message.content == "You wrote: Hello"
    assert "sk-test-0123456789abcdef" not in path.read_text()
    with cassette(path):
        replayed = client.chat.completions.create(model="gpt-test", messages=messages)  # type: ignore[arg-type]
    assert replayed.choices[0].message.content == "You wrote: Hello"


@needs_httpx2
def test_the_client_upgrade_recipe(tmp_path: Path) -> None:
    """A cassette recorded with one SDK version replays under a newer one with one setting."""
    import openai

    path = tmp_path / "c.yaml"
    messages = [{"role": "user", "content": "Hello"}]
    with upstream() as url:
        recorder = openai.OpenAI(base_url=f"{url}/v1", api_key="sk-test-0123456789abcdef", max_retries=0)
        with cassette(path, mode="all"):
            recorder.chat.completions.create(model="gpt-test", messages=messages)  # type: ignore[arg-type]
    recorded = dict(load(path).interactions[0].request.headers)
    assert any(name.startswith("x-stainless-") for name in recorded)
    # The same call from a newer SDK, on another machine: only client-identifying headers differ.
    upgraded = openai.OpenAI(
        base_url=f"{url}/v1",
        api_key="sk-test-0123456789abcdef",
        max_retries=0,
        default_headers={
            "user-agent": "OpenAI/Python 99.0.0",
            "x-stainless-package-version": "99.0.0",
            "x-stainless-os": "Plan9",
            "x-stainless-arch": "riscv",
            "x-stainless-runtime-version": "4.2.0",
        },
    )
    with cassette(path), pytest.raises(CassetteMissError) as strict:
        upgraded.chat.completions.create(model="gpt-test", messages=messages)  # type: ignore[arg-type]
    assert "only headers that identify the client differ" in str(strict.value)
    assert "ignore_headers=['user-agent', 'x-stainless-*']" in str(strict.value)
    with cassette(path, ignore_headers=["User-Agent", "x-stainless-*"]):
        replayed = upgraded.chat.completions.create(model="gpt-test", messages=messages)  # type: ignore[arg-type]
    assert replayed.choices[0].message.content == "You wrote: Hello"


@pytest.mark.parametrize("mode", ["none", "all"])
def test_a_client_wiretape_does_not_intercept_is_refused_inside_a_cassette(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "c.yaml"
    if mode == "none":
        path.write_text("version: 1\ninteractions: []\n")
    before = path.read_bytes() if path.exists() else None
    with upstream() as url:
        refused = r"a connection to 127\.0\.0\.1:\d+ was opened"
        # urllib wraps the refusal; the block still ends with it, swallowed or not.
        with (
            pytest.raises(ClientNotInterceptedError, match=refused),
            cassette(path, mode=mode),
            pytest.raises(urllib.error.URLError),
        ):
            urllib.request.urlopen(f"{url}/x", timeout=5)
        # Outside a cassette, urllib is left alone.
        assert urllib.request.urlopen(f"{url}/x", timeout=5).read() == b"hello /x"
    assert (path.read_bytes() if path.exists() else None) == before
