"""Secrets wherever they hide: URLs, any secret-looking header, escaped and non-string values,
multipart fields, response bodies, compressed bodies — never on disk, in a miss message, or as a
lint finding when they are placeholders."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from providers.http import ClientSpec, sync_client
from tools.emulators.server import Exchange, LoopbackServer
from wiretape import (
    Cassette,
    CassetteData,
    CassetteMissError,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    SecretRules,
    load,
)
from wiretape.cli import main as wiretape_cli
from wiretape.file import dumps
from wiretape.lint import lint_file
from wiretape.matching import RequestView
from wiretape.sanitize import sanitize

pytest_plugins = ["pytester"]

HOST = "api.test"
COOKIE = "c0ok1e-v4lue-3c8f1a"


def app(exchange: Exchange) -> None:
    if exchange.path == "/gzip":
        body = gzip.compress(f"you sent cookie {exchange.header('cookie')}; bye".encode())
        exchange.stream(200, [body[:10], body[10:30], body[30:]], {"content-encoding": "gzip"})
    elif exchange.path == "/headers":
        exchange.respond(
            200,
            b"{}",
            {
                "content-type": "application/json",
                "x-auth-token": "resp-T0KEN-value-991",
                "location": "https://api.test/next?access_token=L0cati0n-T0ken-77&page=2",
                "content-disposition": 'attachment; filename="Grüße.txt"',
            },
        )
    else:
        exchange.respond(200, json.dumps({"access_token": "AcCeSs-T0KEN-1234", "expires_in": 3600}))


@pytest.fixture(scope="module")
def upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer({HOST: app}) as server:
        yield server


def interaction(
    uri: str = "https://api.test/v1",
    *,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    response_headers: list[tuple[str, str]] | None = None,
    response_body: bytes = b"",
) -> Interaction:
    return Interaction(
        request=RecordedRequest("POST", uri, headers or [], body),
        response=RecordedResponse(200, "OK", response_headers or [], response_body),
    )


def written(*interactions: Interaction) -> str:
    return dumps(sanitize(CassetteData(list(interactions)), SecretRules()))


def test_secret_query_parameters_and_url_passwords_never_reach_disk() -> None:
    text = written(
        interaction("https://user:hunter2-pass@api.test/v1?key=AIzaKEY-0123&api_key=ak-9876&q=weather"),
        interaction("https://api.test/v1?access_token=at-5555-x&client_secret=cs-7777-y&page=3"),
    )
    for secret in ("hunter2-pass", "AIzaKEY-0123", "ak-9876", "at-5555-x", "cs-7777-y"):
        assert secret not in text
    assert "q=weather" in text and "page=3" in text and "user:" in text


@pytest.mark.parametrize(
    "name", ["X-Auth-Token", "x-goog-api-key", "PRIVATE-TOKEN", "x-amz-security-token", "X-Session-Id"]
)
def test_headers_are_secrets_by_name_pattern(name: str) -> None:
    text = written(interaction(headers=[(name, "s3cr3t-header-value-42")]))
    assert "s3cr3t-header-value-42" not in text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("authority", "next.eqing.tech"),
        ("x-ratelimit-remaining", "4999"),
        ("content-type", "application/json"),
        ("accept-language", "en-US,en;q=0.9"),
    ],
)
def test_false_friends_stay_verbatim(name: str, value: str) -> None:
    assert f"{value}" in written(interaction(headers=[(name, value)]))


def test_json_secrets_that_are_numbers_bearer_strings_or_escaped() -> None:
    body = json.dumps(
        {
            "api_key": 918273645,
            "authorization": "Bearer bearer-cred-777",
            "password": 'quote"and\\back-slash',
            "user": {"session_token": "nested-sess-888"},
            "enabled": True,
        }
    ).encode()
    text = written(interaction(headers=[("content-type", "application/json")], body=body))
    for secret in ("918273645", "bearer-cred-777", "quote", "back-slash", "nested-sess-888"):
        assert secret not in text
    stored = json.loads(load_text(text).interactions[0].request.body)
    # Still valid JSON of the same types: a number stays a number.
    assert isinstance(stored["api_key"], int) and stored["enabled"] is True


def test_multipart_form_fields_with_secret_names() -> None:
    boundary = "x7b1c2d3e4f5"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="client_secret"\r\n\r\nmp-SECRET-4242\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--{boundary}--\r\n'
    ).encode()
    text = written(
        interaction(headers=[("content-type", f"multipart/form-data; boundary={boundary}")], body=body)
    )
    assert "mp-SECRET-4242" not in text and "hello" in text


def test_secret_fields_of_json_responses_and_location_queries(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path, mode="all"), sync_client(ClientSpec(provider="t")) as client:
        client.get(f"https://{HOST}/token")
        client.get(f"https://{HOST}/headers")
    text = path.read_text()
    for secret in ("AcCeSs-T0KEN-1234", "L0cati0n-T0ken-77", "resp-T0KEN-value-991"):
        assert secret not in text
    assert "3600" in text and "page=2" in text


def test_a_secret_echoed_in_a_gzip_body_is_sanitised_and_the_body_stored_decoded(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    spec = ClientSpec(provider="t", cookies={"sid": COOKIE})
    with upstream.overrides(), Cassette(path, mode="all"), sync_client(spec) as client:
        live = client.get(f"https://{HOST}/gzip").text
    assert COOKIE in live
    assert COOKIE.encode() not in path.read_bytes()
    recorded = load(path).interactions[0].response
    assert recorded.decoded_from == "gzip"
    assert not any(name == "content-encoding" for name, _ in recorded.headers)
    assert recorded.body.startswith(b"you sent cookie sid=") and sum(c.size for c in recorded.chunks) == len(
        recorded.body
    )
    with Cassette(path), sync_client(spec) as client:
        replayed = client.get(f"https://{HOST}/gzip").text
    assert replayed == live.replace(COOKIE, replayed.split("sid=")[1].split(";")[0])


def test_a_non_ascii_response_header_recorded_by_wiretape_replays(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    with upstream.overrides(), Cassette(path, mode="all"), sync_client(ClientSpec(provider="t")) as client:
        live = client.get(f"https://{HOST}/headers").headers["content-disposition"]
    with Cassette(path), sync_client(ClientSpec(provider="t")) as client:
        replayed = client.get(f"https://{HOST}/headers").headers["content-disposition"]
    assert replayed == live


def test_a_miss_message_masks_query_secrets_url_passwords_and_secret_headers(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(written(interaction("https://api.test/v1?key=REC0RDED-KEY-1&q=a")))
    url = "https://bob:L1VE-pass-99@api.test/v1?key=L1VE-KEY-2&q=b"
    with (
        Cassette(path),
        httpx.Client() as client,
        pytest.raises(CassetteMissError) as miss,
    ):
        client.post(url, headers={"x-auth-token": "L1VE-HEADER-3"})
    message = str(miss.value)
    for secret in ("REC0RDED-KEY-1", "L1VE-pass-99", "L1VE-KEY-2", "L1VE-HEADER-3"):
        assert secret not in message
    assert "query.q: recorded 'a' != sent 'b'" in message


def test_lint_never_reports_a_placeholder_and_names_the_key_path(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        written(
            interaction(
                headers=[("content-type", "application/x-www-form-urlencoded")],
                body=b"user=ann&password=correct-horse-battery-staple",
            )
        )
    )
    assert "correct-horse" not in path.read_text()
    assert [f for f in lint_file(path, rules=SecretRules()) if f.severity == "error"] == []
    result = CliRunner().invoke(wiretape_cli, ["lint", str(path)])
    assert result.exit_code == 0, result.output
    # detect-secrets' keyword scanner flags a placeholder under a secret-sounding key; lint does not.
    flagged = tmp_path / "flagged.yaml"
    flagged.write_text(path.read_text() + "password: password6XXXXX\n")
    result = CliRunner().invoke(wiretape_cli, ["lint", str(flagged)])
    assert "detect-secrets" not in result.output, result.output
    raw = tmp_path / "raw.yaml"
    raw.write_text(dumps(CassetteData([interaction(headers=[("x-api-key", "raw-api-key-5150")])])))
    (finding,) = [f for f in lint_file(raw, rules=SecretRules()) if f.severity == "error"]
    assert finding.key == "interactions[0].request.headers.x-api-key" and finding.line is not None


def load_text(text: str) -> CassetteData:
    from wiretape import loads

    return loads(text, cache=False)


def test_metadata_a_caller_stores_is_sanitised_too() -> None:
    data = CassetteData(
        [interaction(headers=[("cookie", f"sid={COOKIE}")])],
        metadata={"outcome": {"message": f"upstream said: bad cookie {COOKIE}", "chunks": [COOKIE]}},
    )
    text = dumps(sanitize(data, SecretRules()))
    assert COOKIE not in text and "upstream said: bad cookie" in text


def test_the_wiretape_logger_has_one_debug_line_per_request_and_no_secret(
    upstream: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.yaml"
    url = f"https://{HOST}/token?api_key=Qu3ry-S3cret-99&page=1"
    spec = ClientSpec(provider="t", cookies={"sid": COOKIE})
    with caplog.at_level("DEBUG", logger="wiretape"):
        with upstream.overrides(), Cassette(path, mode="all"), sync_client(spec) as client:
            client.get(url)
        with Cassette(path), sync_client(spec) as client:
            client.get(url)
    lines = [record.getMessage() for record in caplog.records if record.name == "wiretape"]
    assert any(
        line.startswith(f"recording GET https://{HOST}/token?api_key=<secret>&page=1 -> 200")
        for line in lines
    )
    assert any(
        line.startswith(f"replayed GET https://{HOST}/token?api_key=<secret>&page=1 -> 200") for line in lines
    )
    assert any(line.startswith(f"wrote {path}: 1 interaction(s)") for line in lines)
    for secret in (COOKIE, "Qu3ry-S3cret-99", "AcCeSs-T0KEN-1234"):
        assert all(secret not in line for line in lines)
    assert not [record for record in caplog.records if record.name == "wiretape" and record.levelno > 10]


def test_a_miss_in_pytest_output_shows_no_secret_of_the_request(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest prints the arguments of a traceback's last frame: a request's repr must be safe."""
    # The secrets come from the environment, as in a real suite: the test's source shows none.
    monkeypatch.setenv("LEAK_QUERY", "Qu3ryLeak123")
    monkeypatch.setenv("LEAK_HEADER", "HeaderLeak456")
    monkeypatch.setenv("LEAK_BODY", "BodyLeak789")
    pytester.makepyfile(
        test_leak="""
        import os, httpx, pytest

        @pytest.mark.cassette("c.yaml")
        def test_miss():
            httpx.post(
                "https://api.test/other?api_key=" + os.environ["LEAK_QUERY"],
                headers={"Authorization": "Bearer " + os.environ["LEAK_HEADER"]},
                json={"password": os.environ["LEAK_BODY"]},
            )
        """
    )
    (pytester.path / "cassettes").mkdir()
    (pytester.path / "cassettes" / "c.yaml").write_text("version: 1\ninteractions: []\n")
    result = pytester.runpytest_inprocess("-p", "no:asyncio")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "CassetteMissError" in output and "RequestView(POST https://api.test/other?api_key=…" in output
    for secret in ("Qu3ryLeak123", "HeaderLeak456", "BodyLeak789"):
        assert secret not in output


@pytest.mark.parametrize("globs", [["x-api-*"], {"x-api-*"}])
def test_secret_header_globs_may_come_as_any_collection(globs: list[str] | set[str]) -> None:
    rules = SecretRules(secret_headers=globs)  # type: ignore[arg-type]
    assert rules.is_secret_header("X-Api-Key") and not rules.is_secret_header("Accept")


def test_a_request_views_repr_shows_no_query_value_whatever_the_rules() -> None:
    """pytest prints a failing frame's arguments; the repr cannot know a cassette's own rules (a
    `post_id` made secret by `extra_fields`), so it shows query names only."""
    view = RequestView("GET", "https://u:pw@a.test/y?post_id=PRIVATE12345&page=2", [("x-k", "v")], b"body")
    shown = repr(view)
    assert "PRIVATE12345" not in shown and "pw" not in shown and "page=2" not in shown
    assert shown.startswith("RequestView(GET https://") and "a.test/y?post_id=…&page=…" in shown
