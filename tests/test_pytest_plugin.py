"""The pytest plugin as an outside project meets it: auto-registered, inert until asked, safe names."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_project import USER_TESTS, echo_server

from wiretape import load

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _plain_inner_runs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # The inner runs are a plain user's project: no asyncio plugin configured there.
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:asyncio")


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("ECHO_URL", "http://127.0.0.1:9")  # replaced while a server runs
    pytester.makepyfile(test_svc=USER_TESTS)
    return pytester


def cassettes(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*.yaml")}


def test_record_once_then_replay_offline_with_default_names(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with echo_server() as url:
        monkeypatch.setenv("ECHO_URL", url)
        first = project.runpytest_inprocess("-q")
        # Replay only by default: nothing is recorded, each test says how to record.
        first.assert_outcomes(errors=6)
        first.stdout.fnmatch_lines(["*no such cassette*record-mode=once*"])
        recorded = project.runpytest_inprocess("-q", "--record-mode=once")
        recorded.assert_outcomes(passed=6)
    written = cassettes(project.path / "cassettes")
    assert {
        "svc/greeting.yaml",
        "test_svc/test_default_path.yaml",
        # Two classes' test_same_name do not collide.
        "test_svc/TestOne.test_same_name.yaml",
        "test_svc/TestTwo.test_same_name.yaml",
    } < written
    # Parametrize ids never create or walk folders; made safe, they keep a trace of the original.
    parametrized = sorted(name for name in written if "[" in name)
    assert len(parametrized) == 2
    assert parametrized[0].startswith("test_svc/test_ids_become_file_names[--up]-")
    assert parametrized[1].startswith("test_svc/test_ids_become_file_names[a-b]-")
    # The server is gone: replay is offline.
    project.runpytest_inprocess("-q").assert_outcomes(passed=6)


def test_a_test_without_a_cassette_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
        import socket
        ORIGINAL = socket.socket.connect

        def test_untouched():
            assert socket.socket.connect is ORIGINAL
        """
    )
    pytester.runpytest_inprocess("-q").assert_outcomes(passed=1)


BLOCKING_TESTS = """
import socket
import pytest
from wiretape import NetworkBlockedError

attempts = []


def stub_connect(sock, address):
    # Stands in for the real connect: the test never sends a packet anywhere.
    attempts.append(address[0])
    raise ConnectionRefusedError("stub")


socket.socket.connect = stub_connect


def test_blocked():
    with pytest.raises(NetworkBlockedError, match="203.0.113.9"):
        socket.socket().connect(("203.0.113.9", 80))


def test_allowed_by_option():
    with pytest.raises(ConnectionRefusedError):
        socket.socket().connect(("198.51.100.1", 80))


@pytest.mark.allow_network("203\\\\.0\\\\.113\\\\.9")
def test_allowed_by_marker():
    with pytest.raises(ConnectionRefusedError):
        socket.socket().connect(("203.0.113.9", 80))


@pytest.mark.allow_network
def test_whole_network_allowed():
    with pytest.raises(ConnectionRefusedError):
        socket.socket().connect(("192.0.2.1", 80))
"""


def test_block_network_with_allowed_hosts_and_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_blocking=BLOCKING_TESTS)
    result = pytester.runpytest_inprocess("-q", "--block-network", r"--allowed-hosts=198\.51\.100\.\d+")
    result.assert_outcomes(passed=4)


def test_without_block_network_nothing_is_blocked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_blocking=BLOCKING_TESTS)
    result = pytester.runpytest_inprocess("-q")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*test_blocked*ConnectionRefusedError: stub*"])


@pytest.mark.parametrize("path", ["../../escaped.yaml", "/tmp/absolute-wiretape.yaml", "a/../../b.yaml"])
def test_marker_paths_outside_the_cassette_directory_are_refused(
    pytester: pytest.Pytester, path: str
) -> None:
    pytester.makepyfile(
        test_escape=f"""
        import pytest

        @pytest.mark.cassette({path!r})
        def test_x():
            pass
        """
    )
    result = pytester.runpytest_inprocess("-q", "--record-mode=all")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*UnsafePathError*cassette path*"])
    assert not list(pytester.path.parent.rglob("escaped.yaml"))
    assert not Path("/tmp/absolute-wiretape.yaml").exists()


