"""``wiretape``, the library's own command: lint and show any cassette file or directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

import wiretape
from tests.html_checks import external_urls, parse, text_of, with_class
from wiretape import (
    CassetteData,
    CassetteMissError,
    Chunk,
    Interaction,
    RecordedFailure,
    RecordedRequest,
    RecordedResponse,
    SecretRules,
    cassette,
)
from wiretape.cli import main
from wiretape.file import dumps
from wiretape.sanitize import sanitize

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def user_cassette(
    path: Path, *, cookie: str = "c00kie-value", chunks: int = 3, error: bool = False, sanitized: bool = True
) -> Path:
    """A cassette as a user's project would hold it, outside any catalogue."""
    pieces = [b"piece %03d" % n for n in range(chunks)]
    data = CassetteData(
        interactions=[
            Interaction(
                request=RecordedRequest(
                    "GET", "https://api.example.test/v1/things", [("cookie", f"sid={cookie}")], b""
                ),
                response=RecordedResponse(
                    200,
                    "OK",
                    [("content-type", "text/plain")],
                    b"".join(pieces),
                    chunks=[Chunk(len(piece), 0.01 * (n + 1)) for n, piece in enumerate(pieces)],
                    header_delay=0.05,
                    error=RecordedFailure("ReadError", "connection reset") if error else None,
                ),
            )
        ],
        metadata={"recorded_at": "2026-11-23T00:00:00+00:00", "tool": "wiretape 0.2.0"},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(sanitize(data, SecretRules()) if sanitized else data))
    return path


def test_version_is_the_package_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.strip() == f"wiretape {wiretape.__version__}"


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("wiretape")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"wiretape {wiretape.__version__}"


def test_lint_is_clean_on_a_users_cassettes_without_any_catalogue(tmp_path: Path) -> None:
    user_cassette(tmp_path / "http" / "a.yaml")
    user_cassette(tmp_path / "http" / "deeper" / "b.yml")
    result = invoke("lint", tmp_path / "http")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("0 error(s), 0 warning(s)")
    assert "orphan" not in result.output


def test_lint_names_file_line_and_key_path_of_a_secret_never_its_value(tmp_path: Path) -> None:
    secret = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    path = user_cassette(tmp_path / "a.yaml", cookie=secret, sanitized=False)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if secret in text)
    result = invoke("lint", "--no-detect-secrets", path)
    assert result.exit_code == 1
    assert (
        f"{path}:{line}: error: unsanitised secret 9f… (32 characters) "
        "at interactions[0].request.headers.cookie"
    ) in result.output
    assert secret not in result.output


