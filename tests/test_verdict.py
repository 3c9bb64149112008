"""What a scenario's outcome must look like: `record` refuses, and `verify` fails, an outcome that is not it."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import yaml

import providers
from tools.emulators import EmulatedUpstreams
from tools.emulators import chatgptes as chatgptes_emulator
from tools.outcome import Outcome
from tools.recording import Upstreams, record_scenario, verify_scenario
from tools.scenarios import SCENARIOS, cassette_path
from tools.verdict import violation

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"


def text(*chunks: str) -> Outcome:
    return Outcome(chunks=list(chunks))


def error(kind: str, message: str) -> Outcome:
    return Outcome(error=kind, message=message)


@pytest.mark.parametrize(
    ("scenario_id", "outcome"),
    [
        ("equing/sync_stream", text("You wrote: ", "Hello, ", "how ", "are ", "you?")),
        ("aichat/history", text("You wrote: System: You are terse.\nUser: And of Germany?\nAssistant:")),
        ("chatanywhere/split_multibyte", text("Привет, 世界! 😀 ", "You wrote: Hello, how are you?")),
        (
            "equing/rate_limited",
            error("RateLimitError", "Equing: HTTP 429 Too Many Requests: {} (https://x)"),
        ),
        ("easychat/malformed_json", error("ResponseFormatError", "EasyChat: malformed event JSON: '{' (u)")),
    ],
)
def test_an_emulated_outcome_as_the_catalogue_states_it_passes(scenario_id: str, outcome: Outcome) -> None:
    assert violation(SCENARIOS[scenario_id], outcome, emulated=True) is None


@pytest.mark.parametrize(
    ("scenario_id", "outcome", "expected", "got"),
    [
        (
            "equing/sync_stream",
            text(),
            "expected text echoing 'Hello, how are you?'",
            "got empty text (0 chunks)",
        ),
        (
            "chatanywhere/async",
            text('data: {"content": "You wrote: Hello, how are you?"}\n\n'),
            "expected text echoing 'Hello, how are you?'",
            'got raw event-stream text \'data: {"content": "You wrote',
        ),
        (
            "equing/sync_stream",
            text("You wrote: Bonjour"),
            "expected text echoing 'Hello, how are you?'",
            "got text ",
        ),
        (
            "easychat/malformed_json",
            error("ResponseFormatError", "EasyChat: expected an event stream, got text/plain (u)"),
            "expected ResponseFormatError naming EasyChat and matching 'malformed event JSON",
            "got ResponseFormatError: EasyChat: expected an event stream, got text/plain (u)",
        ),
        (
            "equing/rate_limited",
            error("RateLimitError", "HTTP 429 Too Many Requests (u)"),
            "expected RateLimitError naming Equing",
            "got RateLimitError: HTTP 429",
        ),
        ("equing/server_error", text("You wrote: Hello, how are you?"), "expected StatusError", "got text"),
        ("equing/async", error("StatusError", "Equing: HTTP 500 (u)"), "expected text", "got StatusError"),
    ],
)
def test_an_outcome_unlike_the_catalogue_is_a_one_line_verdict(
    scenario_id: str, outcome: Outcome, expected: str, got: str
) -> None:
    verdict = violation(SCENARIOS[scenario_id], outcome, emulated=True)
    assert verdict is not None and "\n" not in verdict
    assert verdict.startswith(expected)
    assert f", {got}" in verdict


def test_a_live_answer_need_not_echo_but_must_be_real_text() -> None:
    scenario = SCENARIOS["equing/sync_stream"]
    assert violation(scenario, text("Bonjour ! Je vais bien."), emulated=False) is None
    assert violation(scenario, text("Steps:\nid: your user id\nretry: 3 times"), emulated=False) is None
    assert violation(scenario, text(" ", "\n"), emulated=False) == (
        "expected non-empty text, got empty text (2 chunks)"
    )
    raw = text("event: message\ndata: {}\n\n")
    assert (violation(scenario, raw, emulated=False) or "").startswith("expected non-empty text, got raw")


def test_record_refuses_an_empty_answer_and_keeps_the_committed_cassette(
    emulated_upstreams: EmulatedUpstreams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = SCENARIOS["chatgptes/async"]
    path = cassette_path(tmp_path, scenario.id)
    path.parent.mkdir(parents=True)
    shutil.copy(cassette_path(CASSETTES, scenario.id), path)
    before = path.read_bytes()
    monkeypatch.setattr(chatgptes_emulator, "reply_to", lambda prompt: "")

    result = record_scenario(scenario, tmp_path, Upstreams("emulated", emulated_upstreams))

    assert result.result == "unexpected"
    assert result.detail == "expected text echoing 'Hello, how are you?', got empty text (1 chunks)"
    assert path.read_bytes() == before


def test_the_recorded_message_carries_no_secret_of_the_exchanges(
    emulated_upstreams: EmulatedUpstreams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upstream that echoes the request (a client id, a nonce) into an error must not leak it."""
    echoed: list[str] = []

    def echoing_ajax(self: object, exchange: chatgptes_emulator.Exchange, behaviour: object) -> None:
        form = dict(parse_qsl(exchange.body.decode()))
        echoed.extend([form["wpaicg_chat_client_id"], form["_wpnonce"]])
        exchange.respond(
            500, f"bad client {echoed[0]} with nonce {echoed[1]}", {"content-type": "text/plain"}
        )

    monkeypatch.setattr(chatgptes_emulator.ChatGptEsUpstream, "ajax", echoing_ajax)
    scenario = SCENARIOS["chatgptes/server_error"]
    result = record_scenario(scenario, tmp_path, Upstreams("emulated", emulated_upstreams))
    assert result.ok, result.detail

    document = yaml.safe_load(cassette_path(tmp_path, scenario.id).read_text())
    message = document["wiretape"]["outcome"]["message"]
    # The provider masks what it sent itself; the cassette's placeholders would cover it otherwise.
    assert "bad client [masked] with nonce [masked]" in message
    assert len(echoed) == 2 and not [secret for secret in echoed if secret in message]
    assert verify_scenario(scenario, tmp_path).problems == []


