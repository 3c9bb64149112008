"""An unknown emulator behaviour name is an error that lists the valid names."""

from __future__ import annotations

import pytest

from tools.emulators import EmulatedUpstreams
from tools.emulators.behaviours import Behaviour


def test_unknown_behaviour_lists_the_valid_names(emulated_upstreams: EmulatedUpstreams) -> None:
    with pytest.raises(ValueError) as caught:
        emulated_upstreams.behave("rate-limited")
    message = str(caught.value)
    assert "'rate-limited'" in message
    assert "did you mean 'rate_limited'" in message
    for name in ("normal", "rate_limited", "rate_limited_bare", "split_multibyte"):
        assert name in message


def test_known_names_and_members_are_accepted(emulated_upstreams: EmulatedUpstreams) -> None:
    with emulated_upstreams.behaving("rate_limited"):
        assert emulated_upstreams.control.behaviour is Behaviour.RATE_LIMITED
    with emulated_upstreams.behaving(Behaviour.STALL):
        assert emulated_upstreams.control.behaviour is Behaviour.STALL
    assert emulated_upstreams.control.behaviour is Behaviour.NORMAL
