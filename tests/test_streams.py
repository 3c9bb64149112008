from __future__ import annotations

import pytest

from providers import ResponseFormatError
from providers.openai_compat import CompletionStreamParser
from providers.streams import Event, EventStreamDecoder, Utf8StreamDecoder


def decode_in_pieces(text: str, size: int) -> list[Event]:
    decoder = EventStreamDecoder()
    events = []
    for start in range(0, len(text), size):
        events += decoder.feed(text[start : start + size])
    decoder.close()
    return events


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_events_for_any_line_end_and_chunking(newline: str, size: int) -> None:
    text = newline.join(
        [
            ": comment",
            "data: one",
            "",
            "data:two",
            "data:  three",
            "",
            "event: x",
            "id: 7",
            "data: four",
            "",
            "",
        ]
    )
    events = decode_in_pieces(text, size)
    assert events == [Event("one"), Event("two\n three"), Event("four", event="x", id="7")]


def test_keepalive_blank_lines_and_fields_without_data_dispatch_nothing() -> None:
    assert decode_in_pieces("\n\n\nid: 1\n\n: ping\n\n", 4) == []


def test_stream_cut_inside_an_event_is_an_error() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed('data: complete\n\ndata: {"cho') == [Event("complete")]
    with pytest.raises(ResponseFormatError, match="middle of an event"):
        decoder.close()


def test_stream_cut_after_a_data_line_without_blank_line_is_an_error() -> None:
    decoder = EventStreamDecoder()
    decoder.feed("data: x\n")
    with pytest.raises(ResponseFormatError):
        decoder.close()


def test_utf8_split_inside_a_character_is_joined() -> None:
    data = "é😀".encode()
    decoder = Utf8StreamDecoder()
    assert "".join(decoder.feed(data[i : i + 1]) for i in range(len(data))) == "é😀"
    decoder.close()


def test_utf8_cut_at_the_end_is_an_error() -> None:
    decoder = Utf8StreamDecoder()
    decoder.feed("😀".encode()[:2])
    with pytest.raises(ResponseFormatError, match="middle of a UTF-8 character"):
        decoder.close()


def test_invalid_utf8_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError, match="not valid UTF-8"):
        Utf8StreamDecoder().feed(b"\xff\xfe")


def test_completion_parser_stops_at_done_and_skips_empty_deltas() -> None:
    body = (
        b'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n'
        b'data: {"choices":[]}\n\n'
        b'data: {"choices":[{"delta":{"content":null}}]}\n\n'
        b'data: {"choices":[{"delta":{"content":""}}]}\n\n'
        b'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n'
        b"data: [DONE]\n\n"
        b'data: {"choices":[{"delta":{"content":"after done"}}]}\n\n'
    )
    parser = CompletionStreamParser()
    assert list(parser.feed(body)) == ["Hi"]
    assert parser.done


def test_completion_parser_malformed_event_json_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError, match="malformed event JSON"):
        list(CompletionStreamParser().feed(b"data: {not json\n\n"))


def test_completion_parser_event_without_choices_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError, match="without a choices list"):
        list(CompletionStreamParser().feed(b'data: {"error": "overloaded"}\n\n'))


def test_a_line_or_an_event_may_reach_the_limit_but_not_pass_it() -> None:
    # An event's data counts each data line plus its newline: "12345" and "1234" make 11.
    decoder = EventStreamDecoder(max_line=11)
    assert decoder.feed("data: 12345\ndata: 1234\n\n") == [Event(data="12345\n1234")]
    assert decoder.feed("data: 12345\ndata: 1234\n\n") == [Event(data="12345\n1234")]
    with pytest.raises(ResponseFormatError, match="11-character line limit"):
        decoder.feed("data: 12345\ndata: 12345\n\n")
    # A line alone (here one never ended) is held to the limit too.
    assert EventStreamDecoder(max_line=11).feed("data: 12345") == []
    with pytest.raises(ResponseFormatError, match="11-character line limit"):
        EventStreamDecoder(max_line=11).feed("data: 123456")


def test_an_id_with_a_nul_is_ignored() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed("id: a\0b\ndata: x\n\n") == [Event(data="x", id="")]
    assert decoder.feed("id: ok\ndata: y\n\n") == [Event(data="y", id="ok")]
