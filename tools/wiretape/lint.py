"""Cassette health for any cassette file or directory: format, secrets left in, oversize bodies, provenance.

Every finding names the file, and where it can, the line and the key path
(``interactions[0].request.headers.cookie``) of what it found. Secret values
are never printed: :func:`masked` shows enough to find one, not the value.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import CassetteFormatError
from .file import CassetteData, Interaction, load
from .rules import SecretRules
from .sanitize import collect_secrets, is_placeholder

MAX_BODY_BYTES = 1 << 20
CASSETTE_SUFFIXES = (".yaml", ".yml")
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    path: Path
    problem: str
    severity: Severity = "error"
    line: int | None = None
    key: str | None = None

    def where(self) -> str:
        """``file:line`` (the line when known)."""
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


class NoSuchPathError(FileNotFoundError):
    """A path given to lint that does not exist."""


def masked(value: str) -> str:
    """Enough of a secret to find it in the file, never the secret itself."""
    return f"{value[:2]}… ({len(value)} characters)"


def cassette_files(paths: Iterable[Path]) -> list[Path]:
    """The cassette files named by ``paths`` (files, or directories searched recursively), sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.suffix in CASSETTE_SUFFIXES and p.is_file())
        elif path.is_file():
            found.add(path)
        else:
            raise NoSuchPathError(f"{path}: no such file or directory")
    return sorted(found)


def unsanitised_secrets(data: CassetteData, rules: SecretRules) -> list[str]:
    """Secret values the sanitiser would still replace; a sanitised cassette has none.

    Sanitising is idempotent (placeholders map to themselves), so any value
    that would change is one that was never placeholdered.
    """
    mapping = collect_secrets(data, rules).mapping
    return [value for value, placeholder in mapping.items() if value != placeholder]


def _fields(interaction: Interaction, where: str) -> Iterator[tuple[str, str]]:
    """``(key path, text)`` of every place of an interaction a secret can sit in."""
    request, response = interaction.request, interaction.response
    yield f"{where}.request.uri", request.uri
    for name, value in request.headers:
        yield f"{where}.request.headers.{name}", value
    yield f"{where}.request.body", request.body.decode("utf-8", errors="replace")
    for name, value in response.headers:
        yield f"{where}.response.headers.{name}", value
    yield f"{where}.response.body.string", response.body.decode("utf-8", errors="replace")


def locate(data: CassetteData, lines: list[str], value: str) -> tuple[str | None, int | None]:
    """The key path of the first field holding ``value`` and the first line of the file showing it."""
    key = next(
        (
            path
            for index, interaction in enumerate(data.interactions)
            for path, text in _fields(interaction, f"interactions[{index}]")
            if value in text
        ),
        None,
    )
    line = next((number for number, text in enumerate(lines, start=1) if value in text), None)
    return key, line


def lint_file(path: Path, *, rules: SecretRules, max_body_bytes: int = MAX_BODY_BYTES) -> list[Finding]:
    """The findings of one cassette file (its format, secrets, body sizes, provenance)."""
    try:
        # Kept out of the parse cache: a file under lint may still hold secrets.
        data = load(path, cache=False)
    except CassetteFormatError as error:
        # The finding names the file already.
        return [Finding(path, f"format error: {str(error).removeprefix(f'{path}: ')}")]
    lines = path.read_text(encoding="utf-8").splitlines()
    findings = []
    for value in unsanitised_secrets(data, rules):
        key, line = locate(data, lines, value)
        findings.append(Finding(path, f"unsanitised secret {masked(value)}", line=line, key=key))
    for position, interaction in enumerate(data.interactions):
        for side, body in (("request", interaction.request.body), ("response", interaction.response.body)):
            if len(body) > max_body_bytes:
                findings.append(
                    Finding(
                        path,
                        f"{side} body of {len(body)} bytes (limit {max_body_bytes})",
                        key=f"interactions[{position}].{side}.body",
                    )
                )
    if "recorded_at" not in data.metadata:
        findings.append(Finding(path, "no provenance (recorded_at) in the cassette metadata", "warning"))
    return findings


def detect_secrets_available() -> bool:
    try:
        import detect_secrets  # noqa: F401
    except ImportError:
        return False
    return True


def scan_with_detect_secrets(paths: Iterable[Path]) -> list[Finding]:
    """detect-secrets' findings (its default plugins and filters), when it is installed."""
    if not detect_secrets_available():
        return []
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    findings = []
    # detect-secrets logs its own progress to stderr; the findings are what matters here.
    with default_settings(), contextlib.redirect_stderr(io.StringIO()):
        collection = SecretsCollection()
        for path in paths:
            collection.scan_file(str(path))
        for filename, secret in collection:
            if secret.secret_value is not None and is_placeholder(secret.secret_value):
                continue  # what the sanitiser wrote: the secret is already gone
            findings.append(
                Finding(
                    Path(filename),
                    f"possible secret ({secret.type}, detect-secrets)",
                    line=secret.line_number,
                )
            )
    return findings


def lint_paths(
    paths: Iterable[Path],
    *,
    rules: SecretRules | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    use_detect_secrets: bool = True,
) -> list[Finding]:
    """Findings for every cassette under ``paths``; a missing path raises :class:`NoSuchPathError`."""
    rules = rules or SecretRules()
    files = cassette_files(paths)
    findings = [
        finding for path in files for finding in lint_file(path, rules=rules, max_body_bytes=max_body_bytes)
    ]
    if use_detect_secrets:
        findings += scan_with_detect_secrets(files)
    return findings
