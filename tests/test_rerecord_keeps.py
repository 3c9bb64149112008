"""Re-recording keeps a committed cassette only when the fresh one says the same: the exchanges and
what the cassette records about them (how the client ended each answer, the call's outcome)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tools.emulators import EmulatedUpstreams
from tools.recording import Upstreams, record_scenario
from tools.scenarios import SCENARIOS
from wiretape import load

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"


# The way a cassette written by an older version differs, edited into the text of a fresh one.
def stale_outcome_message(text: str) -> str:
    return text.replace("/wp-admin/admin-ajax.php)", ")")


def no_truncation_flag(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if "truncated_by_client: true" not in line)


@pytest.mark.parametrize(
    ("scenario_id", "make_stale"),
    [("chatgptes/reset", stale_outcome_message), ("equing/sync_stream", no_truncation_flag)],
)
def test_a_recording_that_says_something_else_replaces_the_committed_one(
    emulated_upstreams: EmulatedUpstreams,
    tmp_path: Path,
    scenario_id: str,
    make_stale: Callable[[str], str],
) -> None:
    scenario = SCENARIOS[scenario_id]
    fresh_root, stale_root = tmp_path / "fresh", tmp_path / "stale"
    fresh = record_scenario(scenario, fresh_root, Upstreams("emulated", emulated_upstreams))
    assert fresh.ok, fresh.detail
    fresh_data = load(fresh_root / f"{scenario_id}.yaml")

    stale_path = stale_root / f"{scenario_id}.yaml"
    stale_path.parent.mkdir(parents=True)
    stale_path.write_text(make_stale((fresh_root / f"{scenario_id}.yaml").read_text()))
    assert load(stale_path) != fresh_data  # the tampering is visible in the loaded cassette

    again = record_scenario(scenario, stale_root, Upstreams("emulated", emulated_upstreams))
    assert again.changed is True
    rewritten = load(stale_path)
    assert rewritten.metadata["outcome"] == fresh_data.metadata["outcome"]
    assert [i.response.truncated_by_client for i in rewritten.interactions] == [
        i.response.truncated_by_client for i in fresh_data.interactions
    ]
