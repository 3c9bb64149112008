"""The two tiers: the library (``wiretape``) knows no provider and no scenario; every module has one name."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import wiretape

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "tools" / "wiretape"
PROVIDERS = ROOT / "providers"
SCENARIO_TIER = [path for path in (ROOT / "tools").rglob("*.py") if LIBRARY not in path.parents]


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """``(relative level, module)`` of every import statement in a file."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((0, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.level, node.module or ""


def library_modules() -> list[str]:
    return sorted(path.stem for path in LIBRARY.glob("*.py") if path.stem != "__init__")


@pytest.mark.parametrize("path", sorted(LIBRARY.rglob("*.py")), ids=lambda p: p.name)
def test_the_library_imports_nothing_from_providers_or_the_scenario_tier(path: Path) -> None:
    depth = len(path.relative_to(LIBRARY).parts)  # wiretape/x.py: 1, wiretape/clients/x.py: 2
    for level, module in imported_modules(path):
        top = module.split(".")[0]
        assert level <= depth, f"{path.name} reaches out of the package: {'.' * level}{module}"
        if level == 0:
            assert top not in {"providers", "tools", "tests"}, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", sorted(PROVIDERS.glob("*.py")), ids=lambda p: p.name)
def test_a_provider_never_touches_the_harness(path: Path) -> None:
    for level, module in imported_modules(path):
        if level == 0:
            assert module.split(".")[0] not in {"wiretape", "tools", "tests"}, f"{path.name} imports {module}"


def absolute(path: Path, level: int, module: str) -> str:
    """The absolute name an import in ``path`` (a module of the checkout) refers to."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    if level == 0:
        return module
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


@pytest.mark.parametrize("path", SCENARIO_TIER, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_scenario_tier_imports_the_library_by_its_installed_name(path: Path) -> None:
    for level, module in imported_modules(path):
        assert not absolute(path, level, module).startswith("tools.wiretape"), f"{path.name}: {module}"


def test_the_library_is_importable_only_as_wiretape() -> None:
    script = "\n".join(
        [
            "import importlib, wiretape",
            f"names = {library_modules()!r}",
            "for name in names: importlib.import_module('wiretape.' + name)",
            "try:",
            "    import tools.wiretape",
            "except ImportError as error:",
            "    print('refused:', error)",
            "else:",
            "    print('imported twice')",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused: the wiretape library is importable only as 'wiretape'")


def test_an_installed_project_puts_no_generic_name_on_sys_path(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib.util as u; print(u.find_spec('tools'), u.find_spec('tests'))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "None None", done.stdout + done.stderr


def test_the_public_api_is_pinned_and_documented() -> None:
    assert sorted(wiretape.__all__) == sorted(
        [
            "DEFAULT_IGNORED_HEADERS",
            "Cassette",
            "CassetteData",
            "CassetteError",
            "CassetteFormatError",
            "CassetteMissError",
            "CassetteNotFoundError",
            "CassetteTooLargeError",
            "Chunk",
            "ClientNotInterceptedError",
            "ConfigurationError",
            "Interaction",
            "NetworkBlockedError",
            "RecordMode",
            "RecordedFailure",
            "RecordedRequest",
            "RecordedResponse",
            "SecretRules",
            "UnsafePathError",
            "WiretapeError",
            "__version__",
            "block_network",
            "cassette",
            "dumps",
            "load",
            "loads",
        ]
    )
    doc = wiretape.__doc__ or ""
    assert all(name in doc for name in wiretape.__all__)
    assert all(getattr(wiretape, name) is not None for name in wiretape.__all__)


def test_every_library_error_is_a_wiretape_error() -> None:
    from wiretape import errors

    classes = [
        value for value in vars(errors).values() if isinstance(value, type) and issubclass(value, Exception)
    ]
    assert {cls.__name__ for cls in classes} <= {*wiretape.__all__, "Exception"}
    assert all(issubclass(cls, wiretape.WiretapeError) for cls in classes if cls is not Exception)
    drawn = errors.__doc__ or ""
    assert all(cls.__name__ in drawn for cls in classes if cls is not Exception)


def test_versions_agree() -> None:
    import importlib.metadata

    import providers

    assert providers.__version__ == wiretape.__version__ == importlib.metadata.version("wiretape")
