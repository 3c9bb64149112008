from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["tools.pytest_fixtures"]


@pytest.fixture(scope="session", autouse=True)
def _a_parse_cache_of_the_suites_own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite's cassettes are cached in its own directory (subprocesses inherit it): a test run
    neither fills the user's cache nor depends on what an earlier run left there."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture
def user_messages() -> list[dict[str, str]]:
    return [{"role": "user", "content": "Hello, how are you?"}]


@pytest.fixture
def history_messages() -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Bonjour, ça va ? 😀"},
        {"role": "assistant", "content": "Oui."},
        {"role": "user", "content": "Und dir?"},
    ]


# Hypothesis profiles: "quick" for every run (CI included), "thorough" = 10x the examples:
#   pytest --hypothesis-profile=thorough
QUICK_EXAMPLES = 40
settings.register_profile(
    "quick",
    max_examples=QUICK_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=False,
)
settings.register_profile(
    "thorough",
    parent=settings.get_profile("quick"),
    max_examples=10 * QUICK_EXAMPLES,
)
settings.load_profile("quick")
