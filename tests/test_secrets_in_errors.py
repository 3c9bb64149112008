"""Error messages, tracebacks and logs never carry cookie or authorization values."""

from __future__ import annotations

import logging
import traceback

import pytest

import providers
from providers import ProviderError
from tests.helpers import call
from tools.emulators import EmulatedUpstreams
from tools.emulators.behaviours import Behaviour

SECRET = "s3cr3t-cookie-value-9f8e7d6c"


@pytest.mark.parametrize(
    "behaviour",
    [
        Behaviour.CHALLENGE,
        Behaviour.SERVER_ERROR,
        Behaviour.RATE_LIMITED,
        Behaviour.EXPIRED_COOKIE,
        Behaviour.WRONG_SHAPE,
        Behaviour.TRUNCATED,
        Behaviour.STALL,
    ],
)
def test_aichat_failures_never_show_the_cookie(
    emulated_upstreams: EmulatedUpstreams, caplog: pytest.LogCaptureFixture, behaviour: Behaviour
) -> None:
    caplog.set_level(logging.DEBUG)
    emulated_upstreams.behave(behaviour)
    with pytest.raises(ProviderError) as raised:
        call(
            providers.Aichat,
            "async",
            "",
            [{"role": "user", "content": "hi"}],
            cookies={"session": SECRET, "cf_clearance": SECRET + "-cf"},
            timeout=1,
        )
    shown = "".join(traceback.format_exception(raised.value)) + repr(raised.value) + caplog.text
    assert caplog.records, "nothing was logged, so the check would prove nothing"
    assert SECRET not in shown
