"""The seeded-drift catalogue: realistic upstream changes, applied to the running emulators in-process,
re-recorded, and shown to be flagged by `record`'s verdict and by `diff` with a message naming what changed.

Each case patches the emulators for the test's duration only (monkeypatch), records the
scenario into a scratch directory the way `python -m tools diff` does (failed recordings
kept), and compares the recording with the committed cassette.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.drift import drift
from tools.emulators import Behaviour, EmulatedUpstreams, aichat, chatgptes, openai_chat, upstream
from tools.emulators.server import Ending, Exchange
from tools.recording import Upstreams, record_scenario
from tools.scenarios import SCENARIOS, cassette_path
from wiretape import load

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
Headers = Mapping[str, str]


def rewrite_streams(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[list[bytes], Headers], tuple[list[bytes], Headers]]
) -> None:
    """Every streamed answer's pieces and headers go through ``change`` before they are sent."""
    original = Exchange.stream

    def stream(
        self: Exchange,
        status: int,
        pieces: Iterable[bytes],
        headers: Headers | None = None,
        *,
        delay: float = 0.0,
        then: Ending = "end",
    ) -> None:
        new_pieces, new_headers = change(list(pieces), dict(headers or {}))
        original(self, status, new_pieces, new_headers, delay=delay, then=then)

    monkeypatch.setattr(Exchange, "stream", stream)


def rewrite_pages(monkeypatch: pytest.MonkeyPatch, pattern: str, replacement: str) -> None:
    """Every whole answer (pages, JSON errors) has ``pattern`` replaced before it is sent."""
    original = Exchange.respond

    def respond(self: Exchange, status: int, body: bytes | str = b"", headers: Headers | None = None) -> None:
        text = body.decode() if isinstance(body, bytes) else body
        original(self, status, re.sub(pattern, replacement, text), headers)

    monkeypatch.setattr(Exchange, "respond", respond)


# ------------------------------------------------------------------ the seeded upstream changes


def renamed_delta_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """An OpenAI-style stream renames delta.content to delta.text."""
    rewrite_streams(
        monkeypatch,
        lambda pieces, headers: (
            [p.replace(b'"delta": {"content"', b'"delta": {"text"') for p in pieces],
            headers,
        ),
    )


def chatanywhere_switches_to_sse(monkeypatch: pytest.MonkeyPatch) -> None:
    """ChatAnywhere answers server-sent events instead of plain text."""

    def to_events(pieces: list[bytes], headers: Headers) -> tuple[list[bytes], Headers]:
        events = [b"data: " + json.dumps({"content": p.decode()}).encode() + b"\n\n" for p in pieces]
        return events, {**headers, "content-type": "text/event-stream"}

    rewrite_streams(monkeypatch, to_events)


def ping_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Named keep-alive events with an empty choices list between the answer's events."""
    ping = b'event: ping\ndata: {"choices": []}\n\n'
    rewrite_streams(monkeypatch, lambda pieces, headers: ([q for p in pieces for q in (ping, p)], headers))


def easychat_stops_setting_its_cookie(monkeypatch: pytest.MonkeyPatch) -> None:
    """EasyChat's GET / no longer sends Set-Cookie (the POST then fails for want of a session)."""

    def home(self: openai_chat.OpenAIChat, exchange: Exchange) -> None:
        exchange.respond(200, "<!DOCTYPE html><html></html>", {"content-type": "text/html; charset=utf-8"})

    monkeypatch.setattr(openai_chat.EasyChatUpstream, "home", home)


def easychat_renames_its_cookie(monkeypatch: pytest.MonkeyPatch) -> None:
    """EasyChat's session cookie gets another name (set and checked under it)."""
    monkeypatch.setattr(openai_chat, "SESSION_COOKIE", "sid")


def nonce_moves_to_a_script_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """ChatGptEs's page carries its nonce in a `var` instead of a hidden input."""
    rewrite_pages(
        monkeypatch,
        r'<input type="hidden" name="_wpnonce" value="(\w+)">',
        r'<script>var wpaicg_nonce = "\1";</script>',
    )


def nonce_disappears_from_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """ChatGptEs's page no longer carries a nonce in any form the provider knows."""
    rewrite_pages(monkeypatch, r'<input type="hidden" name="_wpnonce" value="\w+">', "")


