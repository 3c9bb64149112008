"""Every layout vcrpy reads opens in wiretape and replays the same response as vcrpy gives.

The fixtures are written here, one per variant (none is copied from another project).
"""

from __future__ import annotations

import base64
import gzip
import textwrap
from pathlib import Path

import httpx
import pytest
import vcr

from wiretape import CassetteFormatError, cassette, load

URL = "https://api.example.test/v1/things?page=2"
#: vcrpy's own default: method and URL parts (no headers, no body).
VCRPY_MATCH_ON = ("method", "scheme", "host", "port", "path", "query")

GZIPPED = base64.b64encode(gzip.compress(b'{"things": ["a", "b"]}')).decode()

VARIANTS = {
    "bytes header values": f"""
        interactions:
        - request:
            body: null
            headers:
              User-Agent: [!!binary "cHl0aG9uLXJlcXVlc3Rz"]
            method: GET
            uri: {URL}
          response:
            status: {{code: 200, message: OK}}
            headers:
              Content-Type: [!!binary "dGV4dC9wbGFpbg=="]
              X-Request-Id: [!!binary "YWJjMTIz"]
            body: {{string: !!binary "Ynl0ZXMgYm9keQ=="}}
        version: 1
        """,
    "a hand redaction read as a list": f"""
        interactions:
        - request:
            body: ''
            headers:
              x-api-key:
              - [REDACTED]
            method: GET
            uri: {URL}
          response:
            status: {{code: 200, message: OK}}
            headers:
              content-type: [application/json]
            body: {{string: '{{"redacted": true}}'}}
        version: 1
        """,
    "the httpx layout vcrpy wrote before 6.0": f"""
        interactions:
        - request:
            body: ''
            headers:
              host: [api.example.test]
            method: GET
            uri: {URL}
          response:
            content: !!binary "{GZIPPED}"
            headers:
              content-encoding: [gzip]
              content-type: [application/json]
            http_version: HTTP/1.1
            status_code: 200
        version: 1
        """,
    "an empty reason phrase": f"""
        interactions:
        - request: {{body: null, headers: {{}}, method: GET, uri: '{URL}'}}
          response:
            status: {{code: 201, message: ''}}
            headers: {{}}
            body: {{string: created}}
        version: 1
        """,
    "a null request body": f"""
        interactions:
        - request: {{body: null, headers: {{}}, method: GET, uri: '{URL}'}}
          response:
            status: {{code: 200, message: OK}}
            headers: {{}}
            body: {{string: ''}}
        version: 1
        """,
}
NULL_RESPONSE_BODY = f"""
    interactions:
    - request: {{body: null, headers: {{}}, method: GET, uri: '{URL}'}}
      response:
        status: {{code: 204, message: No Content}}
        headers: {{}}
        body: {{string: null}}
    version: 1
    """


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def response_facts(response: httpx.Response) -> tuple[int, str, bytes, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-encoding")}
    return response.status_code, response.reason_phrase, response.content, headers


@pytest.mark.parametrize("variant", VARIANTS, ids=list(VARIANTS))
def test_wiretape_opens_and_replays_what_vcrpy_replays(tmp_path: Path, variant: str) -> None:
    path = write(tmp_path, VARIANTS[variant])
    with vcr.use_cassette(str(path), record_mode="none"), httpx.Client() as client:
        expected = response_facts(client.get(URL))
    with cassette(path, match_on=VCRPY_MATCH_ON), httpx.Client() as client:
        replayed = response_facts(client.get(URL))
    assert replayed == expected


def test_a_null_response_body_replays_as_empty(tmp_path: Path) -> None:
    # vcrpy opens it too, but its httpx stub then fails (len(None)) when the body is read.
    path = write(tmp_path, NULL_RESPONSE_BODY)
    with cassette(path, match_on=VCRPY_MATCH_ON), httpx.Client() as client:
        response = client.get(URL)
    assert (response.status_code, response.content) == (204, b"")


def test_the_standard_reason_phrase_fills_an_empty_one(tmp_path: Path) -> None:
    path = write(tmp_path, VARIANTS["an empty reason phrase"])
    with cassette(path, match_on=VCRPY_MATCH_ON), httpx.Client() as client:
        assert client.get(URL).reason_phrase == "Created"


def test_the_pre_6_httpx_layout_is_decoded_like_vcrpy_and_written_in_todays_layout(tmp_path: Path) -> None:
    path = write(tmp_path, VARIANTS["the httpx layout vcrpy wrote before 6.0"])
    data = load(path, cache=False)
    response = data.interactions[0].response
    assert response.status == 200 and response.body == b'{"things": ["a", "b"]}'
    assert response.decoded_from == "gzip"
    from wiretape import dumps

    rewritten = dumps(data)
    assert "status_code" not in rewritten and "status:\n      code: 200" in rewritten


def test_what_is_still_refused_names_the_file_interaction_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""
        interactions:
        - request: {{body: null, headers: {{}}, method: GET, uri: '{URL}'}}
          response: {{status: {{code: 200}}, headers: {{}}, body: {{string: ok}}}}
        - request: {{body: null, headers: {{x-thing: [{{nested: mapping}}]}}, method: GET, uri: '{URL}'}}
          response: {{status: {{code: 200}}, headers: {{}}, body: {{string: ok}}}}
        version: 1
        """,
    )
    with pytest.raises(CassetteFormatError, match=r"c\.yaml: interactions\[1\]\.request\.headers\.x-thing"):
        load(path, cache=False)
