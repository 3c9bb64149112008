from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["tools.pytest_fixtures"]


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
