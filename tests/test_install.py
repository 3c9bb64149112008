"""The user's path: the built wheel, installed in a fresh venv beside a tiny project of theirs."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from plugin_project import echo_server

import wiretape

ROOT = Path(__file__).resolve().parents[1]
PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")

CLIENT = """
import httpx


def greet(base_url, name):
    with httpx.Client(base_url=base_url) as client:
        response = client.get(f"/greet/{name}")
        response.raise_for_status()
        return response.text
"""

TESTS = """
import os

import pytest

from client import greet

URL = os.environ["ECHO_URL"]


@pytest.mark.cassette("greetings/ada.yaml")
def test_ada():
    assert greet(URL, "ada") == "hello /greet/ada"


def test_default_name(cassette):
    assert greet(URL, "bob") == "hello /greet/bob"
    assert cassette.path.name == "test_default_name.yaml"
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_providers_and_wiretape_and_nothing_else(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = f"wiretape-{wiretape.__version__}.dist-info"
    assert {name.split("/")[0] for name in names} == {"providers", "wiretape", dist_info}
    assert "wiretape/py.typed" in names and "wiretape/pytest_plugin.py" in names
    assert f"{dist_info}/licenses/LICENSE" in names
    archive = zipfile.ZipFile(wheel)
    entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
    assert "[pytest11]\nwiretape = wiretape.pytest_plugin" in entry_points
    assert "[console_scripts]\nwiretape = wiretape.cli:main" in entry_points
    metadata = archive.read(f"{dist_info}/METADATA").decode()
    for version in PYTHON_VERSIONS:
        assert f"Classifier: Programming Language :: Python :: {version}\n" in metadata


def clean_environment(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: nothing of this test run leaks in."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "PYTHON", "COV_", "VIRTUAL_ENV", "WIRETAPE_"))
    }
    return {**environment, **extra}


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Iterator[Path]:
    """A fresh venv with the wheel, pytest and pytest-recording, their dependencies resolved from the
    wheel's metadata by uv (pip resolves the same metadata in 5 s of the suite's time, uv in 0.4 s)."""
    from uv import find_uv_bin

    where = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    done = subprocess.run(
        [
            find_uv_bin(),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(where / "bin" / "python"),
            str(wheel),
            "pytest",
            "pytest-recording",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=clean_environment(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    yield where


def run(venv: Path, project: Path, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=project,
        env=clean_environment(**environment),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_a_users_project_records_then_replays_offline_with_the_installed_wheel(
    venv: Path, tmp_path: Path
) -> None:
    project = tmp_path / "their-project"
    (project / "tests").mkdir(parents=True)
    (project / "client.py").write_text(CLIENT)
    (project / "tests" / "test_client.py").write_text(TESTS)
    (project / "pytest.ini").write_text("[pytest]\npythonpath = .\n")

    def pytest_run(
        *options: str, url: str, beside_pytest_recording: bool = False
    ) -> subprocess.CompletedProcess[str]:
        # Blocking a plugin keeps pytest from importing it at all: as if it were not installed.
        alone = () if beside_pytest_recording else ("-p", "no:recording")
        return run(
            venv,
            project,
            "python",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *alone,
            *options,
            ECHO_URL=url,
        )

    with echo_server() as url:
        recorded = pytest_run("--record-mode=once", url=url)
        assert recorded.returncode == 0, recorded.stdout + recorded.stderr
        assert "2 passed" in recorded.stdout
    cassettes = sorted(p.relative_to(project).as_posix() for p in project.rglob("*.yaml"))
    assert cassettes == [
        "tests/cassettes/greetings/ada.yaml",
        "tests/cassettes/test_client/test_default_name.yaml",
    ]
    # The server is gone: the same tests pass from the cassettes alone.
    replayed = pytest_run(url=url)
    assert replayed.returncode == 0 and "2 passed" in replayed.stdout, replayed.stdout + replayed.stderr

    version = run(venv, project, "wiretape", "--version")
    assert version.stdout.strip() == f"wiretape {wiretape.__version__}"
    linted = run(venv, project, "wiretape", "lint", "tests/cassettes")
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "0 error(s)" in linted.stdout

    beside = pytest_run(url=url, beside_pytest_recording=True)
    assert beside.returncode == 0 and "2 passed" in beside.stdout, beside.stdout + beside.stderr
    assert "--disable-recording" in run(venv, project, "python", "-m", "pytest", "--help").stdout
    with echo_server() as url:
        again = pytest_run("--record-mode=all", url=url, beside_pytest_recording=True)
        assert again.returncode == 0 and "2 passed" in again.stdout, again.stdout + again.stderr
