"""Small helpers shared by the unit tests."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

import providers
from providers import ProviderTimeoutError

STYLES = ("sync", "async", "async_generator")
ROOT = Path(__file__).resolve().parent.parent


def open_descriptors() -> int:
    """How many file descriptors this process holds."""
    directory = Path("/proc/self/fd")
    return sum(1 for _ in (directory if directory.is_dir() else Path("/dev/fd")).iterdir())


def measured_in_a_fresh_process(module: str, *args: str) -> dict[str, Any]:
    """The JSON report of ``python -m module args`` (a memory measurement needs its own process)."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def call(
    provider: type[providers.BaseProvider], style: str, *args: Any, stream: bool = True, **kwargs: Any
) -> list[str]:
    """The chunks a provider gives in one calling style."""
    if style == "sync":
        return list(provider.create_completion(*args, stream=stream, **kwargs))
    if style == "async":
        return [asyncio.run(provider.create_async(*args, **kwargs))]
    if style == "async_generator":

        async def collect() -> list[str]:
            return [chunk async for chunk in provider.create_async_generator(*args, **kwargs)]

        return asyncio.run(collect())
    raise ValueError(style)


def json_body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def form_fields(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.content.decode(), keep_blank_values=True)


def header_subset(request: httpx.Request, expected: dict[str, str]) -> dict[str, str | None]:
    """The request's values for the expected header names (None where missing)."""
    return {name: request.headers.get(name) for name in expected}


def streaming(
    chunks: list[bytes],
    *,
    status: int = 200,
    content_type: str = "text/event-stream",
    headers: dict[str, str] | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect answering with a body delivered in the given pieces."""

    def respond(request: httpx.Request) -> httpx.Response:
        class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
            def __iter__(self):  # type: ignore[no-untyped-def]
                yield from chunks

            async def __aiter__(self):  # type: ignore[no-untyped-def]
                for chunk in chunks:
                    yield chunk

        return httpx.Response(
            status, headers={"content-type": content_type, **(headers or {})}, stream=Pieces()
        )

    return respond


def model_for(name: str) -> str:
    """A model each provider accepts (ChatGptEs refuses gpt-3.5-turbo before any request)."""
    return "" if name == "ChatGptEs" else "gpt-3.5-turbo"


def times_out(
    name: str, style: str, *, timeout: float, within: float, **arguments: Any
) -> ProviderTimeoutError:
    """Call provider ``name`` in ``style``: it must end in a timeout, within ``within`` seconds."""
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError) as raised:
        call(
            providers.get(name),
            style,
            model_for(name),
            [{"role": "user", "content": "hi"}],
            timeout=timeout,
            **arguments,
        )
    assert time.monotonic() - started < within
    return raised.value
