"""wiretape's pytest plugin, registered through the ``pytest11`` entry point; inert until a test asks.

A test uses a cassette when it is marked ``@pytest.mark.cassette`` or asks
for the ``cassette`` fixture; every other test runs exactly as without the
plugin (unless ``--block-network`` is given).

Where a test's cassette lives:

- ``@pytest.mark.cassette("dir/name.yaml")``: that path inside the cassette
  directory (an absolute path, or one leading outside it, is refused);
- without a path: ``<module>/<Class.>test_name[param-id].yaml``, the name made
  safe as a file name (the ``default_cassette_name`` fixture);
- the cassette directory: ``cassettes/`` beside the test module, or the
  ``wiretape_cassette_dir`` ini option (relative to the rootdir) for the whole
  project, or an override of the ``cassette_dir`` fixture.

Record mode, highest precedence first: ``--record-mode`` on the command line;
the marker's ``mode=``; ``cassette_options()["mode"]``; ``none`` (replay only).
Other cassette options (``match_on``, ``ignore_headers``, ``rules``…): the marker's keywords over the
``cassette_options`` fixture over the ``wiretape_match_on`` / ``wiretape_ignore_headers`` ini options.

The network: a test whose cassette only replays runs with the network blocked
(loopback and ``--allowed-hosts`` excepted); ``--block-network`` blocks it for
every test but those that record. ``@pytest.mark.allow_network`` lifts the block
for one test, ``@pytest.mark.allow_network("api\\.example\\.com")`` for those hosts.

A test that does not finish while recording (it fails, is skipped or xfailed, a fixture fails after
the cassette's, or it is interrupted) writes nothing: its recording lacks what the test did not reach,
and the next run records it again.

With pytest-recording installed too, it owns ``--record-mode``,
``--block-network`` and ``--allowed-hosts`` and wiretape reads the same values.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .cassette import Cassette, RecordMode, check_options
from .errors import WiretapeError
from .naming import contained, safe_file_name, with_suffix
from .netguard import block_network
from .terminal import escaped

CASSETTE_DIR_INI = "wiretape_cassette_dir"
MATCH_ON_INI = "wiretape_match_on"
IGNORE_HEADERS_INI = "wiretape_ignore_headers"
DEFAULT_DIRECTORY = "cassettes"
_CALL_FINISHED = pytest.StashKey[bool]()


class _TestDidNotFinish(Exception):
    """What a cassette is left with when its test raised: it writes nothing."""


@pytest.hookimpl(trylast=True)
def pytest_addoption(parser: pytest.Parser) -> None:
    # trylast: a plugin that already owns one of these options (pytest-recording) keeps it.
    group = parser.getgroup("wiretape", "wiretape: record and replay HTTP")
    _add_shared_option(
        group,
        "--record-mode",
        default=None,
        choices=[mode.value for mode in RecordMode],
        help="cassette record mode: none (default, replay only), once, new_episodes, all, rewrite",
    )
    _add_shared_option(
        group,
        "--block-network",
        action="store_true",
        default=False,
        help="block the network (but loopback and --allowed-hosts) in every test that does not record",
    )
    _add_shared_option(
        group,
        "--allowed-hosts",
        default=None,
        help="comma-separated regexes of hosts reachable while the network is blocked",
    )
    parser.addini(
        CASSETTE_DIR_INI,
        "directory of the cassettes, relative to the rootdir (default: cassettes/ beside each test module)",
        default=None,
    )
    parser.addini(
        MATCH_ON_INI, "matchers every cassette compares (default: method uri headers body)", "linelist"
    )
    parser.addini(IGNORE_HEADERS_INI, "headers (names or globs) no cassette compares", "linelist")


def _add_shared_option(group: Any, name: str, **attributes: Any) -> None:
    # Refused when another plugin defined it already (same meaning): its value is read the same way.
    with contextlib.suppress(ValueError, argparse.ArgumentError):
        group.addoption(name, **attributes)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cassette(path=None, **options): serve the test's HTTP requests from a wiretape cassette"
    )
    config.addinivalue_line(
        "markers", "allow_network(*host_regexes): let this test reach the network (or only these hosts)"
    )


# ---------------------------------------------------------------- fixtures users may override


@pytest.fixture
def cassette_dir(request: pytest.FixtureRequest) -> Path:
    """The directory cassette paths are relative to: the ``wiretape_cassette_dir`` ini option
    (relative to the rootdir), else ``cassettes/`` beside the test module."""
    configured = request.config.getini(CASSETTE_DIR_INI)
    if configured:
        return Path(request.config.rootpath) / str(configured)
    return Path(request.node.path).parent / DEFAULT_DIRECTORY


@pytest.fixture
def cassette_options() -> dict[str, Any]:
    """Keyword arguments for every :class:`wiretape.Cassette` of the scope (``mode``, ``match_on``,
    ``rules``, ``realtime``, ``rechunk``…); a marker's keywords take precedence."""
    return {}


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    """The cassette name of a test without a marker path: ``<Class.>test_name[param-id]``, safe as a
    file name (separators and ``..`` become ``-``)."""
    return _default_name(request)


