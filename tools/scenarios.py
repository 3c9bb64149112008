"""The one catalogue of scenarios: a provider call, an upstream behaviour, and the expected outcome.

Each scenario has a committed cassette at ``cassettes/<provider>/<name>.yaml``,
recorded by ``python -m tools record`` and replayed by the test suite and by
``python -m tools verify``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from wiretape import UnsafePathError

from .emulators.behaviours import Behaviour

Style = Literal["sync", "async", "async_generator"]
TEXT = "text"

# A session cookie for the emulated chat-gpt.org; it is sanitised to a placeholder in cassettes.
EMULATOR_COOKIES = {"session": "emulated-session-cookie-0001"}

USER = ({"role": "user", "content": "Hello, how are you?"},)
HISTORY = (
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "Paris."},
    {"role": "user", "content": "And of Germany?"},
)
NON_ASCII = ({"role": "user", "content": "Grüße aus Köln — ¿qué tal? 日本語 😀𝄞"},)

# What each upstream behaviour ends in, for every provider it applies to.
FAULT_OUTCOMES: dict[Behaviour, str] = {
    Behaviour.SLOW: TEXT,
    Behaviour.RATE_LIMITED: "RateLimitError",
    Behaviour.RATE_LIMITED_BARE: "RateLimitError",
    Behaviour.SERVER_ERROR: "StatusError",
    Behaviour.CHALLENGE: "StatusError",
    Behaviour.TRUNCATED: "ProviderConnectionError",
    Behaviour.RESET: "ProviderConnectionError",
    Behaviour.MALFORMED_JSON: "ResponseFormatError",
    Behaviour.NON_JSON: "ResponseFormatError",
    Behaviour.WRONG_SHAPE: "ResponseFormatError",
    Behaviour.MISSING_NONCE: "ResponseFormatError",
    Behaviour.CONSENT: "UpstreamRejectedError",
    Behaviour.EXPIRED_COOKIE: "UpstreamRejectedError",
    Behaviour.SPLIT_MULTIBYTE: TEXT,
}
# The cause an error's message must name, in words: a regular expression it must match.
FAULT_CAUSES: dict[Behaviour, str] = {
    Behaviour.RATE_LIMITED: r"HTTP 429",
    Behaviour.RATE_LIMITED_BARE: r"HTTP 429",
    Behaviour.SERVER_ERROR: r"HTTP 500",
    Behaviour.CHALLENGE: r"HTTP 403",
    Behaviour.TRUNCATED: r"connection (closed|failed)",
    Behaviour.RESET: r"connection (closed|failed)",
    Behaviour.MALFORMED_JSON: r"malformed event JSON|expected JSON, got \(application/json\)",
    Behaviour.NON_JSON: r"text/html",
    Behaviour.WRONG_SHAPE: (
        r"without a choices list|No response from server|without 'response'|Unexpected response format"
    ),
    Behaviour.MISSING_NONCE: r"no nonce",
    Behaviour.CONSENT: r"Kästchen anklicken",
    Behaviour.EXPIRED_COOKIE: r"session has expired",
}
_COMMON_FAULTS = (
    Behaviour.RATE_LIMITED,
    Behaviour.RATE_LIMITED_BARE,
    Behaviour.SERVER_ERROR,
    Behaviour.CHALLENGE,
    Behaviour.TRUNCATED,
    Behaviour.RESET,
)
_JSON_FAULTS = (Behaviour.MALFORMED_JSON, Behaviour.NON_JSON, Behaviour.WRONG_SHAPE)


@dataclass(frozen=True)
class Scenario:
    provider: str
    name: str
    style: Style
    stream: bool = True
    messages: tuple[Mapping[str, str], ...] = USER
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    behaviour: Behaviour = Behaviour.NORMAL
    expect: str = TEXT
    # For an error: a regular expression (re.search) the message must match, naming the cause.
    cause: str = ""
    model: str = "gpt-3.5-turbo"
    # Arguments the emulators need and a live upstream must not get (the live call finds its own).
    emulator_kwargs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.provider.lower()}/{self.name}"

    @property
    def emulator_only(self) -> bool:
        """Whether only the emulators can produce this scenario's upstream behaviour."""
        return self.behaviour is not Behaviour.NORMAL

    def call_kwargs(self, *, live: bool) -> dict[str, Any]:
        return dict(self.kwargs) if live else {**self.emulator_kwargs, **self.kwargs}

    def describe(self) -> str:
        how = self.style + (" (stream)" if self.stream and self.style != "async" else "")
        extra = ", ".join(f"{key}={value!r}" for key, value in self.kwargs.items())
        return f"{how}; upstream {self.behaviour.value}" + (f"; {extra}" if extra else "")