def event_stream_served_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The event stream's content-type becomes text/plain (here under a malformed-JSON fault:
    the call still fails with ResponseFormatError, for another reason)."""
    rewrite_streams(
        monkeypatch,
        lambda pieces, headers: (pieces, {**headers, "content-type": "text/plain; charset=utf-8"}),
    )


def aichat_answers_text_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Aichat's JSON answer is labelled text/plain."""
    original = upstream.send_body

    def send_body(
        exchange: Exchange, status: int, body: bytes, headers: Headers, behaviour: Behaviour
    ) -> None:
        original(exchange, status, body, {**headers, "content-type": "text/plain"}, behaviour)

    monkeypatch.setattr(aichat, "send_body", send_body)


def retry_after_disappears(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 comes without its Retry-After."""
    original = upstream.send_json

    def send_json(exchange: Exchange, status: int, payload: object, headers: Headers | None = None) -> None:
        original(exchange, status, payload, {k: v for k, v in (headers or {}).items() if k != "retry-after"})

    monkeypatch.setattr(upstream, "send_json", send_json)


def retry_after_becomes_a_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429's Retry-After is an HTTP date instead of seconds."""
    monkeypatch.setattr(upstream, "RETRY_AFTER_SECONDS", "Wed, 21 Oct 2026 07:28:00 GMT")


def server_error_becomes_a_challenge(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server-error fault now meets a 403 in front of it: still a StatusError, another cause."""
    rewrite_pages(monkeypatch, r"<h1>500 Internal Server Error</h1>", "<h1>Forbidden</h1>")
    original = Exchange.respond

    def respond(self: Exchange, status: int, body: bytes | str = b"", headers: Headers | None = None) -> None:
        original(self, 403 if status == 500 else status, body, headers)

    monkeypatch.setattr(Exchange, "respond", respond)


def chatgptes_page_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    """ChatGptEs's page moves to /es/ and / redirects (301) there: the providers follow no
    redirect, so the POST is never made (an upstream alone cannot add an exchange)."""
    original = chatgptes.ChatGptEsUpstream.serve

    def serve(self: chatgptes.ChatGptEsUpstream, exchange: Exchange, behaviour: Behaviour) -> None:
        if exchange.path == "/":
            exchange.respond(
                301, "", {"location": f"https://{exchange.host}/es/", "content-type": "text/html"}
            )
        elif exchange.path == "/es/":
            self.page(exchange, behaviour)
        else:
            original(self, exchange, behaviour)

    monkeypatch.setattr(chatgptes.ChatGptEsUpstream, "serve", serve)


def empty_choices_in_a_whole_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-streamed answer comes with an empty choices list."""
    original = openai_chat.send_body

    def send_body(
        exchange: Exchange, status: int, body: bytes, headers: Headers, behaviour: Behaviour
    ) -> None:
        document = json.loads(body)
        original(exchange, status, json.dumps({**document, "choices": []}).encode(), headers, behaviour)

    monkeypatch.setattr(openai_chat, "send_body", send_body)


@dataclass(frozen=True)
class Seed:
    name: str
    scenario: str
    apply: Callable[[pytest.MonkeyPatch], None]
    # What `record` says: None when it still accepts the recording, else the start of its verdict.
    refused: str | None
    # A line `diff` must print (all of it, or its start when it ends with "…").
    drift_line: str


EASYCHAT_HOME = "exchange #0 (GET https://chat10.fastgpt.me/)"
EASYCHAT_POST = "exchange #1 (POST https://chat10.fastgpt.me/api/openai/v1/chat/completions)"
EQUING_POST = "exchange #0 (POST https://next.eqing.tech/api/openai/v1/chat/completions)"
CHATGPTES_PAGE = "exchange #0 (GET https://chatgpt.es)"
CHATANYWHERE_POST = "exchange #0 (POST https://chatanywhere.cn/v1/chat/gpt/)"
AICHAT_POST = "exchange #0 (POST https://chat-gpt.org/api/text)"
ECHO = "expected text echoing 'Hello, how are you?', got "

SEEDS = [
    Seed(
        "renamed delta key",
        "equing/sync_stream",
        renamed_delta_key,
        ECHO + "empty text",
        f"{EQUING_POST} response body: gone: body.choices[].delta.content: string; "
        "new: body.choices[].delta.text: string",
    ),
    Seed(
        "ChatAnywhere switches to SSE",
        "chatanywhere/async",
        chatanywhere_switches_to_sse,
        ECHO + "raw event-stream text 'data: ",
        f"{CHATANYWHERE_POST} response content-type: 'text/plain; charset=utf-8' -> 'text/event-stream'",
    ),
    Seed(
        "event: ping with empty choices",
        "equing/sync_stream",
        ping_events,
        None,
        f"{EQUING_POST} response body: new: body.choices: array, event: ping",
    ),
    Seed(
        "EasyChat's GET / without Set-Cookie",
        "easychat/sync_stream",
        easychat_stops_setting_its_cookie,
        ECHO + "StatusError: EasyChat: HTTP 401",
        f"{EASYCHAT_HOME} response headers: gone: set-cookie",
    ),
    Seed(
        "EasyChat's cookie renamed",
        "easychat/sync_stream",
        easychat_renames_its_cookie,
        None,
        f"{EASYCHAT_HOME} response set-cookie names: 'session' -> 'sid'",
    ),
    Seed(
        "nonce moved to a var",
        "chatgptes/async",
        nonce_moves_to_a_script_variable,
        None,
        f"{CHATGPTES_PAGE} page tokens: gone: hidden input _wpnonce; new: var wpaicg_nonce",
    ),
    Seed(
        "nonce gone from the page",
        "chatgptes/async",
        nonce_disappears_from_the_page,
        ECHO + "ResponseFormatError: ChatGptEs: the chat page carries no nonce",
        f"{CHATGPTES_PAGE} page tokens: gone: hidden input _wpnonce",
    ),
    Seed(
        "event stream served as text/plain (same error class, other cause)",
        "easychat/malformed_json",
        event_stream_served_as_text,
        "expected ResponseFormatError naming EasyChat and matching 'malformed event JSON",
        f"{EASYCHAT_POST} response content-type: 'text/event-stream; charset=utf-8' -> 'text/plain; charset=utf-8'",
    ),
    Seed(
        "Aichat's answer labelled text/plain",
        "aichat/async",
        aichat_answers_text_plain,
        None,
        f"{AICHAT_POST} response content-type: 'application/json; charset=utf-8' -> 'text/plain'",
    ),
    Seed(
        "empty choices in a whole answer",
        "equing/sync_whole",
        empty_choices_in_a_whole_answer,
        ECHO,
        f"{EQUING_POST} response body: gone: body.choices[].finish_reason: string, body.choices[].index: number, "
        "body.choices[].message.content: string, body.choices[].message.role: string; new: body.choices: array",
    ),
    Seed(
        "Retry-After gone",
        "aichat/rate_limited",
        retry_after_disappears,
        None,
        f"{AICHAT_POST} response retry-after: '7' -> '<none>'",
    ),
    Seed(
        "Retry-After as a date",
        "aichat/rate_limited",
        retry_after_becomes_a_date,
        None,
        f"{AICHAT_POST} response retry-after: '7' -> 'Wed, 21 Oct 2026 07:28:00 GMT'",
    ),
    Seed(
        "server error turned 403 (same error class, other cause)",
        "equing/server_error",
        server_error_becomes_a_challenge,
        "expected StatusError naming Equing and matching 'HTTP 500', got StatusError: Equing: HTTP 403",
        f"{EQUING_POST} status: '500' -> '403'",
    ),
    Seed(
        "an exchange gone (the page moved behind a redirect)",
        "chatgptes/async",
        chatgptes_page_moves,
        ECHO + "StatusError: ChatGptEs: HTTP 301",
        "exchange #1 (POST https://chatgpt.es/wp-admin/admin-ajax.php) gone",
    ),
]


@pytest.mark.parametrize("seed", SEEDS, ids=[seed.name for seed in SEEDS])
def test_a_seeded_upstream_change_is_flagged_naming_what_changed(
    seed: Seed, emulated_upstreams: EmulatedUpstreams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = SCENARIOS[seed.scenario]
    committed = load(cassette_path(CASSETTES, scenario.id))
    seed.apply(monkeypatch)

    result = record_scenario(
        scenario, tmp_path, Upstreams("emulated", emulated_upstreams), keep_unexpected=True
    )
    report = drift(committed, load(cassette_path(tmp_path, scenario.id)))

    if seed.refused is None:
        assert result.ok, result.detail
    else:
        assert result.result == "unexpected"
        assert result.detail.startswith(seed.refused), result.detail
    assert seed.drift_line in report, report


def test_without_a_seeded_change_nothing_is_flagged(
    emulated_upstreams: EmulatedUpstreams, tmp_path: Path
) -> None:
    """The control: the same scenarios, recorded from the unchanged emulators, show no drift."""
    for scenario_id in sorted({seed.scenario for seed in SEEDS}):
        scenario = SCENARIOS[scenario_id]
        result = record_scenario(scenario, tmp_path, Upstreams("emulated", emulated_upstreams))
        assert result.ok, result.detail
        assert (
            drift(load(cassette_path(CASSETTES, scenario_id)), load(cassette_path(tmp_path, scenario_id)))
            == []
        )