def test_ini_option_sets_the_cassette_directory_for_the_project(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nwiretape_cassette_dir = recorded/http\n")
    pytester.mkpydir("sub")
    (pytester.path / "sub" / "test_deep.py").write_text(
        "import os, httpx\n"
        "def test_deep(cassette):\n"
        "    assert httpx.get(os.environ['ECHO_URL'] + '/deep').text == 'hello /deep'\n"
    )
    with echo_server() as url:
        monkeypatch.setenv("ECHO_URL", url)
        pytester.runpytest_inprocess("-q", "--record-mode=once").assert_outcomes(passed=1)
    assert cassettes(pytester.path / "recorded/http") == {"test_deep/test_deep.yaml"}


def test_command_line_record_mode_wins_over_the_marker(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_mode="""
        import os, httpx, pytest

        @pytest.mark.cassette("m.yaml", mode="once")
        def test_m(cassette):
            httpx.get(os.environ["ECHO_URL"] + "/m")
            assert cassette.mode.value == os.environ["EXPECTED_MODE"]
        """
    )
    with echo_server() as url:
        monkeypatch.setenv("ECHO_URL", url)
        monkeypatch.setenv("EXPECTED_MODE", "once")
        pytester.runpytest_inprocess("-q").assert_outcomes(passed=1)
        monkeypatch.setenv("EXPECTED_MODE", "all")
        pytester.runpytest_inprocess("-q", "--record-mode=all").assert_outcomes(passed=1)


def test_record_mode_option_is_validated(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    result = pytester.runpytest_inprocess("--record-mode=sometimes")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*invalid choice*sometimes*"])


def test_a_wrong_mode_in_a_marker_names_the_valid_ones(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_x="""
        import pytest

        @pytest.mark.cassette("x.yaml", mode="sometimes")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest_inprocess("-q")
    result.stdout.fnmatch_lines(["*unknown record mode 'sometimes'; one of: none, once, new_episodes, all*"])


def test_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    listing = pytester.runpytest_inprocess("--fixtures").stdout.lines
    documented = {
        line.split(" ")[0]: listing[number + 1].strip()
        for number, line in enumerate(listing[:-1])
        if "wiretape/pytest_plugin.py" in line
    }
    assert set(documented) == {"cassette", "cassette_dir", "cassette_options", "default_cassette_name"}
    assert all(documented.values()), documented


def test_ids_that_become_the_same_safe_name_keep_separate_cassettes() -> None:
    from wiretape.naming import safe_file_name

    names = {safe_file_name(f"test_p[{part}]") for part in ("a/b", "a-b", "a:b", "A-B")}
    assert len(names) == 4
    assert safe_file_name("test_p[a-b]") == "test_p[a-b]"  # a safe name is kept as it is
    assert all("/" not in name and ":" not in name for name in names)


def test_a_broken_cassette_is_one_line_that_says_how_to_replace_it(pytester: pytest.Pytester) -> None:
    """Not a traceback through wiretape's own code: the file, the problem and the way out."""
    pytester.makepyfile(
        test_x="""
        import pytest

        @pytest.mark.cassette("x.yaml")
        def test_x():
            pass
        """
    )
    (pytester.path / "cassettes").mkdir()
    (pytester.path / "cassettes" / "x.yaml").write_text("version: 1\ninteractions: [\n")
    for mode in ("none", "all"):
        result = pytester.runpytest_inprocess("-q", f"--record-mode={mode}")
        result.assert_outcomes(errors=1)
        output = result.stdout.str()
        assert "wiretape/" not in output and "def " not in output, output
        report = output.split("short test summary info")[0]  # the summary line repeats it (in full under CI)
        assert report.count("fix or delete the file") == 1 and "During handling" not in output, output
        result.stdout.fnmatch_lines(
            [
                "CassetteFormatError: *x.yaml: not valid YAML at line *; fix or delete the file, or record it "
                "afresh: pytest --record-mode=rewrite, or cassette(path, mode='rewrite')"
            ]
        )


FAILING_WHILE_RECORDING = """
import os

import httpx
import pytest

URL = os.environ["ECHO_URL"]


@pytest.mark.cassette("half.yaml")
def test_fails_between_two_requests():
    httpx.get(f"{URL}/first").raise_for_status()
    assert os.environ.get("SECOND_PASSES"), "the test fails before its second request"
    httpx.get(f"{URL}/second").raise_for_status()
"""


def test_a_test_that_fails_while_recording_writes_no_cassette(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed test's recording lacks what the test did not reach: written, `once` would replay it
    from then on and fail with misses; not written, the next run records it whole."""
    pytester.makepyfile(test_half=FAILING_WHILE_RECORDING)
    path = pytester.path / "cassettes" / "half.yaml"
    with echo_server() as url:
        monkeypatch.setenv("ECHO_URL", url)
        failed = pytester.runpytest_inprocess("-q", "--record-mode=once")
        failed.assert_outcomes(failed=1)
        assert not path.exists()
        failed.stdout.fnmatch_lines(
            ["*half.yaml: not written: the test did not run to its end (it failed, *"]
        )
        monkeypatch.setenv("SECOND_PASSES", "1")
        pytester.runpytest_inprocess("-q", "--record-mode=once").assert_outcomes(passed=1)
    assert [i.request.uri.rsplit("/", 1)[1] for i in load(path).interactions] == ["first", "second"]
    pytester.runpytest_inprocess("-q").assert_outcomes(passed=1)  # offline now


RERUN_ONCE = """
from _pytest.runner import runtestprotocol


def pytest_runtest_protocol(item, nextitem):
    # As pytest-rerunfailures does: the same item run again after a failure.
    reports = runtestprotocol(item, nextitem=nextitem, log=False)
    if any(report.failed for report in reports):
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
    for report in reports:
        item.ihook.pytest_runtest_logreport(report=report)
    return True
"""


def test_a_rerun_that_passes_writes_its_recording(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(RERUN_ONCE)
    pytester.makepyfile(
        test_half=FAILING_WHILE_RECORDING.replace(
            'os.environ.get("SECOND_PASSES")', 'os.path.exists("ran") or open("ran", "w").close()'
        )
    )
    with echo_server() as url:
        monkeypatch.setenv("ECHO_URL", url)
        pytester.runpytest_inprocess("-q", "--record-mode=once").assert_outcomes(passed=1)
    path = pytester.path / "cassettes" / "half.yaml"
    assert [i.request.uri.rsplit("/", 1)[1] for i in load(path).interactions] == ["first", "second"]


UNFINISHED_IN_OTHER_WAYS = """
import os
import unittest
import urllib.request

import httpx
import pytest

URL = os.environ["ECHO_URL"]


class TestOldStyle(unittest.TestCase):
    @pytest.mark.cassette("unittest.yaml")
    def test_fails_between_two_requests(self):
        httpx.get(f"{URL}/a").raise_for_status()
        self.fail("the test fails before its second request")


@pytest.fixture
def logged_in(cassette):
    httpx.get(f"{URL}/login").raise_for_status()


@pytest.fixture
def broken():
    raise RuntimeError("a later fixture fails in setup")


@pytest.mark.cassette("setup.yaml")
def test_never_runs(logged_in, broken):
    httpx.get(f"{URL}/b")


@pytest.mark.cassette("bypass.yaml")
def test_a_library_swallows_the_refusal_then_fails():
    httpx.get(f"{URL}/c").raise_for_status()
    try:
        urllib.request.urlopen(f"{URL}/d", timeout=5)
    except OSError:
        pass
    assert False, "fails after a client wiretape does not intercept"
"""


def test_a_test_that_does_not_finish_in_other_ways_writes_no_cassette(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unittest failure (its outcome is known only after the other report hooks), a fixture that fails
    after the cassette's recorded, and a test whose library swallowed the refusal of a client
    wiretape cannot intercept (that refusal is still reported)."""
    pytester.makepyfile(test_other=UNFINISHED_IN_OTHER_WAYS)
    with echo_server() as url:
        monkeypatch.setenv("ECHO_URL", url)
        result = pytester.runpytest_inprocess("-q", "--record-mode=once")
    result.assert_outcomes(failed=2, errors=2)
    result.stdout.fnmatch_lines(["*ClientNotInterceptedError*"])
    assert not list((pytester.path / "cassettes").glob("*.yaml"))


def test_a_miss_shows_no_frame_of_wiretape_itself(pytester: pytest.Pytester) -> None:
    """The user's call and the library it went through, then the miss where it is raised: wiretape's
    other frames (its patched transport, the lookup) tell a user nothing (--full-trace shows them)."""
    pytester.makepyfile(
        test_miss="""
        import httpx
        import pytest
        from wiretape import Cassette, RecordedRequest, RecordedResponse, Interaction, CassetteData, dumps

        def test_miss(tmp_path):
            path = tmp_path / "c.yaml"
            recorded = Interaction(RecordedRequest("GET", "https://a.test/x", [], b""), RecordedResponse(200, "OK", [], b""))
            path.write_text(dumps(CassetteData(interactions=[recorded])))
            with Cassette(path), httpx.Client() as client:
                client.get("https://a.test/y")
        """
    )
    result = pytester.runpytest_inprocess("-q")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "CassetteMissError" in output and "nearest recording" in output
    for own in ("wiretape/intercept.py", "wiretape/clients/"):
        assert own not in output, output
