"""The README's provider examples work as written (against the emulated upstreams)."""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path

import providers
from tools.emulators import EmulatedUpstreams

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_aichat_example_passes_the_cookie_the_site_needs(emulated_upstreams: EmulatedUpstreams) -> None:
    """SPEC.md, Aichat: the site's session cookie is named ``session``; the emulator refuses a request
    without it, as the site does, so the README's example must pass it."""
    match = re.search(r'Aichat\.create_async\("gpt-3\.5-turbo", messages, cookies=(\{[^}]*\})\)', README)
    assert match, "the README has no Aichat.create_async example"
    cookies = {name: f"value-of-{name}" for name in ast.literal_eval(match.group(1))}
    messages = [{"role": "user", "content": "Hello"}]
    answer = asyncio.run(providers.Aichat.create_async("gpt-3.5-turbo", messages, cookies=cookies))
    assert answer == "You wrote: Hello"
