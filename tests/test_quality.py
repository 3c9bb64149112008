"""The code standards' wiring: ruff and mypy run as their own CI steps (the README's test command);
here, that the command is the one CI runs and that mypy's file list covers the scenario tier."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    for step in ("ruff check providers tools tests", "mypy &&", "mypy -p wiretape", "tools lint", "pytest"):
        assert step in command
