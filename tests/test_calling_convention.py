"""One calling convention for the five providers (SPEC.md, "Calling convention")."""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

import httpx
import pytest
import respx

import providers
from tests.helpers import STYLES, call, model_for
from tests.spec_contracts import AICHAT_ENDPOINT
from tools.emulators import EmulatedUpstreams

USER = [{"role": "user", "content": "hi"}]
COOKIES = {"session": "s3ss"}
#: What each provider needs besides the model and messages, per SPEC.md.
NEEDS: dict[str, dict[str, Any]] = {
    "EasyChat": {"active_server": 0},
    "Equing": {},
    "Aichat": {"cookies": COOKIES},
    "ChatAnywhere": {},
    "ChatGptEs": {},
}
#: The keyword arguments each provider documents (SPEC.md), besides proxy, timeout and verify.
DOCUMENTED = {
    "EasyChat": ["active_server", "temperature", "presence_penalty", "frequency_penalty", "top_p"],
    "Equing": ["temperature", "presence_penalty", "frequency_penalty", "top_p"],
    "Aichat": ["cookies", "cookies_file", "temperature", "top_p"],
    "ChatAnywhere": ["temperature"],
    "ChatGptEs": [],
}


def unknown_argument_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, providers.UnknownArgumentWarning)]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", sorted(NEEDS))
def test_an_unknown_keyword_is_accepted_and_reported_once_per_call(
    name: str, style: str, emulated_upstreams: EmulatedUpstreams, caplog: pytest.LogCaptureFixture
) -> None:
    provider = providers.get(name)
    model = model_for(name)
    with (
        caplog.at_level(logging.DEBUG, logger=f"providers.{name.lower()}"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        chunks = call(provider, style, model, USER, temprature=0.5, **NEEDS[name])
    assert "".join(chunks) == "You wrote: hi"
    [message] = unknown_argument_warnings(caught)
    assert message.startswith(f"{name}: ignoring unknown keyword argument 'temprature'")
    accepted = message.split("accepts: ")[1].split(", ")
    assert accepted == ["proxy", "timeout", "verify", *DOCUMENTED[name]]
    logged = [r for r in caplog.records if "temprature" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.DEBUG


def test_several_unknown_keywords_make_one_warning_naming_each() -> None:
    with respx.mock(using="httpx") as router:
        router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "ok"})
        with pytest.warns(providers.UnknownArgumentWarning) as caught:
            asyncio.run(providers.Aichat.create_async("m", USER, cookies=COOKIES, temprature=1, stream=True))
    [message] = [str(w.message) for w in caught]
    assert "unknown keyword arguments 'stream', 'temprature'" in message


def test_documented_keywords_make_no_warning() -> None:
    with respx.mock(using="httpx") as router:
        router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "ok"})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            answer = asyncio.run(
                providers.Aichat.create_async(
                    "m", USER, None, cookies=COOKIES, temperature=1, top_p=0.5, timeout=3, verify=True
                )
            )
    assert answer == "ok"


# SPEC.md, "Calling convention": the async styles take ``proxy`` as their third positional
# argument, as gpt4free-style callers write ``create_async(model, messages, proxy, **kwargs)``.
@pytest.mark.parametrize("name", sorted(NEEDS))
@pytest.mark.parametrize("style", ["async", "async_generator"])
def test_proxy_is_the_third_positional_argument_of_the_async_styles(name: str, style: str) -> None:
    provider = providers.get(name)
    with pytest.raises(providers.InvalidArgumentError, match="proxy must be a URL") as raised:
        call(provider, style, "", USER, "ftp://proxy.invalid:21", **NEEDS[name])
    assert raised.value.provider == name


def test_proxy_given_positionally_reaches_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[providers.http.ClientSpec] = []
    real = providers.http.async_client

    def spy(spec: providers.http.ClientSpec) -> httpx.AsyncClient:
        seen.append(spec)
        return real(spec)

    monkeypatch.setattr("providers.aichat.async_client", spy)
    with respx.mock(using="httpx") as router:
        router.post(AICHAT_ENDPOINT).respond(200, json={"response": True, "message": "ok"})
        asyncio.run(providers.Aichat.create_async("m", USER, "http://127.0.0.1:9", cookies=COOKIES))
    assert [spec.proxy for spec in seen] == ["http://127.0.0.1:9"]


def test_other_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        asyncio.run(providers.Aichat.create_async("m", USER, None, COOKIES))  # type: ignore[misc]


@pytest.mark.parametrize("status", [201, 204, 302])
def test_aichat_accepts_only_200_like_the_others(status: int) -> None:
    """SPEC.md, common: any status but 200 is a StatusError naming it."""
    with respx.mock(using="httpx") as router:
        router.post(AICHAT_ENDPOINT).respond(status, json={"response": True, "message": "ok"})
        with pytest.raises(providers.StatusError, match=f"HTTP {status}") as raised:
            asyncio.run(providers.Aichat.create_async("m", USER, cookies=COOKIES))
    assert raised.value.status_code == status


@pytest.mark.parametrize(
    ("name", "seconds"),
    [("EasyChat", 120), ("Equing", 120), ("Aichat", 6), ("ChatAnywhere", 120), ("ChatGptEs", 120)],
)
def test_default_timeouts(name: str, seconds: float) -> None:
    """SPEC.md: Aichat's default timeout is 6 s, ChatAnywhere's 120 s; the others use 120 s."""
    assert providers.get(name).default_timeout == seconds
