"""``python -m tools``: every command through click's CliRunner, on copies of the committed cassettes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tools import cli
from tools import scenarios as scenarios_module
from tools.cli import main
from tools.emulators.openai_chat import EasyChatUpstream
from tools.emulators.server import Exchange
from tools.scenarios import SCENARIOS, Scenario

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
COMMANDS = ["record", "verify", "diff", "lint", "list", "report"]


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def cassettes(tmp_path: Path) -> Path:
    target = tmp_path / "cassettes"
    shutil.copytree(CASSETTES, target)
    return target


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(command: str | None) -> None:
    result = invoke(*([command] if command else []), "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
    if command is None:
        assert all(name in result.output for name in COMMANDS)


def test_the_module_runs_as_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "python -m tools" in done.stdout


@pytest.mark.parametrize("command", ["record", "verify", "diff"])
def test_an_unknown_target_is_a_one_line_error(command: str) -> None:
    result = CliRunner().invoke(main, [command, "easychatt"])
    assert result.exit_code == 2
    assert "unknown provider or scenario 'easychatt'; did you mean easychat" in result.output
    assert "Traceback" not in result.output


def test_record_needs_targets_or_all() -> None:
    result = CliRunner().invoke(main, ["record"])
    assert result.exit_code == 2 and "or pass --all" in result.output


def test_record_into_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = CliRunner().invoke(main, ["--cassettes", str(blocker / "sub"), "record", "equing/async"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write cassettes to")


@pytest.mark.slow
def test_record_writes_new_cassettes_and_reports_them(tmp_path: Path) -> None:
    result = invoke("--cassettes", tmp_path, "record", "chatanywhere")
    assert result.exit_code == 0, result.output
    written = sorted(path.stem for path in (tmp_path / "chatanywhere").glob("*.yaml"))
    expected = sorted(s.name for s in SCENARIOS.values() if s.provider == "ChatAnywhere")
    assert written == expected
    assert "chatanywhere/split_multibyte" in result.output and " new " in result.output
    path = tmp_path / "chatanywhere" / "async.yaml"
    before = path.read_bytes()
    again = invoke("--cassettes", tmp_path, "record", "chatanywhere/async")
    assert "unchanged" in again.output
    # An unchanged recording leaves the file as it was (no churn in git).
    assert path.read_bytes() == before


def test_an_unexpected_outcome_keeps_the_previous_cassette(
    cassettes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = cassettes / "equing" / "async.yaml"
    before = path.read_bytes()
    wrong = Scenario("Equing", "async", "async", expect="RateLimitError")
    monkeypatch.setitem(scenarios_module.SCENARIOS, "equing/async", wrong)  # type: ignore[index]
    result = invoke("--cassettes", cassettes, "record", "equing/async")
    assert result.exit_code == 1
    assert (
        "refused equing/async: expected RateLimitError naming Equing, "
        "got text 'You wrote: Hello, how are you?' (1 chunks); kept the previous cassette\n"
    ) in result.output
    assert path.read_bytes() == before


def test_record_live_against_an_unreachable_host_fails_fast_suggesting_emulate(tmp_path: Path) -> None:
    # The offline suite blocks every non-loopback connection, so the live host is unreachable here.
    result = CliRunner().invoke(main, ["--cassettes", str(tmp_path), "record", "--live", "equing"])
    assert result.exit_code == 1
    assert "cannot reach next.eqing.tech:443" in result.output and "--emulate" in result.output
    assert "live: skipping" in result.output
    assert not any(tmp_path.rglob("*.yaml"))


def test_verify_passes_on_the_committed_cassettes_and_fails_on_a_tampered_one(cassettes: Path) -> None:
    assert invoke("--cassettes", cassettes, "verify", "chatgptes").exit_code == 0
    path = cassettes / "chatgptes" / "async.yaml"
    # Same length, so the recorded chunk sizes still add up.
    path.write_text(path.read_text().replace('"data": "You wrote: Hello', '"data": "You wrote: Hallo'))
    result = invoke("--cassettes", cassettes, "verify", "chatgptes")
    assert result.exit_code == 1
    assert "FAIL: replay gave chunks" in result.output and "1 failed" in result.output


def test_verify_junit_has_a_testcase_per_scenario_and_the_failure_with_its_problems(
    cassettes: Path, tmp_path: Path
) -> None:
    path = cassettes / "chatgptes" / "async.yaml"
    path.write_text(path.read_text().replace('"data": "You wrote: Hello', '"data": "You wrote: Hallo'))
    report = tmp_path / "reports" / "junit.xml"
    result = invoke("--cassettes", cassettes, "verify", "chatgptes", "equing", "--junit", report)
    assert result.exit_code == 1
    root = ET.parse(report).getroot()
    cases = list(root.iter("testcase"))
    chosen = [s for s in SCENARIOS.values() if s.provider in {"ChatGptEs", "Equing"}]
    assert sorted((case.get("classname"), case.get("name")) for case in cases) == sorted(
        (s.provider, s.name) for s in chosen
    )
    failed = [case for case in cases if case.find("failure") is not None]
    assert [(case.get("classname"), case.get("name")) for case in failed] == [("ChatGptEs", "async")]
    failure = failed[0].find("failure")
    assert failure is not None and "replay gave chunks" in (failure.get("message") or "")
    assert root.get("tests") == str(len(chosen)) and root.get("failures") == "1"


def test_verify_junit_into_a_directory_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", "equing", "--junit", str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.output


def test_verify_reports_a_corrupt_cassette_by_name(cassettes: Path) -> None:
    path = cassettes / "aichat" / "async.yaml"
    path.write_text("interactions: [unclosed\n")
    result = invoke("--cassettes", cassettes, "verify", "aichat/async")
    assert result.exit_code == 1
    assert "aichat/async.yaml" in result.output and "Traceback" not in result.output


def test_diff_finds_no_drift_then_finds_it(cassettes: Path) -> None:
    clean = invoke("--cassettes", cassettes, "diff", "equing/sync_stream", "aichat/async")
    assert clean.exit_code == 0 and "no drift" in clean.output
    path = cassettes / "equing" / "sync_stream.yaml"
    path.write_text(path.read_text().replace('"finish_reason"', '"ending_reason"'))
    drifted = invoke("--cassettes", cassettes, "diff", "equing/sync_stream")
    assert drifted.exit_code == 1
    assert "ending_reason" in drifted.output and "drift found" in drifted.output


def test_diff_compares_a_failed_recording_and_names_the_first_exchange_that_differs(
    cassettes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def home_without_cookie(self: object, exchange: Exchange) -> None:
        exchange.respond(200, "<!DOCTYPE html><html></html>", {"content-type": "text/html; charset=utf-8"})

    monkeypatch.setattr(EasyChatUpstream, "home", home_without_cookie)
    path = cassettes / "easychat" / "sync_stream.yaml"
    before = path.read_bytes()
    result = invoke("--cassettes", cassettes, "diff", "easychat/sync_stream")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    at = lines.index("easychat/sync_stream: drift")
    assert lines[at + 1].startswith(
        "  refused: expected text echoing 'Hello, how are you?', got StatusError: EasyChat: HTTP 401"
    )
    assert lines[at + 2] == (
        "  first difference: exchange #0 (GET https://chat10.fastgpt.me/) response headers: gone: set-cookie"
    )
    assert (
        "exchange #1 (POST https://chat10.fastgpt.me/api/openai/v1/chat/completions) status: '200' -> '401'"
        in (result.output)
    )
    assert path.read_bytes() == before


def test_diff_without_a_committed_cassette_cannot_compare(tmp_path: Path) -> None:
    result = invoke("--cassettes", tmp_path, "diff", "equing/async")
    assert result.exit_code == 2 and "not compared" in result.output


def test_lint_refuses_to_pass_without_detect_secrets_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI's lint step over the committed cassettes is the run of detect-secrets over them: it must not
    pass quietly where the scanners are missing."""
    monkeypatch.setattr(cli, "detect_secrets_available", lambda: False)
    result = invoke("--cassettes", CASSETTES, "lint")
    assert result.exit_code == 2
    assert "detect-secrets is not installed: pip install 'wiretape[lint]'" in result.output
    assert invoke("--cassettes", CASSETTES, "lint", "--no-detect-secrets").exit_code == 0