def test_verify_compares_the_message_not_only_the_class(tmp_path: Path) -> None:
    scenario = SCENARIOS["equing/rate_limited"]
    path = cassette_path(tmp_path, scenario.id)
    path.parent.mkdir(parents=True)
    original = cassette_path(CASSETTES, scenario.id).read_text()
    path.write_text(original.replace("HTTP 429 Too Many Requests:", "HTTP 429 Slow Down:"))
    problems = verify_scenario(scenario, tmp_path).problems
    assert problems == [
        'replay gave message \'Equing: HTTP 429 Too Many Requests: {"error": "Too Many Requests"} '
        "(https://next.eqing.tech/api/openai/v1/chat/completions)', recorded "
        '\'Equing: HTTP 429 Slow Down: {"error": "Too Many Requests"} '
        "(https://next.eqing.tech/api/openai/v1/chat/completions)'"
    ]


def test_verify_refuses_a_recorded_outcome_the_catalogue_does_not_accept(tmp_path: Path) -> None:
    scenario = SCENARIOS["equing/server_error"]
    path = cassette_path(tmp_path, scenario.id)
    path.parent.mkdir(parents=True)
    document = yaml.safe_load(cassette_path(CASSETTES, scenario.id).read_text())
    document["wiretape"]["outcome"]["message"] = "Equing: HTTP 502 Bad Gateway (u)"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    problems = verify_scenario(scenario, tmp_path).problems
    assert problems[0].startswith(
        "recorded outcome: expected StatusError naming Equing and matching 'HTTP 500'"
    )


def test_an_untyped_error_from_a_provider_is_a_refusal_not_a_crash(
    emulated_upstreams: EmulatedUpstreams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        @staticmethod
        def create_completion(*args: object, **kwargs: object) -> list[str]:
            raise KeyError("choices")

    monkeypatch.setattr(providers, "get", lambda name: Broken)
    result = record_scenario(
        SCENARIOS["equing/sync_stream"], tmp_path, Upstreams("emulated", emulated_upstreams)
    )
    assert result.result == "unexpected"
    assert result.detail == "expected text echoing 'Hello, how are you?', got KeyError: 'choices'"
    assert not cassette_path(tmp_path, "equing/sync_stream").exists()
