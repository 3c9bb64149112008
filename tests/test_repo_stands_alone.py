"""The repository stands alone: no tracked file points at a document or path outside it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Built from pieces so that this file does not match itself.
OUTSIDE = [
    "../" + "shared",
    "/" + "work/",
    "/" + "root/",
    "/" + "home/",
    "CONTRACTS" + ".md",
    ".ru" + ".md",
]


def tracked_text_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in listing.split("\0") if name]


def outside_references(path: Path) -> list[str]:
    data = path.read_bytes()
    if b"\0" in data:
        return []
    text = data.decode("utf-8", errors="replace")
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}"
        for number, line in enumerate(text.splitlines(), start=1)
        if any(pattern in line for pattern in OUTSIDE)
    ]


def test_no_tracked_file_references_a_path_outside_the_repository() -> None:
    found = [hit for path in tracked_text_files() if path.is_file() for hit in outside_references(path)]
    assert not found, "references to paths outside the repository:\n" + "\n".join(found)


def test_the_check_names_the_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    doc = tmp_path / "notes.md"
    doc.write_text("fine\nsee " + "CONTRACTS" + ".md for details\n")
    assert outside_references(doc) == ["notes.md:2: see " + "CONTRACTS" + ".md for details"]
