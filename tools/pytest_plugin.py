"""wiretape's pytest plugin: the network is blocked unless a test opts in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .netguard import block_network


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_network: let this test reach non-loopback addresses")


@pytest.fixture(autouse=True)
def _wiretape_block_network(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("allow_network"):
        yield
        return
    with block_network():
        yield
