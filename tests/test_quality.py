"""The code standards as tests: ruff on everything, mypy strict on providers/ and tools/."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", "providers", "tools", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run("mypy", "--no-incremental")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_library_under_its_installed_name() -> None:
    result = run("mypy", "--no-incremental", "-p", "wiretape")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 1 source file" not in result.stdout, "the package's modules were not all found"


def test_mypy_files_cover_every_module_of_the_scenario_tier() -> None:
    # tomllib is 3.11+; the line is a JSON array too.
    line = re.search(r"^files = (\[.*\])$", (ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    assert line is not None
    patterns = json.loads(line.group(1))
    covered = {
        path.resolve()
        for pattern in patterns
        for match in ROOT.glob(pattern)
        for path in ([match] if match.suffix == ".py" else match.rglob("*.py"))
    }
    tier = {path.resolve() for path in (ROOT / "tools").rglob("*.py") if "wiretape" not in path.parts}
    assert tier - covered == set()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert command.startswith("python3 -m venv .venv")
    assert f"\n{command}\n" in (ROOT / "README.md").read_text()