def test_lint_finds_orphans_missing_cassettes_format_errors_and_oversize(cassettes: Path) -> None:
    (cassettes / "equing" / "async.yaml").rename(cassettes / "equing" / "retired.yaml")
    (cassettes / "aichat" / "history.yaml").write_text("interactions: 7\n")
    result = invoke("--cassettes", cassettes, "lint", "--max-body", "300", "--no-detect-secrets")
    assert result.exit_code == 1
    assert "orphan cassette" in result.output
    assert "scenario equing/async has no cassette" in result.output
    assert "format error" in result.output
    assert "response body of" in result.output and "(limit 300)" in result.output


def test_lint_catches_a_secret_planted_in_a_copy_of_a_cassette(cassettes: Path) -> None:
    path = cassettes / "aichat" / "async.yaml"
    text = path.read_text()
    cookie_line = next(line for line in text.splitlines() if "session=" in line)
    secret = "f3b9c2d81e0a47c6b5d4e3f2a1b0c9d8"
    path.write_text(text.replace(cookie_line, cookie_line.split("session=")[0] + f"session={secret}"))
    result = invoke("--cassettes", cassettes, "lint", "--no-detect-secrets")
    assert result.exit_code == 1
    assert "unsanitised secret f3… (32 characters)" in result.output
    assert secret not in result.output


