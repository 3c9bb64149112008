"""Properties of reading answers: nonce and post id extraction, event-stream and text-stream parsing
for every chunking, the same chunks in every calling style, and no foreign exception for any body."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

import providers
from providers import ProviderError, ResponseFormatError
from providers.chatgptes import extract_tokens
from tests.helpers import call, streaming
from tests.spec_contracts import (
    AICHAT_ENDPOINT,
    CHATANYWHERE_ENDPOINT,
    CHATGPTES_ENDPOINT,
    CHATGPTES_URL,
    EQUING_ENDPOINT,
)
from tools.outcome import run
from tools.scenarios import SCENARIOS, Scenario, cassette_path
from tools.strategies import (
    ChatPage,
    CompletionStream,
    CutText,
    chatgptes_pages,
    chunkings,
    completion_streams,
    utf8_cuts,
)
from wiretape import Cassette, load

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
USER = [{"role": "user", "content": "hi"}]


# ---------------------------------------------------------------- ChatGptEs tokens


@given(page=chatgptes_pages())
def test_extraction_picks_the_documented_form_or_says_what_is_missing(page: ChatPage) -> None:
    """SPEC.md, ChatGptEs: the nonce forms are tried in the documented order (hidden input, JSON,
    var wpaicg_nonce, wpaicg_nonce key, the older data-nonce, any nonce key); post_id likewise; "No nonce:
    a ResponseFormatError saying the page carries no nonce"; "A nonce but no post id: post id 106"."""
    if page.nonce is not None:
        tokens = extract_tokens(page.html)
        expected_post_id = page.post_id if page.post_id is not None else "106"
        assert (tokens.nonce, tokens.post_id) == (page.nonce, expected_post_id)
        return
    with pytest.raises(ResponseFormatError, match="no nonce"):
        extract_tokens(page.html)


# ---------------------------------------------------------------- OpenAI-style event streams


@given(stream=completion_streams(), data=st.data())
def test_event_streams_give_exactly_the_non_empty_deltas_for_any_chunking(
    stream: CompletionStream, data: st.DataObject
) -> None:
    """SPEC.md, EasyChat and Equing: "each non-empty choices[0].delta.content is one piece"; "a real
    event-stream parser stops at [DONE] and never yields None or an empty string, whatever the
    chunking"; sync and async-generator styles agree."""
    pieces = data.draw(chunkings(stream.body))
    results = []
    for style in ("sync", "async_generator"):
        with respx.mock(using="httpx") as router:
            router.post(EQUING_ENDPOINT).mock(side_effect=streaming(pieces))
            results.append(call(providers.Equing, style, "gpt-3.5-turbo", USER, stream=True))
    assert results[0] == stream.expected
    assert results[1] == results[0]


# ---------------------------------------------------------------- ChatAnywhere text streams


@given(cut=utf8_cuts())
def test_text_streams_concatenate_to_the_original_for_every_byte_split(cut: CutText) -> None:
    """SPEC.md, ChatAnywhere: "each decoded piece is yielded as it arrives"; "here decoding is
    incremental", so a read that cuts a multi-byte character changes nothing; every style agrees."""
    outputs: dict[str, list[str]] = {}
    for style in ("sync", "async", "async_generator"):
        with respx.mock(using="httpx") as router:
            router.post(CHATANYWHERE_ENDPOINT).mock(
                side_effect=streaming(cut.pieces, content_type="text/plain")
            )
            outputs[style] = call(providers.ChatAnywhere, style, "", USER)
    assert "".join(outputs["sync"]) == cut.text
    assert outputs["sync"] == outputs["async_generator"]
    assert outputs["async"] == [cut.text]
    assert all(outputs["sync"])


# ---------------------------------------------------------------- arbitrary bodies

