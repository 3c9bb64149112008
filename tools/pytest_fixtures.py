"""This repository's pytest fixtures (loaded by ``tests/conftest.py``): the emulated upstreams.

- ``emulated_upstreams``: the five emulated upstreams, running for the whole
  session on a loopback port; within the test the providers' hosts lead
  there, and ``emulated_upstreams.behave(...)`` picks the upstream behaviour
  (back to normal after each test).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .emulators import EmulatedUpstreams
from .emulators import emulated_upstreams as start_emulated_upstreams


@pytest.fixture(scope="session")
def _wiretape_emulators() -> Iterator[EmulatedUpstreams]:
    with start_emulated_upstreams() as running:
        yield running


@pytest.fixture
def emulated_upstreams(_wiretape_emulators: EmulatedUpstreams) -> Iterator[EmulatedUpstreams]:
    """The emulated upstreams, routed to for this test, behaving normally unless told otherwise."""
    with _wiretape_emulators.overrides(), _wiretape_emulators.behaving("normal"):
        yield _wiretape_emulators
