"""The benchmark's cassettes, written as wiretape records them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from wiretape.file import (
    CassetteData,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    dumps,
    write_atomically,
)

URL = "https://bench.test/api/chat"


def question(index: int) -> dict[str, object]:
    return {"n": index, "prompt": f"question {index}"}


def post_cassette(path: Path, size: int) -> None:
    """N distinct body-matched POSTs, each request exactly as httpx sends it."""
    with httpx.Client() as client:
        requests = [client.build_request("POST", URL, json=question(index)) for index in range(size)]
    interactions = [
        Interaction(
            request=RecordedRequest("POST", URL, request.headers.multi_items(), request.content),
            response=RecordedResponse(
                status=200,
                reason="OK",
                headers=[("content-type", "application/json")],
                body=json.dumps({"answer": f"reply {index}"}).encode(),
            ),
        )
        for index, request in enumerate(requests)
    ]
    write_atomically(path, dumps(CassetteData(interactions=interactions)))


def sse_events(count: int) -> list[bytes]:
    events = [b'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n']
    events += [
        b"data: " + json.dumps({"choices": [{"delta": {"content": f"word{index} "}}]}).encode() + b"\n\n"
        for index in range(count - 2)
    ]
    return [*events, b"data: [DONE]\n\n"]


def big_json(megabytes: int) -> bytes:
    """A JSON request body of about ``megabytes`` MB: a base64 image, as a vision request holds."""
    image = ("iVBORw0KGgo" * (megabytes * 100_000))[: megabytes * 1_000_000]
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": image}]}).encode()


def big_body_cassette(path: Path, body: bytes, pieces: list[bytes]) -> None:
    """One POST of ``body`` (exactly as httpx sends it) answered by ``pieces``, stored as wiretape would."""
    from wiretape.file import Chunk

    with httpx.Client() as client:
        request = client.build_request(
            "POST", URL, content=body, headers={"content-type": "application/json"}
        )
    response = RecordedResponse(
        status=200,
        reason="OK",
        headers=[("content-type", "application/octet-stream")],
        body=b"".join(pieces),
        chunks=[Chunk(len(piece), 0.0) for piece in pieces],
    )
    interaction = Interaction(
        RecordedRequest("POST", URL, request.headers.multi_items(), request.content), response
    )
    write_atomically(path, dumps(CassetteData(interactions=[interaction])))
