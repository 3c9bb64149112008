"""wiretape's pytest plugin.

- ``--record-mode`` (none by default: replay only, the network blocked);
- ``@pytest.mark.cassette("provider/scenario.yaml", **options)`` or the
  ``cassette`` fixture: the test's requests are served from (or recorded into)
  ``cassette_dir / path``; without a path, ``<test module>/<test name>.yaml``;
- every test runs with the network blocked to anything but loopback, unless
  it records (record mode other than none) or is marked ``allow_network``.

- ``emulated_upstreams``: the five emulated upstreams, running for the whole
  session on a loopback port; within the test the providers' hosts lead
  there, and ``emulated_upstreams.behave(...)`` picks the upstream behaviour
  (back to normal after each test).

Override ``cassette_dir``, ``record_mode`` or ``cassette_options`` fixtures to change defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .cassette import Cassette, RecordMode
from .emulators import EmulatedUpstreams
from .emulators import emulated_upstreams as start_emulated_upstreams
from .netguard import block_network


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wiretape")
    group.addoption(
        "--record-mode",
        choices=[mode.value for mode in RecordMode],
        default=RecordMode.NONE.value,
        help="cassette record mode (default: none, replay only with the network blocked)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cassette(path=None, **options): serve the test from a cassette")
    config.addinivalue_line("markers", "allow_network: let this test reach non-loopback addresses")


@pytest.fixture
def record_mode(request: pytest.FixtureRequest) -> RecordMode:
    return RecordMode(request.config.getoption("--record-mode"))


@pytest.fixture
def cassette_dir(request: pytest.FixtureRequest) -> Path:
    return Path(request.config.rootpath) / "cassettes"


@pytest.fixture
def cassette_options() -> dict[str, Any]:
    """Extra keyword arguments for :class:`tools.cassette.Cassette` (rules, realtime, rechunk…)."""
    return {}


@pytest.fixture
def cassette(
    request: pytest.FixtureRequest,
    cassette_dir: Path,
    record_mode: RecordMode,
    cassette_options: dict[str, Any],
) -> Iterator[Cassette]:
    marker = request.node.get_closest_marker("cassette")
    path = marker.args[0] if marker and marker.args else None
    options = {**cassette_options, **(marker.kwargs if marker else {})}
    if path is None:
        module = request.node.module.__name__.rsplit(".", 1)[-1]
        path = f"{module}/{request.node.name}.yaml"
    with Cassette(cassette_dir / path, mode=options.pop("mode", record_mode), **options) as active:
        yield active


@pytest.fixture(autouse=True)
def _wiretape_network_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    recording = request.config.getoption("--record-mode") != RecordMode.NONE.value
    if recording or request.node.get_closest_marker("allow_network"):
        yield
        return
    with block_network():
        yield


@pytest.fixture(autouse=True)
def _wiretape_cassette_marker(request: pytest.FixtureRequest) -> None:
    # A test marked with a cassette uses it without asking for the fixture.
    if request.node.get_closest_marker("cassette"):
        request.getfixturevalue("cassette")


@pytest.fixture(scope="session")
def _wiretape_emulators() -> Iterator[EmulatedUpstreams]:
    with start_emulated_upstreams() as running:
        yield running


@pytest.fixture
def emulated_upstreams(_wiretape_emulators: EmulatedUpstreams) -> Iterator[EmulatedUpstreams]:
    """The emulated upstreams, routed to for this test, behaving normally unless told otherwise."""
    with _wiretape_emulators.overrides(), _wiretape_emulators.behaving("normal"):
        yield _wiretape_emulators
