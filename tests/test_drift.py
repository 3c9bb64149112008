"""Structural drift: values that change between recordings are ignored, structure is not."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tools.drift import drift
from wiretape import CassetteData, RecordedFailure, load

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"


def committed(scenario: str) -> CassetteData:
    return load(CASSETTES / f"{scenario}.yaml")


def test_a_cassette_does_not_drift_from_itself_with_other_values() -> None:
    before = committed("equing/sync_whole")
    after = copy.deepcopy(before)
    response = after.interactions[0].response
    document = json.loads(response.body)
    document["id"] = "chatcmpl-other"
    document["choices"][0]["message"]["content"] = "a completely different answer"
    response.body = json.dumps(document).encode()
    response.headers = [
        (k, "Mon, 01 Jan 2001 00:00:00 GMT" if k == "date" else v) for k, v in response.headers
    ]
    assert drift(before, after) == []


def test_a_new_json_key_and_a_changed_type_are_drift() -> None:
    before = committed("equing/sync_whole")
    after = copy.deepcopy(before)
    response = after.interactions[0].response
    document = json.loads(response.body)
    document["choices"][0]["message"]["tool_calls"] = []
    document["created"] = "yesterday"
    response.body = json.dumps(document).encode()
    report = drift(before, after)
    assert any("new:" in line and "choices[].message.tool_calls: array" in line for line in report)
    assert any("created: number" in line and "gone" in line for line in report)
    assert any("created: string" in line for line in report)


def test_status_header_names_and_exchange_count_are_drift() -> None:
    before = committed("easychat/sync_stream")
    after = copy.deepcopy(before)
    after.interactions[1].response.status = 429
    after.interactions[1].response.headers.append(("retry-after", "3"))
    post = "exchange #1 (POST https://chat10.fastgpt.me/api/openai/v1/chat/completions)"
    assert f"{post} status: '200' -> '429'" in drift(before, after)
    assert f"{post} response headers: new: retry-after" in drift(before, after)
    assert f"{post} response retry-after: '<none>' -> '3'" in drift(before, after)
    after.interactions.pop(0)
    assert drift(before, after)[-2:] == [
        "number of exchanges: 2 -> 1",
        "exchange #1 (POST https://chat10.fastgpt.me/api/openai/v1/chat/completions) gone",
    ]


def test_event_shapes_and_stream_endings_are_compared_but_not_their_count() -> None:
    before = committed("equing/sync_stream")
    longer = copy.deepcopy(before)
    body = longer.interactions[0].response.body
    events = body.split(b"\n\n")
    # One more content delta of the same shape: a longer answer, not drift.
    longer.interactions[0].response.body = b"\n\n".join([*events[:2], events[1], *events[2:]])
    assert drift(before, longer) == []

    reshaped = copy.deepcopy(before)
    reshaped.interactions[0].response.body = body.replace(b'"delta": {"content"', b'"delta": {"text"', 1)
    assert any("delta.text: string" in line for line in drift(before, reshaped))

    cut = copy.deepcopy(before)
    cut.interactions[0].response.error = RecordedFailure("ReadError", "peer closed")
    assert (
        "exchange #0 (POST https://next.eqing.tech/api/openai/v1/chat/completions) ended by: "
        "'complete body' -> 'connection lost (ReadError)'"
    ) in drift(before, cut)


def test_a_lost_connection_is_one_ending_whichever_python_saw_it() -> None:
    # Python 3.13's ssl reports a reset as ConnectionResetError (httpx ReadError) where
    # 3.11 reports an EOF (RemoteProtocolError): the upstream did the same thing.
    before = committed("equing/reset")
    assert before.interactions[0].response.error is not None
    after = copy.deepcopy(before)
    after.interactions[0].response.error = RecordedFailure(
        "ReadError", "[Errno 104] Connection reset by peer"
    )
    assert before.interactions[0].response.error.kind == "RemoteProtocolError"
    assert drift(before, after) == []
    after.interactions[0].response.error = RecordedFailure("ReadTimeout", "timed out")
    assert drift(before, after) == [
        "exchange #0 (POST https://next.eqing.tech/api/openai/v1/chat/completions) ended by: "
        "'connection lost (RemoteProtocolError)' -> 'timeout (ReadTimeout)'"
    ]


def test_event_names_are_compared() -> None:
    before = committed("equing/sync_stream")
    after = copy.deepcopy(before)
    ping = b'event: ping\ndata: {"choices": []}\n\n'
    after.interactions[0].response.body = ping + before.interactions[0].response.body
    assert drift(before, after) == [
        "exchange #0 (POST https://next.eqing.tech/api/openai/v1/chat/completions) response body: "
        "new: body.choices: array, event: ping"
    ]


def test_the_values_of_headers_the_providers_read_are_compared() -> None:
    before = committed("easychat/sync_stream")
    after = copy.deepcopy(before)
    home, post = after.interactions
    home.response.headers = [
        (name, "sid=cookiesession1XXXXXXXXXXXXXXXXXXXXXXX; Path=/" if name == "set-cookie" else value)
        for name, value in home.response.headers
    ]
    post.response.headers = [
        (name, "text/event-stream" if name == "content-type" else value)
        for name, value in post.response.headers
    ]
    assert drift(before, after) == [
        "exchange #0 (GET https://chat10.fastgpt.me/) response set-cookie names: 'session' -> 'sid'",
        "exchange #1 (POST https://chat10.fastgpt.me/api/openai/v1/chat/completions) response content-type: "
        "'text/event-stream; charset=utf-8' -> 'text/event-stream'",
    ]


def test_cookie_values_are_not_compared() -> None:
    before = committed("easychat/sync_stream")
    after = copy.deepcopy(before)
    home = after.interactions[0]
    home.response.headers = [
        (name, "session=another; Path=/" if name == "set-cookie" else value)
        for name, value in home.response.headers
    ]
    assert drift(before, after) == []


def test_the_page_forms_a_nonce_and_post_id_come_from_are_compared_not_their_values() -> None:
    before = committed("chatgptes/async")
    page = before.interactions[0].response.body
    assert b'<input type="hidden" name="_wpnonce"' in page

    other_values = copy.deepcopy(before)
    other_values.interactions[0].response.body = page.replace(b'value="106"', b'value="107"')
    assert drift(before, other_values) == []

    moved = copy.deepcopy(before)
    moved.interactions[0].response.body = page.replace(
        b'<input type="hidden" name="_wpnonce" value="wpnonce1XX">',
        b'<script>var wpaicg_nonce = "wpnonce1XX";</script>',
    )
    assert drift(before, moved) == [
        "exchange #0 (GET https://chatgpt.es) page tokens: gone: hidden input _wpnonce; new: var wpaicg_nonce"
    ]


def test_an_extra_exchange_is_named() -> None:
    before = committed("equing/sync_stream")
    after = copy.deepcopy(before)
    after.interactions.append(copy.deepcopy(before.interactions[0]))
    assert drift(before, after) == [
        "number of exchanges: 1 -> 2",
        "exchange #1 (POST https://next.eqing.tech/api/openai/v1/chat/completions) new",
    ]
