"""Done when: providers written in the gpt4free style on curl_cffi's AsyncSession and on aiohttp are
recorded against the emulators and replayed offline through the generic pytest plugin, unchanged."""

from __future__ import annotations

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("curl_cffi")

from tools.emulators import EmulatedUpstreams

pytest_plugins = ["pytester"]

CONFTEST = """
import os

import pytest

from gpt4free_style import routed_to


@pytest.fixture(autouse=True)
def _routes():
    port = os.environ.get("EMULATOR_PORT")
    if not port:  # replaying: nothing is routed anywhere
        yield
        return
    with routed_to(int(port), os.environ["EMULATOR_CA"], ("next.eqing.tech", "chatanywhere.cn")):
        yield
"""

TESTS = """
import asyncio

import pytest

from gpt4free_style import ChatAnywhere, Equing, format_prompt
from tools.emulators.upstream import reply_to

MESSAGES = [{"role": "user", "content": "Grüße, 世界"}]


def collect(generator):
    async def run():
        return [piece async for piece in generator]
    return asyncio.run(run())


@pytest.mark.cassette
def test_equing_on_curl_cffi():
    pieces = collect(Equing.create_async_generator("gpt-3.5-turbo", MESSAGES))
    assert len(pieces) > 1
    assert "".join(pieces) == reply_to("Grüße, 世界")


@pytest.mark.cassette
def test_chatanywhere_on_aiohttp():
    pieces = collect(ChatAnywhere.create_async_generator("gpt-3.5-turbo", MESSAGES))
    assert len(pieces) > 1
    assert "".join(pieces) == reply_to(format_prompt(MESSAGES))
"""


def test_gpt4free_style_providers_record_against_the_emulators_and_replay_offline(
    pytester: pytest.Pytester, emulated_upstreams: EmulatedUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:asyncio")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_providers=TESTS)
    server = emulated_upstreams.server
    monkeypatch.setenv("EMULATOR_PORT", str(server.port))
    monkeypatch.setenv("EMULATOR_CA", server.ca_file)
    pytester.runpytest_inprocess("-q", "--record-mode=once").assert_outcomes(passed=2)
    recorded = {path.name for path in (pytester.path / "cassettes").rglob("*.yaml")}
    assert recorded == {"test_equing_on_curl_cffi.yaml", "test_chatanywhere_on_aiohttp.yaml"}
    seen = server.requests_seen

    monkeypatch.delenv("EMULATOR_PORT")
    pytester.runpytest_inprocess("-q", "--block-network").assert_outcomes(passed=2)
    assert server.requests_seen == seen  # replayed, not sent
