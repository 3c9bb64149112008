"""Hostile upstreams cannot make a provider hold unbounded memory: a line or event, a whole answer
(decompressed size included) and an error body each have a cap, and going past it is a prompt
``ResponseFormatError`` naming the limit."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import measured_in_a_fresh_process

import providers
from providers import ResponseFormatError, StatusError, limits
from tests.helpers import model_for
from tests.hostile_apps import CALLS, HOSTS, MIB, HostileUpstream
from tools.emulators.server import LoopbackServer

ROOT = Path(__file__).resolve().parent.parent
SMALL_LINE = 64 * 1024
SMALL_ANSWER = 256 * 1024


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[LoopbackServer, HostileUpstream]]:
    app = HostileUpstream()
    with LoopbackServer(dict.fromkeys(HOSTS, app)) as server:
        yield server, app


@pytest.fixture
def hostile(upstream: tuple[LoopbackServer, HostileUpstream]) -> Iterator[HostileUpstream]:
    server, app = upstream
    fresh = HostileUpstream()
    vars(app).update(vars(fresh))
    with server.overrides():
        yield app


@pytest.fixture
def small_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "LINE_LIMIT", SMALL_LINE)
    monkeypatch.setattr(limits, "ANSWER_LIMIT", SMALL_ANSWER)


def complete(name: str, *, stream: bool, timeout: float = 10.0) -> str:
    chunks = providers.get(name).create_completion(
        model_for(name), [{"role": "user", "content": "hi"}], stream=stream, timeout=timeout, **CALLS[name]
    )
    return "".join(chunks)


@pytest.mark.usefixtures("small_caps")
@pytest.mark.parametrize("name", ["Equing", "EasyChat"])
def test_an_endless_event_line_is_refused_at_the_line_cap(hostile: HostileUpstream, name: str) -> None:
    hostile.attack = "endless_line"
    with pytest.raises(
        ResponseFormatError, match=f"longer than the {SMALL_LINE}-character line limit"
    ) as raised:
        complete(name, stream=True)
    assert str(raised.value).startswith(f"{name}: ")


@pytest.mark.usefixtures("small_caps")
@pytest.mark.parametrize("attack", ["big_body", "gzip_bomb"])
@pytest.mark.parametrize("name", list(CALLS))
def test_a_huge_answer_is_refused_at_the_answer_cap(hostile: HostileUpstream, name: str, attack: str) -> None:
    hostile.attack = attack
    hostile.content_type = "text/plain" if name == "ChatAnywhere" else "application/json"
    with pytest.raises(ResponseFormatError, match=f"larger than the {SMALL_ANSWER}-byte answer limit"):
        complete(name, stream=False)


@pytest.mark.usefixtures("small_caps")
@pytest.mark.parametrize("name", ["EasyChat", "ChatGptEs"])
def test_a_huge_page_is_refused_at_the_answer_cap(hostile: HostileUpstream, name: str) -> None:
    hostile.page_attack = "gzip_bomb"
    with pytest.raises(ResponseFormatError, match=f"larger than the {SMALL_ANSWER}-byte answer limit"):
        complete(name, stream=False)


@pytest.mark.parametrize("name", list(CALLS))
def test_an_error_body_is_read_up_to_its_cap_only(hostile: HostileUpstream, name: str) -> None:
    hostile.attack = "big_error"
    hostile.size = 8 * MIB
    with pytest.raises(StatusError) as raised:
        complete(name, stream=False)
    assert raised.value.status_code == 500
    assert raised.value.body_excerpt.startswith("data: xxx")


def test_the_documented_defaults() -> None:
    readme = (ROOT / "README.md").read_text()
    assert limits.LINE_LIMIT == 1024 * 1024
    assert limits.ANSWER_LIMIT == 16 * 1024 * 1024
    assert limits.ERROR_BODY_LIMIT == 64 * 1024
    assert re.search(r"line or event .*1 MiB", readme)
    assert re.search(r"16 MiB", readme)
    assert re.search(r"64 KiB", readme)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "attack", "megabytes"),
    [
        ("Equing", "endless_line", 256),
        ("Equing", "gzip_bomb", 1024),
        ("ChatAnywhere", "gzip_bomb", 1024),
        ("Aichat", "gzip_bomb", 1024),
        ("ChatGptEs", "gzip_bomb", 1024),
    ],
)
def test_memory_stays_flat_under_attack_with_the_default_caps(name: str, attack: str, megabytes: int) -> None:
    report = measured_in_a_fresh_process("tests.hostile_memory", name, attack, str(megabytes))
    print(f"{name} {attack} {megabytes} MB: {report}")
    assert report["error"] == "ResponseFormatError"
    assert "limit" in report["message"]
    # Past the 16 MiB cap: the cap, plus what one network read decompresses to (up to ~64 MiB).
    # Buffering the bomb costs 1-4 GiB.
    assert report["peak_growth_kib"] < 128 * 1024


@pytest.mark.slow
def test_memory_stays_flat_when_curl_runs_ahead_of_its_reader() -> None:
    report = measured_in_a_fresh_process("tests.curl_memory", "128")
    print(f"curl, gzip bomb of 128 MB read after the transfer: {report}")
    assert report["bytes"] == 128 * MIB
    # Decoded as it is read, a piece at a time; decoded by curl, the whole 128 MiB waits in its queue.
    assert report["largest_piece"] <= 64 * 1024
    assert report["peak_growth_kib"] < 32 * 1024


@pytest.mark.usefixtures("small_caps")
def test_chatanywhere_caps_a_whole_answer_in_every_style_but_not_a_stream(hostile: HostileUpstream) -> None:
    hostile.attack, hostile.content_type, hostile.size = "big_body", "text/plain", 2 * SMALL_ANSWER
    with pytest.raises(ResponseFormatError, match="answer limit"):
        asyncio.run(providers.ChatAnywhere.create_async("", [{"role": "user", "content": "hi"}], timeout=10))
    with pytest.raises(ResponseFormatError, match="answer limit"):
        asyncio.run(
            providers.ChatCompletion.create_async(
                "", [{"role": "user", "content": "hi"}], provider="ChatAnywhere"
            )
        )

    async def streamed() -> int:
        chunks = await providers.ChatCompletion.create_async(
            "", [{"role": "user", "content": "hi"}], provider="ChatAnywhere", stream=True
        )
        return sum([len(chunk) async for chunk in chunks])

    assert asyncio.run(streamed()) == len("data: ") + 2 * SMALL_ANSWER