def _calls(
    provider: str, *, styles: Iterable[tuple[str, Style, bool]], base: Mapping[str, Any], **common: Any
) -> list[Scenario]:
    return [
        Scenario(provider, name, style, stream=stream, kwargs=base, **common)
        for name, style, stream in styles
    ]


def _faults(
    provider: str, behaviours: Iterable[Behaviour], *, style: Style, base: Mapping[str, Any], **common: Any
) -> list[Scenario]:
    return [
        Scenario(
            provider,
            behaviour.value,
            style,
            kwargs=base,
            behaviour=behaviour,
            expect=FAULT_OUTCOMES[behaviour],
            cause=FAULT_CAUSES.get(behaviour, ""),
            **common,
        )
        for behaviour in behaviours
    ]


_STREAMING_STYLES: tuple[tuple[str, Style, bool], ...] = (
    ("sync_stream", "sync", True),
    ("sync_whole", "sync", False),
    ("async", "async", False),
    ("async_generator", "async_generator", True),
)
_ONE_ANSWER_STYLES: tuple[tuple[str, Style, bool], ...] = (
    ("async", "async", False),
    ("async_generator", "async_generator", True),
    ("sync", "sync", True),
)
_SAMPLING = {"temperature": 0.9, "top_p": 0.8, "presence_penalty": 0.5, "frequency_penalty": 0.25}


def _openai_compatible(provider: str, base: Mapping[str, Any]) -> list[Scenario]:
    return [
        *_calls(provider, styles=_STREAMING_STYLES, base=base),
        Scenario(provider, "history", "sync", messages=HISTORY, kwargs=base),
        Scenario(provider, "non_ascii", "sync", messages=NON_ASCII, kwargs=base),
        Scenario(provider, "sampling", "sync", kwargs={**base, **_SAMPLING}),
        *_faults(provider, (Behaviour.SLOW, *_COMMON_FAULTS, *_JSON_FAULTS), style="sync", base=base),
        *(
            Scenario(
                provider,
                f"{behaviour.value}_whole",
                "sync",
                stream=False,
                kwargs=base,
                behaviour=behaviour,
                expect=FAULT_OUTCOMES[behaviour],
                cause=FAULT_CAUSES.get(behaviour, ""),
            )
            for behaviour in (Behaviour.MALFORMED_JSON, Behaviour.WRONG_SHAPE)
        ),
    ]


def _easychat() -> list[Scenario]:
    base = {"active_server": 0}
    return [
        *_openai_compatible("EasyChat", base),
        Scenario("EasyChat", "seventh_server", "sync", kwargs={"active_server": 6}),
    ]


def _aichat() -> list[Scenario]:
    common: dict[str, Any] = {"emulator_kwargs": {"cookies": EMULATOR_COOKIES}}
    return [
        *_calls("Aichat", styles=_ONE_ANSWER_STYLES, base={}, **common),
        Scenario("Aichat", "history", "async", messages=HISTORY, **common),
        Scenario("Aichat", "non_ascii", "async", messages=NON_ASCII, **common),
        Scenario("Aichat", "sampling", "async", kwargs={"temperature": 1.2, "top_p": 0.7}, **common),
        *_faults(
            "Aichat",
            (*_COMMON_FAULTS, *_JSON_FAULTS, Behaviour.EXPIRED_COOKIE),
            style="async",
            base={},
            **common,
        ),
    ]


