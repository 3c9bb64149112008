"""The benchmark command runs (on tiny sizes, so that it cannot rot); no timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tools.bench.clients import installed
from tools.bench.measure import Plan, repeat
from tools.cli import main


@pytest.mark.slow
def test_bench_runs_every_case_and_writes_its_figures(tmp_path: Path) -> None:
    output = tmp_path / "figures.json"
    result = CliRunner().invoke(
        main,
        [
            "bench",
            "--sizes",
            "5,20",
            "--smoke",
            "--vcrpy-cap",
            "30",
            "--no-suite",
            "--big-mb",
            "1",
            "--record-mb",
            "1",
            "--json",
            str(output),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.output  # 1: a target missed on this tiny run, not an error
    document = json.loads(output.read_text())
    cases = {(figure["case"], figure["tool"]) for figure in document["figures"]}
    assert {
        ("replay 5", "wiretape"),
        ("replay 20", "vcrpy"),
        ("per request", "respx"),
        ("open + 1 request", "vcrpy"),
        ("streamed replay", "respx"),
        ("per request", "wiretape, match_on configured"),
        ("replay, 1 MB JSON request", "vcrpy"),
        ("one request, 1 MB streamed answer", "respx"),
        ("streamed 1 MB", "recording tee"),
        ("time to first chunk", "recording tee"),
        ("import in process", "providers"),
        ("curl_cffi on first use", "providers"),
        *(
            (f"client {name}", tool)
            for name in installed()
            for tool in ("raw (loopback)", "recording", "wiretape")
        ),
    } <= cases
    assert all(figure["runs"] >= 1 and figure["median"] > 0 for figure in document["figures"])
    assert {target["name"] for target in document["targets"]} >= {
        "per-request replay / respx",
        "open + 1 request / vcrpy",
        "tee: time to first chunk, recording / not",
    }
    assert "targets" in result.output


def test_bench_refuses_bad_sizes() -> None:
    result = CliRunner().invoke(main, ["bench", "--sizes", "ten"])
    assert result.exit_code == 2 and "comma-separated list of integers" in result.output


def test_a_smoke_run_times_each_case_once_without_warming_up() -> None:
    calls: list[None] = []

    def case() -> float:
        calls.append(None)
        return 0.5

    full = Plan(runs=3)
    assert repeat(case, full.times(5), warmup=full.warmups(3)) == [0.5] * 15
    assert len(calls) == 3 + 15
    calls.clear()
    smoke = Plan(runs=3, smoke=True)
    assert repeat(case, smoke.times(5), warmup=smoke.warmups(3)) == [0.5]
    assert len(calls) == 1


@pytest.mark.slow
def test_bench_runs_only_the_cases_named_and_their_targets(tmp_path: Path) -> None:
    output = tmp_path / "figures.json"
    result = CliRunner().invoke(
        main,
        ["bench", "--case", "per-request", "--sizes", "5", "--repeat", "1", "--json", str(output)],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.output
    document = json.loads(output.read_text())
    assert {figure["case"] for figure in document["figures"]} == {"per request", "open + 1 request"}
    assert {target["name"] for target in document["targets"]} == {
        "per-request replay / respx",
        "per-request replay, match_on configured / respx",
        "open + 1 request / vcrpy",
    }


def test_bench_refuses_an_unknown_case() -> None:
    result = CliRunner().invoke(main, ["bench", "--case", "everything"])
    assert result.exit_code == 2 and "per-request" in result.output
