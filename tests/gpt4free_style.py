"""Two providers written the way the gpt4free family writes them, on the clients it uses: a
``curl_cffi.requests.AsyncSession`` (browser impersonation) and an ``aiohttp.ClientSession``.

Test fixtures, not part of ``providers/``: they show that wiretape records and
replays such code unchanged. :func:`routed_to` is the test's side: it leads
their hosts to the loopback emulators (the providers know nothing of it).
"""

from __future__ import annotations

import codecs
import contextlib
import json
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from typing import Any
from unittest import mock

from aiohttp import ClientSession, ClientTimeout, TCPConnector
from aiohttp.abc import AbstractResolver, ResolveResult
from curl_cffi import CurlOpt
from curl_cffi.requests import AsyncSession

Messages = list[dict[str, str]]


def format_prompt(messages: Messages) -> str:
    lines = [f"{message['role'].capitalize()}: {message['content']}" for message in messages]
    return "\n".join(lines) + "\nAssistant:"


class Equing:
    """OpenAI-style server-sent events over curl_cffi, impersonating Chrome."""

    url = "https://next.eqing.tech"
    working = True
    supports_stream = True

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, proxy: str | None = None, **kwargs: Any
    ) -> AsyncIterator[str]:
        headers = {
            "accept": "text/event-stream",
            "origin": cls.url,
            "referer": f"{cls.url}/",
            "x-requested-with": "XMLHttpRequest",
        }
        data = {
            "messages": messages,
            "stream": True,
            "model": model,
            "temperature": kwargs.get("temperature", 0.5),
            "presence_penalty": 0,
            "frequency_penalty": 0,
            "top_p": 1,
        }
        async with AsyncSession(headers=headers, impersonate="chrome110", proxy=proxy) as session:
            response = await session.post(f"{cls.url}/api/openai/v1/chat/completions", json=data, stream=True)
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.startswith(b"data: ") and line != b"data: [DONE]":
                    content = json.loads(line[6:])["choices"][0]["delta"].get("content")
                    if content:
                        yield content
            await response.aclose()


class ChatAnywhere:
    """Plain text in pieces over aiohttp."""

    url = "https://chatanywhere.cn"
    working = True
    supports_stream = True

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, proxy: str | None = None, temperature: float = 0.5, **kwargs: Any
    ) -> AsyncIterator[str]:
        headers = {"Accept": "application/json, text/plain, */*", "Origin": cls.url, "Referer": f"{cls.url}/"}
        data = {
            "list": messages,
            "id": "s1_qYuOLXjI3rEpc7WHfQ",
            "title": format_prompt(messages),
            "prompt": "",
            "temperature": temperature,
            "models": "61490748",
            "continuous": True,
        }
        decoder = codecs.getincrementaldecoder("utf-8")()
        async with (
            ClientSession(headers=headers, timeout=ClientTimeout(total=120)) as session,
            session.post(f"{cls.url}/v1/chat/gpt/", json=data, proxy=proxy) as response,
        ):
            response.raise_for_status()
            async for chunk in response.content.iter_any():
                if text := decoder.decode(chunk):
                    yield text


# ---------------------------------------------------------------- the test's side: routing


class _LoopbackResolver(AbstractResolver):
    def __init__(self, port: int) -> None:
        self.port = port

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host, host="127.0.0.1", port=self.port, family=socket.AF_INET, proto=0, flags=0
            )
        ]

    async def close(self) -> None:
        pass


def _curl_slist(entries: list[str]) -> Any:
    # curl_cffi's setopt builds string lists for header options only.
    from curl_cffi._wrapper import ffi, lib

    slist = ffi.NULL
    for entry in entries:
        slist = lib.curl_slist_append(slist, entry.encode())
    return ffi.gc(slist, lib.curl_slist_free_all)


@contextlib.contextmanager
def routed_to(port: int, ca_file: str, hosts: tuple[str, ...]) -> Iterator[None]:
    """Within the block, new curl_cffi and aiohttp sessions reach ``hosts`` on loopback ``port``,
    trusting ``ca_file``."""
    curl_init, aiohttp_init = AsyncSession.__init__, ClientSession.__init__

    def curl_session(session: Any, *args: Any, **kwargs: Any) -> None:
        options = dict(kwargs.pop("curl_options", None) or {})
        options[CurlOpt.CONNECT_TO] = _curl_slist([f"{host}:443:127.0.0.1:{port}" for host in hosts])
        kwargs.setdefault("verify", ca_file)
        curl_init(session, *args, curl_options=options, **kwargs)

    def aiohttp_session(session: Any, *args: Any, **kwargs: Any) -> None:
        context = ssl.create_default_context(cafile=ca_file)
        kwargs.setdefault("connector", TCPConnector(resolver=_LoopbackResolver(port), ssl=context))
        aiohttp_init(session, *args, **kwargs)

    with (
        mock.patch.object(AsyncSession, "__init__", curl_session),
        mock.patch.object(ClientSession, "__init__", aiohttp_session),
    ):
        yield