def test_lint_reports_format_errors_and_oversize_bodies(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("interactions: [unclosed\n")
    user_cassette(tmp_path / "big.yaml", chunks=40)
    result = invoke("lint", "--max-body", "100", tmp_path)
    assert result.exit_code == 1
    # The file named once; where libyaml noticed, and where the unclosed bracket opened.
    assert (
        f"{tmp_path / 'broken.yaml'}: error: format error: not valid YAML at line 2, column 1: "
        "did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 15)"
    ) in result.output
    assert "response body of 360 bytes (limit 100) at interactions[0].response.body" in result.output


def test_lint_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("lint", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nowhere'}: no such file or directory" in result.output


def test_lint_passes_on_this_repositorys_cassettes() -> None:
    # detect-secrets takes seconds over all of them: CI's own step `python -m tools lint` runs it over the
    # committed cassettes (a static check, like ruff), and test_lint_works_on_a_copy_outside_the_repository
    # runs it here on a copy.
    result = invoke("lint", "--no-detect-secrets", CASSETTES)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "0 error(s), 0 warning(s)"


def test_show_lists_interactions_and_the_chunk_timeline(tmp_path: Path) -> None:
    path = user_cassette(tmp_path / "a.yaml", chunks=3, error=True)
    result = invoke("show", path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{path}: 1 interaction(s); recorded_at 2026-11-23T00:00:00+00:00, tool wiretape 0.2.0"
    assert "GET https://api.example.test/v1/things     0  200 OK" in result.output
    # Arrival times add the header delay (50 ms) and each pause: 60, 80, 110 ms.
    timeline = [line.split() for line in lines if line.strip()[:1].isdigit() and len(line.split()) == 4]
    assert [row[1] for row in timeline] == ["60.0", "80.0", "110.0"]
    assert [row[2] for row in timeline] == ["9", "9", "9"]
    assert lines[-1].strip() == "then ReadError: connection reset"


def test_show_gives_the_size_sent_beside_the_size_received(tmp_path: Path) -> None:
    """A big request (an image in JSON) is what makes a cassette heavy as often as a big answer."""
    path = tmp_path / "post.yaml"
    request = RecordedRequest("POST", "https://api.example.test/v1/images", [], b"i" * 123_456)
    response = RecordedResponse(200, "OK", [("content-type", "text/plain")], b"ok")
    path.write_text(dumps(CassetteData(interactions=[Interaction(request, response)])))
    result = invoke("show", path)
    assert result.exit_code == 0, result.output
    header, row = result.output.splitlines()[1:3]
    assert header.split()[:5] == ["#", "request", "sent", "status", "received"]
    assert row.split()[:7] == ["0", "POST", "https://api.example.test/v1/images", "123456", "200", "OK", "2"]
    page = tmp_path / "post.html"
    assert invoke("show", path, "--html", page).exit_code == 0
    assert "<th>sent</th><th>status</th><th>received</th>" in page.read_text()
    assert "<td>123456</td>" in page.read_text()


def test_show_a_committed_stream_cassette() -> None:
    result = invoke("show", CASSETTES / "equing" / "sync_stream.yaml")
    assert result.exit_code == 0
    assert "#0 stream: headers after" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("version: 1\ninteractions: 7\n", "'interactions' must be a list")],
)
def test_show_a_missing_or_broken_file_is_one_line(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "x.yaml"
    if content is not None:
        path.write_text(content)
    result = invoke("show", path)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_lint_works_on_a_copy_outside_the_repository(tmp_path: Path) -> None:
    shutil.copytree(CASSETTES / "aichat", tmp_path / "aichat")
    result = invoke("lint", tmp_path)
    assert result.exit_code == 0, result.output
    # No "(detect-secrets not installed)": its scanners ran too.
    assert result.output.strip().splitlines()[-1] == "0 error(s), 0 warning(s)"


def test_show_html_writes_a_self_contained_page_with_one_bar_per_chunk(tmp_path: Path) -> None:
    path = user_cassette(tmp_path / "a.yaml", chunks=4, error=True)
    page = tmp_path / "out" / "a.html"
    result = invoke("show", path, "--html", page)
    assert result.exit_code == 0, result.output
    root = parse(page)
    assert external_urls(root) == []
    assert len(with_class(root, "rect", "chunk")) == 4
    assert len(with_class(root, "line", "headers")) == 1
    (error,) = with_class(root, "line", "error")
    assert text_of(error) == "ReadError: connection reset"
    assert "GET https://api.example.test/v1/things" in text_of(root)


def test_show_html_gives_a_binary_body_as_a_hex_dump(tmp_path: Path) -> None:
    body = bytes(range(256)) * 3
    response = RecordedResponse(200, "OK", [("content-type", "application/octet-stream")], body)
    path = tmp_path / "bin.yaml"
    request = RecordedRequest("GET", "https://api.example.test/blob", [], b"")
    path.write_text(dumps(CassetteData([Interaction(request, response)])))
    page = tmp_path / "bin.html"
    assert invoke("show", path, "--html", page).exit_code == 0
    shown = text_of(parse(page))
    assert "binary, 768 bytes" in shown and "(256 more bytes)" in shown
    assert "00000000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  ................" in shown
    assert "00000040  40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f  @ABCDEFGHIJKLMNO" in shown
    assert "\ufffd" not in shown


def test_show_html_draws_no_bar_for_a_response_that_never_came(tmp_path: Path) -> None:
    data = CassetteData(
        interactions=[
            Interaction(
                RecordedRequest("POST", "https://api.example.test/", [], b"{}"),
                RecordedResponse(0, "", [], b"", error=RecordedFailure("ConnectError", "refused")),
            )
        ]
    )
    path = tmp_path / "refused.yaml"
    path.write_text(dumps(data))
    assert invoke("show", path, "--html", tmp_path / "refused.html").exit_code == 0
    root = parse(tmp_path / "refused.html")
    assert with_class(root, "rect", "chunk") == [] and with_class(root, "line", "headers") == []
    assert len(with_class(root, "line", "error")) == 1


def test_show_html_shows_recorded_markup_as_text(tmp_path: Path) -> None:
    body = b"<script>alert('x')</script><img src=https://evil.test/x.png>\x00"
    data = CassetteData(
        interactions=[
            Interaction(
                RecordedRequest(
                    "GET", "https://api.example.test/<b>", [("x-note", '"><script>1</script>')], b""
                ),
                RecordedResponse(
                    200, "OK", [("content-type", "text/html")], body, chunks=[Chunk(len(body), 0.0)]
                ),
            )
        ],
        metadata={"note": "<script>2</script>"},
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(dumps(data))
    assert invoke("show", path, "--html", tmp_path / "hostile.html").exit_code == 0
    root = parse(tmp_path / "hostile.html")
    assert list(root.iter("script")) == [] and list(root.iter("img")) == [] and list(root.iter("b")) == []
    assert external_urls(root) == []
    shown = text_of(root)
    assert "<script>alert('x')</script><img src=https://evil.test/x.png>\\x00" in shown
    assert '"><script>1</script>' in shown and "<script>2</script>" in shown


def test_show_html_into_a_directory_is_one_line(tmp_path: Path) -> None:
    path = user_cassette(tmp_path / "a.yaml")
    result = invoke("show", path, "--html", tmp_path)
    assert result.exit_code == 2
    assert "is a directory" in result.output and "Traceback" not in result.output


def test_show_html_of_every_committed_cassette_is_well_formed(tmp_path: Path) -> None:
    for path in sorted(CASSETTES.rglob("*.yaml")):
        page = tmp_path / f"{path.parent.name}-{path.stem}.html"
        assert invoke("show", path, "--html", page).exit_code == 0
        root = parse(page)
        chunks = sum(len(interaction.response.chunks) for interaction in wiretape.load(path).interactions)
        assert len(with_class(root, "rect", "chunk")) == chunks, path
        assert external_urls(root) == [], path


HOSTILE_URI = "https://a.test/?city=Pa\x1b[2J\x1b]0;pwned\x07ris\x9b1m"


def test_control_characters_of_a_cassette_never_reach_the_terminal(tmp_path: Path) -> None:
    """A cassette's text may hold any character (YAML's "\\e" is valid): ESC sequences would clear the
    screen or retitle the terminal, C1's CSI likewise; `show` and a miss give them as \\xNN."""
    path = tmp_path / "hostile.yaml"
    request = RecordedRequest("GET", HOSTILE_URI, [], b"")
    response = RecordedResponse(200, "O\x1bK", [], b"ok", error=RecordedFailure("ReadError", "re\x07set"))
    path.write_text(dumps(CassetteData(interactions=[Interaction(request, response)])))
    shown = invoke("show", path).output
    with pytest.raises(CassetteMissError) as raised, cassette(path), httpx.Client() as client:
        client.get("https://a.test/?city=Paris")
    for output in (shown, str(raised.value)):
        assert not any(character in output for character in "\x1b\x07\x9b"), output
        assert "Pa\\x1b[2J\\x1b]0;pwned\\x07ris\\x9b1m" in output


def test_lint_and_show_errors_never_send_a_cassettes_control_characters(tmp_path: Path) -> None:
    """A header name (in a finding's key path or a format error) and a secret's shown prefix come
    from the cassette: escaped, like everything else printed."""
    secret = tmp_path / "secret.yaml"
    secret.write_text(
        'version: 1\ninteractions:\n- request: {method: GET, uri: "https://a.test/", headers: '
        '{"x-\\e]0;pwned\\a": ["v"], x-api-key: ["\\e[2Jabcdefghijklmnop"]}}\n'
        "  response: {status: {code: 200, message: OK}, headers: {}, body: {string: ''}}\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        'version: 1\ninteractions:\n- request: {method: GET, uri: "https://a.test/", headers: '
        '{"x-\\e]0;pwned\\a": [{nested: 1}]}}\n'
        "  response: {status: {code: 200, message: OK}, headers: {}, body: {string: ''}}\n"
    )
    outputs = [invoke("lint", "--no-detect-secrets", secret).output, invoke("lint", broken).output]
    outputs.append(invoke("show", broken).output)
    for output in outputs:
        assert "\\x1b" in output and not any(character in output for character in "\x1b\x07"), output


def test_a_miss_escapes_field_names_as_well_as_values() -> None:
    """A query name arrives percent-decoded and a JSON key may hold any character."""
    from wiretape.matching import differences

    lines = differences({"query.\x1b]0;pwned\x07": "1"}, {"body.\x1b[2J": "2"})
    assert lines and not any(character in line for line in lines for character in "\x1b\x07"), lines
    assert any(line.startswith("query.\\x1b]0;pwned\\x07:") for line in lines)


def test_a_long_body_on_the_page_says_how_large_it_is_in_bytes() -> None:
    """Cut for the page, a body says its size as sent: indented JSON has more characters than bytes."""
    from wiretape.html import MAX_BODY_CHARS, body_text

    body = json.dumps({"items": list(range(MAX_BODY_CHARS))}, separators=(",", ":")).encode()
    shown = body_text(body, [("content-type", "application/json")])
    assert shown.endswith(f"(cut here: {len(body)} bytes in all)")
