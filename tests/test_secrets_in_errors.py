"""Error messages, tracebacks and logs never carry cookie or authorization values."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

import providers
from providers import ProviderError, ResponseFormatError, StatusError
from providers.errors import BODY_EXCERPT_LIMIT, excerpt
from providers.masking import MASK, Secrets
from tests.helpers import call, model_for
from tests.hostile_apps import HostileUpstream, serving
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
            # Short only where the call ends at the timeout; elsewhere a loaded machine must not
            # turn the failure under test into a timeout.
            timeout=0.3 if behaviour is Behaviour.STALL else 30,
        )
    shown = "".join(traceback.format_exception(raised.value)) + repr(raised.value) + caplog.text
    assert caplog.records, "nothing was logged, so the check would prove nothing"
    assert SECRET not in shown


# ------------------------------------------------ secrets the upstream echoes back into its answer

NONCE = "f00dcafe42"  # the hidden input of tests.hostile_apps.CHAT_PAGE
PAGE_COOKIE = "page-cookie-0123"  # the session cookie its GET pages set
ECHO_CALLS: dict[str, dict[str, Any]] = {
    "Aichat": {"cookies": {"session": SECRET, "cf_clearance": SECRET + "-cf"}},
    "EasyChat": {"active_server": 3},
    "ChatGptEs": {},
}
SENT_SECRETS = {"Aichat": [SECRET, SECRET + "-cf"], "EasyChat": [PAGE_COOKIE], "ChatGptEs": [NONCE]}


@pytest.fixture(scope="module")
def echoing() -> Iterator[HostileUpstream]:
    with serving(HostileUpstream()) as app:
        yield app


@pytest.mark.parametrize(
    ("attack", "expected"), [("echo_403", StatusError), ("echo_json", ResponseFormatError)]
)
@pytest.mark.parametrize("name", list(ECHO_CALLS))
def test_secrets_the_upstream_echoes_are_masked_in_errors(
    echoing: HostileUpstream, name: str, attack: str, expected: type[ProviderError]
) -> None:
    echoing.attack = attack
    model = model_for(name)
    with pytest.raises(expected) as raised:
        call(
            providers.get(name),
            "sync",
            model,
            [{"role": "user", "content": "hi"}],
            stream=False,
            timeout=5,
            **ECHO_CALLS[name],
        )
    error = raised.value
    shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
    if isinstance(error, StatusError):
        shown += error.body_excerpt
    assert MASK in shown, "the upstream echoed nothing, so the check would prove nothing"
    for secret in SENT_SECRETS[name]:
        assert secret not in shown
    if name == "ChatGptEs":
        # The client id is random: whatever was sent as wpaicg_chat_client_id is masked too.
        assert "client=" + MASK in shown


def test_a_secret_cut_by_the_excerpt_is_masked_too() -> None:
    secrets = Secrets()
    secrets.add(SECRET)
    text = excerpt("x" * (BODY_EXCERPT_LIMIT - 10) + SECRET)
    assert SECRET[:8] in text
    masked = secrets.mask(text)
    assert SECRET[:8] not in masked
    assert masked.endswith(MASK + "…")


def test_short_values_are_not_treated_as_secrets() -> None:
    secrets = Secrets()
    secrets.add("0", "ab", "")
    assert secrets.mask("HTTP 403 ab 0") == "HTTP 403 ab 0"


def test_the_longest_secret_cut_at_the_end_is_masked_whole() -> None:
    secrets = Secrets(["abcdabcdZZ", "dabcQ"])
    assert secrets.mask("xxabcdabc…") == "xx" + MASK + "…"