def finding_rows(output: str) -> list[list[str]]:
    """The rows of lint's findings table, cell by cell."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.count("│") > 3
    ]


def test_lint_runs_detect_secrets_over_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One provider's cassettes and scenarios: detect-secrets takes seconds over the whole catalogue
    # (test_lint_is_clean_on_the_committed_cassettes runs it so).
    provider = {key: s for key, s in SCENARIOS.items() if s.provider == "ChatAnywhere"}
    monkeypatch.setattr("tools.cli.SCENARIOS", provider)
    cassettes = tmp_path / "cassettes"
    shutil.copytree(CASSETTES / "chatanywhere", cassettes / "chatanywhere")
    path = cassettes / "chatanywhere" / "async.yaml"
    key = "AKIAIOSFODNN7EXAMPLF"
    # In the request body, whose size no recorded chunk gives: the file stays well-formed.
    path.write_text(path.read_text().replace('"title":"Hello, how are you?"', f'"title":"my key is {key}"'))
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1) if key in text)
    assert invoke("--cassettes", cassettes, "lint", "--no-detect-secrets").exit_code == 0
    result = invoke("--cassettes", cassettes, "lint")
    assert result.exit_code == 1
    assert finding_rows(result.output) == [
        [f"chatanywhere/async.yaml:{line}", "error", "possible secret (AWS Access Key, detect-secrets)", ""]
    ]
    assert "1 error(s), 0 warning(s)" in result.output and key not in result.output


def test_list_shows_each_scenario_with_its_cassette_status(cassettes: Path) -> None:
    (cassettes / "chatgptes" / "consent.yaml").unlink()
    result = invoke("--cassettes", cassettes, "list")
    assert result.exit_code == 0
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 3}
    assert set(SCENARIOS) <= set(lines)
    assert "missing" in lines["chatgptes/consent"]
    assert "UpstreamRejectedError" in lines["chatgptes/consent"]
    assert " ok " in lines["equing/async"] and "20" in lines["equing/async"]


def test_cassettes_default_to_the_working_directory(cassettes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(cassettes.parent)
    result = CliRunner().invoke(main, ["verify", "equing/async"])
    assert result.exit_code == 0 and "1 passed" in result.output


@pytest.mark.parametrize("command", ["verify", "diff", "lint", "list"])
def test_options_are_accepted_after_the_subcommand(
    command: str, cassettes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where ./cassettes does not exist, only the option can lead to the copy.
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.delenv("WIRETAPE_CASSETTES", raising=False)
    arguments = {"verify": ["equing/async"], "diff": ["equing/async"], "lint": ["--no-detect-secrets"]}
    result = CliRunner().invoke(main, [command, "--cassettes", str(cassettes), *arguments.get(command, [])])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", ["verify", "diff", "lint", "list"])
def test_a_missing_cassette_directory_is_one_line(command: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [command, "--cassettes", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert f"no cassette directory at {tmp_path / 'nowhere'}" in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1
    assert "FAIL" not in result.output


def test_scenario_ids_are_never_cut_on_a_narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    monkeypatch.setattr("tools.cli._console", lambda: Console(width=70, markup=False, highlight=False))
    result = invoke("list", "--cassettes", CASSETTES)
    assert result.exit_code == 0
    shown = {cell.strip() for line in result.output.splitlines() for cell in line.split("│")}
    assert set(SCENARIOS) <= shown


def test_file_names_are_printed_as_they_are(cassettes: Path) -> None:
    (cassettes / "equing" / "[paris].yaml").write_text((cassettes / "equing" / "async.yaml").read_text())
    result = invoke("lint", "--no-detect-secrets", "--cassettes", cassettes)
    assert result.exit_code == 1
    assert "equing/[paris].yaml" in result.output and "orphan cassette" in result.output


def test_diff_live_against_an_unreachable_host_cannot_compare(cassettes: Path) -> None:
    result = CliRunner().invoke(main, ["diff", "--live", "--cassettes", str(cassettes), "equing/async"])
    assert result.exit_code == 2
    assert "cannot reach next.eqing.tech:443" in result.output


def test_list_behaviours_names_every_emulated_behaviour() -> None:
    from tools.emulators.behaviours import Behaviour

    result = invoke("list", "--behaviours")
    assert result.exit_code == 0
    for behaviour in Behaviour:
        assert behaviour.value in result.output and behaviour.description in result.output


@pytest.mark.parametrize("command", ["verify", "lint", "diff", "record"])
def test_a_symlink_leading_outside_is_one_line_and_the_rest_goes_on(
    command: str, cassettes: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text((cassettes / "equing" / "async.yaml").read_text())
    (cassettes / "equing" / "async.yaml").unlink()
    (cassettes / "equing" / "async.yaml").symlink_to(outside)
    before = outside.read_bytes()
    if command == "lint":
        # lint takes no targets: a broken file that is not the symlink shows that it went on.
        (cassettes / "equing" / "sync_stream.yaml").write_text("interactions: 7\n")
        arguments = ["--no-detect-secrets"]
    else:
        arguments = ["equing/async", "equing/sync_stream"]
    result = CliRunner().invoke(main, [command, "--cassettes", str(cassettes), *arguments])
    assert isinstance(result.exception, SystemExit), result.output  # an exit status, not a traceback
    assert result.exit_code in (1, 2)
    assert "'equing/async' would write outside" in result.output
    assert "equing/sync_stream" in result.output  # the other scenarios were handled
    assert outside.read_bytes() == before