CONTENT_TYPES = ["text/event-stream", "application/json", "text/plain; charset=utf-8", "text/html", ""]
TARGETS: dict[str, tuple[str, dict[str, Any]]] = {
    "Equing": (EQUING_ENDPOINT, {}),
    "Aichat": (AICHAT_ENDPOINT, {"cookies": {"session": "s"}}),
    "ChatAnywhere": (CHATANYWHERE_ENDPOINT, {}),
    "ChatGptEs": (CHATGPTES_ENDPOINT, {}),
}
GOOD_PAGE = (
    '<input type="hidden" name="_wpnonce" value="abc123def0"><input type="hidden" name="post_id" value="1">'
)


@given(
    name=st.sampled_from(sorted(TARGETS)),
    body=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)),
    content_type=st.sampled_from(CONTENT_TYPES),
    status=st.sampled_from([200, 200, 200, 201, 204, 400, 403, 429, 500, 503]),
    stream=st.booleans(),
    data=st.data(),
)
def test_any_body_ends_in_text_or_this_librarys_error(
    name: str, body: bytes, content_type: str, status: int, stream: bool, data: st.DataObject
) -> None:
    """Robustness: whatever bytes come back, the caller sees text or a ProviderError — never a
    KeyError, IndexError, UnicodeDecodeError or JSONDecodeError from inside."""
    endpoint, kwargs = TARGETS[name]
    pieces = data.draw(chunkings(body, max_pieces=5))
    headers = {"content-type": content_type} if content_type else {}
    with respx.mock(using="httpx", assert_all_called=False) as router:
        router.get(CHATGPTES_URL).respond(200, text=GOOD_PAGE)
        router.post(endpoint).mock(
            side_effect=streaming(pieces, status=status, content_type=content_type, headers=headers)
        )
        try:
            chunks = call(providers.get(name), "sync", "", USER, stream=stream, **kwargs)
        except ProviderError:
            return
    assert all(isinstance(chunk, str) for chunk in chunks)


@given(page=st.one_of(st.text(max_size=300), chatgptes_pages().map(lambda page: page.html)))
def test_any_chat_page_ends_in_text_or_this_librarys_error(page: str) -> None:
    """Robustness of the page read: any page is either used or refused with a ProviderError."""
    with respx.mock(using="httpx", assert_all_called=False) as router:
        router.get(CHATGPTES_URL).respond(200, text=page)
        router.post(CHATGPTES_ENDPOINT).respond(200, json={"data": "ok"})
        with contextlib.suppress(ProviderError):
            assert call(providers.ChatGptEs, "async", "", USER) == ["ok"]


# ---------------------------------------------------------------- committed recordings, re-chunked

STREAMED = [
    scenario
    for scenario in SCENARIOS.values()
    if scenario.style != "async"
    and scenario.stream
    and scenario.provider in ("EasyChat", "Equing", "ChatAnywhere")
]


@pytest.mark.parametrize("scenario", STREAMED, ids=[s.id for s in STREAMED])
@settings(max_examples=5)
@given(data=st.data())
def test_recorded_streams_give_the_same_output_however_they_are_cut(
    scenario: Scenario, data: st.DataObject
) -> None:
    """Every committed streamed cassette, replayed with hypothesis-chosen pieces, gives its recorded
    outcome (the same deltas for event streams, the same text for plain text)."""

    path = cassette_path(CASSETTES, scenario.id)
    # Drawn up front: the hook runs on the provider's own loop thread, where hypothesis cannot draw.
    cuts = {
        interaction.response.body: data.draw(chunkings(interaction.response.body, max_pieces=30))
        for interaction in load(path).interactions
    }

    def rechunk(body: bytes, pieces: list[bytes]) -> list[bytes]:
        return cuts[body]

    with Cassette(path, rechunk=rechunk) as active:
        outcome = run(scenario)
    recorded = active.data.metadata["outcome"]
    assert outcome.kind == recorded["kind"]
    if scenario.provider == "ChatAnywhere":
        assert "".join(outcome.chunks) == "".join(recorded["chunks"])
    else:
        assert outcome.chunks == recorded["chunks"]


def test_the_re_chunked_replay_covers_every_streamed_provider() -> None:
    assert {scenario.provider for scenario in STREAMED} == {"EasyChat", "Equing", "ChatAnywhere"}
    assert len(STREAMED) >= 30
