"""wiretape's pytest plugin.

- ``--record-mode`` (none by default: replay only, the network blocked);
- ``@pytest.mark.cassette("provider/scenario.yaml", **options)`` or the
  ``cassette`` fixture: the test's requests are served from (or recorded into)
  ``cassette_dir / path``; without a path, ``<test module>/<test name>.yaml``;
- every test runs with the network blocked to anything but loopback, unless
  it records (record mode other than none) or is marked ``allow_network``.

Override ``cassette_dir``, ``record_mode`` or ``cassette_options`` fixtures to change defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .cassette import Cassette, RecordMode
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