def _default_name(request: pytest.FixtureRequest) -> str:
    name = request.node.name
    if request.cls is not None:
        name = f"{request.cls.__name__}.{name}"
    return safe_file_name(name)


@pytest.fixture
def cassette(
    request: pytest.FixtureRequest,
    cassette_dir: Path,
    cassette_options: dict[str, Any],
    default_cassette_name: str,
) -> Iterator[Cassette]:
    """The test's active cassette (see the plugin's docstring for its path, mode and network rules)."""
    with _in_one_line():
        marker = request.node.get_closest_marker("cassette")
        options = {**_ini_options(request.config), **cassette_options, **(marker.kwargs if marker else {})}
        explicit = request.config.getoption("record_mode")
        mode = RecordMode.parse(explicit or options.pop("mode", RecordMode.NONE))
        options.pop("mode", None)
        path = _cassette_path(request, cassette_dir, marker, default_cassette_name)
        check_options(options)
        active = Cassette(path, mode=mode, **options)
        with contextlib.ExitStack() as stack:  # what was entered is left again if the cassette cannot open
            stack.enter_context(_guard(request, blocked=not active.will_record))
            stack.enter_context(active)
            entered = stack.pop_all()
    with _in_one_line():
        try:
            yield active
        finally:
            if request.node.stash.get(_CALL_FINISHED, False):
                entered.close()
            else:
                if active.recorded:
                    request.node.add_report_section(
                        "teardown",
                        "wiretape",
                        f"{path}: not written: the test did not run to its end (it failed, was skipped "
                        "or interrupted); the next run records it again",
                    )
                entered.__exit__(_TestDidNotFinish, _TestDidNotFinish(), None)
                active.raise_if_bypassed()  # the cause of the failure, maybe: a refusal the test swallowed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # Read after the other hooks (unittest's sets call.excinfo there); set on every run of the test, so
    # that a rerun that passes writes its recording, and one that never reached its call does not.
    if call.when == "setup":
        item.stash[_CALL_FINISHED] = False
    elif call.when == "call":
        item.stash[_CALL_FINISHED] = call.excinfo is None
    return report


@contextlib.contextmanager
def _in_one_line() -> Iterator[None]:
    """wiretape's own errors in a cassette's setup or teardown (a broken or missing file, a wrong
    option, a client it cannot intercept) as their one-line message, not a traceback through wiretape."""
    try:
        yield
    except WiretapeError as exc:
        # from None: chained to the error, pytest would print it twice ("During handling…").
        raise pytest.fail.Exception(escaped(f"{type(exc).__name__}: {exc}"), pytrace=False) from None


def _ini_options(config: pytest.Config) -> dict[str, Any]:
    """The project-wide matching options of the ini file, as cassette keywords."""
    options: dict[str, Any] = {}
    for key, ini in (("match_on", MATCH_ON_INI), ("ignore_headers", IGNORE_HEADERS_INI)):
        # One name per line, or several on a line: `wiretape_match_on = method path query`.
        names = [name for line in config.getini(ini) for name in str(line).split()]
        if names:
            options[key] = names
    return options


def _cassette_path(
    request: pytest.FixtureRequest, root: Path, marker: pytest.Mark | None, default_name: str
) -> Path:
    if marker is not None and marker.args:
        return contained(root, str(marker.args[0]))
    module = safe_file_name(request.node.path.stem)
    # A default name given by another plugin's fixture is made safe here too.
    return contained(root, f"{module}/{with_suffix(safe_file_name(default_name))}")


# ---------------------------------------------------------------- the network guard


def _allowed_hosts(request: pytest.FixtureRequest) -> list[str] | None:
    """Hosts reachable in this test; None when the whole network is allowed."""
    marker = request.node.get_closest_marker("allow_network")
    if marker is not None and not marker.args:
        return None
    option = request.config.getoption("allowed_hosts") or ""
    hosts = [host.strip() for host in option.split(",") if host.strip()]
    return hosts + [str(host) for host in (marker.args if marker else ())]


def _guard(request: pytest.FixtureRequest, *, blocked: bool) -> contextlib.AbstractContextManager[None]:
    hosts = _allowed_hosts(request)
    if not blocked or hosts is None:
        return contextlib.nullcontext()
    return block_network(hosts)


@pytest.fixture(autouse=True)
def _wiretape(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("cassette") or "cassette" in request.fixturenames:
        # The cassette fixture guards the network itself: blocked unless it records.
        request.getfixturevalue("cassette")
        yield
        return
    with _guard(request, blocked=bool(request.config.getoption("block_network"))):
        yield
