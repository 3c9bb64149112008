"""The replay suite, generated from the scenario catalogue: every scenario replays offline from its
committed cassette and gives the outcome it was recorded with."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.drift import drift
from tools.emulators.behaviours import Behaviour
from tools.recording import record_scenario, upstreams, verify_scenario
from tools.scenarios import (
    SCENARIOS,
    TEXT,
    Scenario,
    UnknownTargetError,
    UnsafePathError,
    cassette_path,
    scenario_of,
    select,
)
from wiretape import load

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=list(SCENARIOS))
def test_scenario_replays_its_recorded_outcome(scenario: Scenario) -> None:
    result = verify_scenario(scenario, CASSETTES)
    assert result.problems == []
    assert result.outcome is not None and result.outcome.kind == scenario.expect
    if scenario.expect == TEXT:
        assert "".join(result.outcome.chunks).strip()


def test_every_cassette_has_a_scenario_and_every_scenario_a_cassette() -> None:
    on_disk = {scenario_of(CASSETTES, path) for path in CASSETTES.rglob("*.yaml")}
    assert on_disk == set(SCENARIOS)


def test_every_cassette_carries_its_provenance() -> None:
    for scenario_id in SCENARIOS:
        metadata = load(cassette_path(CASSETTES, scenario_id)).metadata
        assert metadata["scenario"] == scenario_id
        assert metadata["source"] in ("emulated", "live")
        assert {"recorded_at", "tool", "provider_version", "python", "outcome"} <= set(metadata)


def test_the_catalogue_covers_what_the_issue_asks_for_each_provider() -> None:
    by_provider: dict[str, list[Scenario]] = {}
    for scenario in SCENARIOS.values():
        by_provider.setdefault(scenario.provider, []).append(scenario)
    required = {
        Behaviour.RATE_LIMITED,
        Behaviour.SERVER_ERROR,
        Behaviour.CHALLENGE,
        Behaviour.TRUNCATED,
    }
    specific = {
        "EasyChat": {Behaviour.SLOW, Behaviour.MALFORMED_JSON, Behaviour.NON_JSON},
        "Equing": {Behaviour.SLOW, Behaviour.MALFORMED_JSON, Behaviour.NON_JSON},
        "Aichat": {Behaviour.EXPIRED_COOKIE, Behaviour.NON_JSON},
        "ChatAnywhere": {Behaviour.SLOW, Behaviour.SPLIT_MULTIBYTE},
        "ChatGptEs": {Behaviour.MISSING_NONCE, Behaviour.CONSENT, Behaviour.NON_JSON},
    }
    for provider, scenarios in by_provider.items():
        behaviours = {scenario.behaviour for scenario in scenarios}
        assert required | specific[provider] <= behaviours, provider
        styles = {(scenario.style, scenario.stream) for scenario in scenarios}
        assert {"sync", "async", "async_generator"} <= {style for style, _ in styles}, provider
        messages = [scenario.messages for scenario in scenarios]
        assert any(len(m) > 2 and m[0]["role"] == "system" for m in messages), provider
        assert any(any(ord(ch) > 0xFFFF for ch in m[-1]["content"]) for m in messages), provider
    assert any(s.kwargs.get("active_server") == 6 for s in by_provider["EasyChat"])
    for provider in ("EasyChat", "Equing"):
        assert {(s.style, s.stream) for s in by_provider[provider]} >= {("sync", True), ("sync", False)}
        assert any("top_p" in s.kwargs and "temperature" in s.kwargs for s in by_provider[provider])


# Every scenario is re-recorded under one of these (one test each, so that workers share them).
PROVIDERS = sorted({scenario.provider for scenario in SCENARIOS.values()})


@pytest.mark.slow
@pytest.mark.parametrize("provider", PROVIDERS)
def test_recording_afresh_against_the_emulators_shows_no_drift(tmp_path: Path, provider: str) -> None:
    """Cassettes, emulators and providers cannot drift apart unnoticed."""
    chosen = [scenario for scenario in SCENARIOS.values() if scenario.provider == provider]
    with upstreams("emulated") as where:
        results = [record_scenario(scenario, tmp_path, where) for scenario in chosen]
    assert [(r.scenario.id, r.detail) for r in results if not r.ok] == []
    drifted = {
        scenario.id: report
        for scenario in chosen
        if (
            report := drift(
                load(cassette_path(CASSETTES, scenario.id)), load(cassette_path(tmp_path, scenario.id))
            )
        )
    }
    assert drifted == {}


@pytest.mark.parametrize(
    "scenario_id",
    ["../escape", "easychat/../../escape", "easychat/..", "/etc/passwd", "a/b/c", "noslash", "a\\b/c"],
)
def test_a_cassette_path_cannot_leave_the_cassette_directory(tmp_path: Path, scenario_id: str) -> None:
    with pytest.raises(UnsafePathError):
        cassette_path(tmp_path, scenario_id)


def test_command_line_targets_name_only_catalogue_entries() -> None:
    with pytest.raises(UnknownTargetError, match="unknown provider or scenario"):
        select(["../../etc/passwd"])
    assert [s.id for s in select(["EQUING/async.yaml"])] == ["equing/async"]
