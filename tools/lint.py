"""The catalogue's cassette health: wiretape's checks of every file, plus the catalogue's own two —
files without a scenario (orphans) and scenarios without a file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from wiretape import SecretRules
from wiretape.lint import MAX_BODY_BYTES, Finding, cassette_files, lint_paths

from .scenarios import Scenario, cassette_path, scenario_of


def lint(
    root: Path,
    scenarios: Mapping[str, Scenario],
    *,
    rules: SecretRules | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> list[Finding]:
    """Findings for the cassette directory ``root`` of the catalogue ``scenarios`` (``root`` must exist)."""
    findings = [
        Finding(cassette_path(root, scenario.id), f"scenario {scenario.id} has no cassette")
        for scenario in scenarios.values()
        if not cassette_path(root, scenario.id).exists()
    ]
    findings += [
        Finding(path, "orphan cassette: no scenario in the catalogue names it")
        for path in cassette_files([root])
        if scenario_of(root, path) not in scenarios
    ]
    return findings + lint_paths([root], rules=rules, max_body_bytes=max_body_bytes)
