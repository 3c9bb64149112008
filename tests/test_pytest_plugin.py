"""The pytest plugin, run on a small test file: cassette marker, record modes, network blocked."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TEST_FILE = """
import socket
import pytest
from providers.http import ClientSpec, sync_client
from tools.emulators.server import LoopbackServer
from tools.netguard import NetworkBlockedError


def app(exchange):
    exchange.respond(200, "hello " + exchange.path)


@pytest.fixture(scope="module")
def upstream():
    with LoopbackServer({"svc.test": app}) as server:
        with server.overrides():
            yield server


@pytest.mark.cassette("svc/greeting.yaml")
def test_greeting(upstream):
    with sync_client(ClientSpec(provider="t")) as client:
        assert client.get("https://svc.test/greeting").text == "hello /greeting"


def test_default_path(cassette, upstream):
    with sync_client(ClientSpec(provider="t")) as client:
        assert client.get("https://svc.test/other").text == "hello /other"


def test_network_is_blocked():
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("203.0.113.9", 80), timeout=1)
"""


def test_record_then_replay_with_the_marker_and_default_paths(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_svc=TEST_FILE)
    replay_first = pytester.runpytest_subprocess("-p", "tools.pytest_plugin", "-q")
    replay_first.assert_outcomes(passed=1, errors=2)
    replay_first.stdout.fnmatch_lines(["*no such cassette*record-mode=once*"])

    recorded = pytester.runpytest_subprocess(
        "-p", "tools.pytest_plugin", "-q", "--record-mode=once", "-k", "not blocked"
    )
    recorded.assert_outcomes(passed=2, deselected=1)
    assert (pytester.path / "cassettes/svc/greeting.yaml").exists()
    assert (pytester.path / "cassettes/test_svc/test_default_path.yaml").exists()

    replayed = pytester.runpytest_subprocess("-p", "tools.pytest_plugin", "-q")
    replayed.assert_outcomes(passed=3)


def test_record_mode_option_is_validated(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    result = pytester.runpytest_subprocess("-p", "tools.pytest_plugin", "--record-mode=sometimes")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*invalid choice*sometimes*"])
