"""Cassette health: secrets left in, files without a scenario and scenarios without a file,
unreadable files, oversize bodies, missing provenance."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import default_settings

from wiretape import CassetteData, CassetteFormatError, load
from wiretape.sanitize import SecretRules, collect_secrets

from .scenarios import Scenario, cassette_path, scenario_of

MAX_BODY_BYTES = 1 << 20
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    path: Path
    problem: str
    severity: Severity = "error"


def masked(value: str) -> str:
    """Enough of a secret to find it in the file, never the secret itself."""
    return f"{value[:2]}… ({len(value)} characters)"


def unsanitised_secrets(data: CassetteData, rules: SecretRules) -> list[str]:
    """Secret values the sanitiser would still replace; a sanitised cassette has none.

    Sanitising is idempotent (placeholders map to themselves), so any value
    that would change is one that was never placeholdered.
    """
    mapping = collect_secrets(data, rules).mapping
    return [value for value, placeholder in mapping.items() if value != placeholder]


def scan_with_detect_secrets(paths: Iterable[Path]) -> dict[Path, list[tuple[str, int]]]:
    """detect-secrets' findings (type, line) per file, with its default plugins and filters."""
    found: dict[Path, list[tuple[str, int]]] = {}
    # detect-secrets logs its own progress to stderr; the findings are what matters here.
    with default_settings(), contextlib.redirect_stderr(io.StringIO()):
        collection = SecretsCollection()
        for path in paths:
            collection.scan_file(str(path))
        for filename, secret in collection:
            found.setdefault(Path(filename), []).append((secret.type, secret.line_number))
    return found


def lint(
    root: Path,
    scenarios: Mapping[str, Scenario],
    *,
    rules: SecretRules | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> list[Finding]:
    rules = rules or SecretRules()
    findings: list[Finding] = []
    files = sorted(root.rglob("*.yaml")) if root.is_dir() else []
    for scenario in scenarios.values():
        path = cassette_path(root, scenario.id)
        if not path.exists():
            findings.append(Finding(path, f"scenario {scenario.id} has no cassette"))
    for path in files:
        if scenario_of(root, path) not in scenarios:
            findings.append(Finding(path, "orphan cassette: no scenario in the catalogue names it"))
        try:
            data = load(path)
        except CassetteFormatError as error:
            findings.append(Finding(path, f"format error: {error}"))
            continue
        findings += _check_data(path, data, rules, max_body_bytes)
    for path, secrets in scan_with_detect_secrets(files).items():
        for kind, line in secrets:
            findings.append(Finding(path, f"line {line}: possible secret ({kind}, detect-secrets)"))
    return findings


def _check_data(path: Path, data: CassetteData, rules: SecretRules, max_body_bytes: int) -> list[Finding]:
    findings = [
        Finding(path, f"unsanitised secret {masked(value)}") for value in unsanitised_secrets(data, rules)
    ]
    for position, interaction in enumerate(data.interactions):
        for side, body in (("request", interaction.request.body), ("response", interaction.response.body)):
            if len(body) > max_body_bytes:
                findings.append(
                    Finding(
                        path,
                        f"interaction #{position}: {side} body of {len(body)} bytes (limit {max_body_bytes})",
                    )
                )
    if "recorded_at" not in data.metadata:
        findings.append(Finding(path, "no provenance (recorded_at) in the cassette metadata", "warning"))
    return findings
