"""The catalogue's cassette health: wiretape's checks of every file, plus the catalogue's own two —
files without a scenario (orphans) and scenarios without a file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from wiretape import SecretRules, UnsafePathError
from wiretape.lint import MAX_BODY_BYTES, Finding, cassette_files, lint_paths

from .scenarios import Scenario, cassette_path, scenario_of


def lint(
    root: Path,
    scenarios: Mapping[str, Scenario],
    *,
    rules: SecretRules | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    use_detect_secrets: bool = True,
) -> list[Finding]:
    """Findings for the cassette directory ``root`` of the catalogue ``scenarios`` (``root`` must exist)."""
    findings: list[Finding] = []
    for scenario in scenarios.values():
        try:
            path = cassette_path(root, scenario.id)
        except UnsafePathError as error:
            findings.append(Finding(root / f"{scenario.id}.yaml", str(error)))
            continue
        if not path.exists():
            findings.append(Finding(path, f"scenario {scenario.id} has no cassette"))
    files = cassette_files([root])
    findings += [
        Finding(path, "orphan cassette: no scenario in the catalogue names it")
        for path in files
        if scenario_of(root, path) not in scenarios
    ]
    inside = [path for path in files if path.resolve().is_relative_to(root.resolve())]
    return findings + lint_paths(
        inside, rules=rules, max_body_bytes=max_body_bytes, use_detect_secrets=use_detect_secrets
    )
