from __future__ import annotations

import pytest

pytest_plugins = ["tools.pytest_plugin"]


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
