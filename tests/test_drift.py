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
    assert "exchange #1 status: '200' -> '429'" in drift(before, after)
    assert any("response headers: new: retry-after" in line for line in drift(before, after))
    after.interactions.pop(0)
    assert "number of exchanges: 2 -> 1" in drift(before, after)


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
    assert "exchange #0 ended by: 'complete body' -> 'connection lost (ReadError)'" in drift(before, cut)


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
        "exchange #0 ended by: 'connection lost (RemoteProtocolError)' -> 'timeout (ReadTimeout)'"
    ]
