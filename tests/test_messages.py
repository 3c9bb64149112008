from __future__ import annotations

import pytest

from providers import InvalidMessagesError, format_prompt
from providers.messages import validate_messages


def test_format_prompt_single_message_is_its_content() -> None:
    assert format_prompt([{"role": "user", "content": "hi\nthere"}]) == "hi\nthere"


def test_format_prompt_transcript() -> None:
    messages = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "U"},
        {"role": "assistant", "content": "A"},
    ]
    assert format_prompt(messages) == "System: S\nUser: U\nAssistant: A\nAssistant:"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("messages", "fragment"),
    [
        (None, "got NoneType"),
        ([], "must not be empty"),
        ("hello", "got str"),
        ({"role": "user"}, "got dict"),
        ([["user", "hi"]], r"messages\[0\] must be a dict"),
        ([{"content": "hi"}], r"messages\[0\] has no 'role'"),
        (
            [{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}],
            r"messages\[1\]\['role'\] must be one of",
        ),
        ([{"role": "user"}], r"messages\[0\] has no 'content'"),
        ([{"role": "user", "content": 3}], r"messages\[0\]\['content'\] must be a str, got int"),
    ],
)
def test_invalid_messages_name_index_and_field(messages: object, fragment: str) -> None:
    with pytest.raises(InvalidMessagesError, match=fragment) as raised:
        validate_messages(messages)
    assert isinstance(raised.value, ValueError)


def test_valid_messages_drop_extra_keys() -> None:
    assert validate_messages([{"role": "user", "content": "x", "name": "n"}]) == [
        {"role": "user", "content": "x"}
    ]