def _chatanywhere() -> list[Scenario]:
    return [
        *_calls("ChatAnywhere", styles=_ONE_ANSWER_STYLES, base={}),
        Scenario("ChatAnywhere", "history", "async_generator", messages=HISTORY),
        Scenario("ChatAnywhere", "non_ascii", "async_generator", messages=NON_ASCII),
        Scenario("ChatAnywhere", "sampling", "async_generator", kwargs={"temperature": 0.2}),
        *_faults(
            "ChatAnywhere",
            (Behaviour.SLOW, *_COMMON_FAULTS, Behaviour.NON_JSON, Behaviour.SPLIT_MULTIBYTE),
            style="async_generator",
            base={},
        ),
    ]


def _chatgptes() -> list[Scenario]:
    return [
        *_calls("ChatGptEs", styles=_ONE_ANSWER_STYLES, base={}, model=""),
        Scenario("ChatGptEs", "history", "async_generator", messages=HISTORY, model=""),
        Scenario("ChatGptEs", "non_ascii", "async_generator", messages=NON_ASCII, model=""),
        Scenario("ChatGptEs", "model_gpt_4", "async_generator", model="gpt-4"),
        *_faults(
            "ChatGptEs",
            (*_COMMON_FAULTS, *_JSON_FAULTS, Behaviour.MISSING_NONCE, Behaviour.CONSENT),
            style="async_generator",
            base={},
            model="",
        ),
    ]


def _catalogue() -> dict[str, Scenario]:
    scenarios = [
        *_easychat(),
        *_openai_compatible("Equing", {}),
        *_aichat(),
        *_chatanywhere(),
        *_chatgptes(),
    ]
    catalogue = {scenario.id: scenario for scenario in scenarios}
    if len(catalogue) != len(scenarios):
        raise RuntimeError("two scenarios share an id")
    return catalogue


SCENARIOS: Mapping[str, Scenario] = _catalogue()


class UnknownTargetError(ValueError):
    """A name that is neither a provider nor a scenario of the catalogue."""


def select(targets: Iterable[str]) -> list[Scenario]:
    """The scenarios named by ``targets``: provider names (any case) or scenario ids; all if empty."""
    targets = list(targets)
    if not targets:
        return list(SCENARIOS.values())
    providers_by_name = {scenario.provider.lower(): scenario.provider for scenario in SCENARIOS.values()}
    chosen: dict[str, Scenario] = {}
    for target in targets:
        key = target.strip().lower().removesuffix(".yaml")
        if key in providers_by_name:
            chosen.update((s.id, s) for s in SCENARIOS.values() if s.provider.lower() == key)
        elif key in SCENARIOS:
            chosen[key] = SCENARIOS[key]
        else:
            known = [*providers_by_name, *SCENARIOS]
            close = difflib.get_close_matches(key, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see python -m tools list"
            raise UnknownTargetError(f"unknown provider or scenario {target!r}{hint}")
    return list(chosen.values())


def cassette_path(root: Path, scenario_id: str) -> Path:
    """``root/<provider>/<scenario>.yaml``, refusing any id that would lead outside ``root``."""
    provider, sep, name = scenario_id.partition("/")
    parts = (provider, name)
    if not sep or any(part in ("", ".", "..") or "/" in part or "\\" in part for part in parts):
        raise UnsafePathError(f"{scenario_id!r} is not a <provider>/<scenario> name")
    path = (root / provider / f"{name}.yaml").resolve()
    if not path.is_relative_to(root.resolve()):
        raise UnsafePathError(f"{scenario_id!r} would write outside {root}")
    return path


def scenario_of(root: Path, path: Path) -> str:
    """The scenario id a cassette file under ``root`` stands for."""
    # Not resolved: a symlink is named by where it sits, not by where it leads.
    relative = path.absolute().relative_to(root.absolute())
    return f"{relative.parent.as_posix()}/{relative.stem}"
