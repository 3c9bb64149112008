"""Running one scenario's call and capturing what it gave: the chunks, then the error if any."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import providers
from providers.messages import Messages
from wiretape import CassetteError

from .scenarios import TEXT, Scenario


@dataclass
class Outcome:
    """Chunks delivered (in order), then the error that ended the call, if one did."""

    chunks: list[str] = field(default_factory=list)
    error: str | None = None
    message: str = ""

    @property
    def kind(self) -> str:
        return self.error or TEXT

    def to_metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "chunks": list(self.chunks)}
        if self.error:
            data["message"] = self.message
        return data

    @classmethod
    def from_metadata(cls, data: Mapping[str, Any]) -> Outcome:
        kind = str(data.get("kind", TEXT))
        return cls(
            chunks=[str(chunk) for chunk in data.get("chunks", [])],
            error=None if kind == TEXT else kind,
            message=str(data.get("message", "")),
        )

    def summary(self) -> str:
        if self.error:
            return f"{self.error}: {self.message}"
        return f"{len(self.chunks)} chunks, {sum(map(len, self.chunks))} characters"


def run(scenario: Scenario, *, live: bool = False) -> Outcome:
    """Call the scenario's provider in its style; a provider error becomes part of the outcome.

    A cassette error (a request the cassette cannot answer) is not an outcome
    of the provider and propagates.
    """
    provider = providers.get(scenario.provider)
    messages: Messages = [{"role": m["role"], "content": m["content"]} for m in scenario.messages]
    kwargs = scenario.call_kwargs(live=live)
    outcome = Outcome()
    try:
        if scenario.style == "sync":
            for chunk in provider.create_completion(
                scenario.model, messages, stream=scenario.stream, **kwargs
            ):
                outcome.chunks.append(chunk)
        elif scenario.style == "async":
            outcome.chunks.append(asyncio.run(provider.create_async(scenario.model, messages, **kwargs)))
        else:

            async def collect() -> None:
                generator = provider.create_async_generator(
                    scenario.model, messages, stream=scenario.stream, **kwargs
                )
                async for chunk in generator:
                    outcome.chunks.append(chunk)

            asyncio.run(collect())
    except CassetteError:
        raise
    except (providers.ProviderError, LookupError, TypeError, ValueError, AttributeError) as error:
        # Besides the typed errors, the untyped ones a provider bug raises (a raw IndexError,
        # UnicodeDecodeError…) are what the call gave: record refuses them in one line.
        outcome.error, outcome.message = type(error).__name__, str(error)
    return outcome
