from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers import InvalidArgumentError
from providers.cookies import cookies_for


def test_no_file_configured_gives_no_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIRETAPE_COOKIES_FILE", raising=False)
    assert cookies_for("chat-gpt.org") == {}


@pytest.mark.parametrize(
    "content",
    [
        {"a": "1", "b": "2"},
        {"chat-gpt.org": {"a": "1", "b": "2"}, "other.org": {"x": "y"}},
        [
            {"domain": ".chat-gpt.org", "name": "a", "value": "1"},
            {"domain": "www.chat-gpt.org", "name": "b", "value": "2"},
            {"domain": "other.org", "name": "x", "value": "y"},
        ],
    ],
)
def test_json_layouts(tmp_path: Path, content: object) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(content))
    found = cookies_for("chat-gpt.org", cookies_file=path)
    if isinstance(content, list):
        # www.chat-gpt.org cookies are not sent to chat-gpt.org itself
        assert found == {"a": "1"}
    else:
        assert found == {"a": "1", "b": "2"}


def test_netscape_file_skips_expired_and_foreign_cookies(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    path.write_text(
        "# Netscape HTTP Cookie File\n"
        ".chat-gpt.org\tTRUE\t/\tTRUE\t0\tsession\tkeep\n"
        ".chat-gpt.org\tTRUE\t/\tTRUE\t1000\told\texpired\n"
        "#HttpOnly_chat-gpt.org\tFALSE\t/\tTRUE\t4102444800\thttponly\tyes\n"
        "example.org\tFALSE\t/\tFALSE\t0\tforeign\tno\n"
    )
    assert cookies_for("chat-gpt.org", cookies_file=path) == {"session": "keep", "httponly": "yes"}


@pytest.mark.parametrize(
    ("text", "fragment"), [("not cookies", "neither JSON nor Netscape"), ("{broken", "not valid JSON")]
)
def test_unreadable_files_say_what_is_wrong(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "c"
    path.write_text(text)
    with pytest.raises(InvalidArgumentError, match=fragment):
        cookies_for("chat-gpt.org", cookies_file=path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="cannot be read"):
        cookies_for("chat-gpt.org", cookies_file=tmp_path / "absent")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot be read"),
        ("{not json", "is not valid JSON"),
        ("42", "neither JSON nor Netscape"),
    ],
)
def test_cookies_file_errors_name_the_provider(tmp_path: Path, content: str | None, problem: str) -> None:
    """README: every error names the provider; a bad cookies file is found before any request."""
    import asyncio

    import providers

    path = tmp_path / "cookies.txt"
    if content is not None:
        path.write_text(content)
    messages = [{"role": "user", "content": "hi"}]
    with pytest.raises(InvalidArgumentError, match=problem) as raised:
        asyncio.run(providers.Aichat.create_async("gpt-3.5-turbo", messages, cookies_file=str(path)))
    assert raised.value.provider == "Aichat"
    assert str(raised.value).startswith("Aichat: cookies file ")


def test_cookie_domains_match_the_domain_and_its_subdomains_only(tmp_path: Path) -> None:
    path = tmp_path / "cookies.json"
    entries = [
        {"domain": "chat-gpt.org", "name": "exact", "value": "1"},
        {"domain": ".Chat-GPT.org", "name": "dotted", "value": "2"},
        {"domain": "Xchat-gpt.org", "name": "lookalike", "value": "3"},
        {"domain": "gpt.org", "name": "suffix", "value": "4"},
    ]
    path.write_text(json.dumps(entries))
    assert cookies_for("chat-gpt.org", cookies_file=path) == {"exact": "1", "dotted": "2"}
    assert cookies_for("www.chat-gpt.org", cookies_file=path) == {"exact": "1", "dotted": "2"}


def test_netscape_session_cookies_and_valueless_lines_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    path.write_text(
        "# Netscape HTTP Cookie File\n"
        ".chat-gpt.org\tTRUE\t/\tFALSE\t\tsession\tno-expiry\n"
        ".chat-gpt.org\tTRUE\t/\tFALSE\t0\t\tvalueless\n"
    )
    assert cookies_for("chat-gpt.org", cookies_file=path) == {"session": "no-expiry", "valueless": ""}


def test_a_json_file_may_start_with_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "cookies.json"
    path.write_text('\n  \n{"session": "v"}\n')
    assert cookies_for("chat-gpt.org", cookies_file=path) == {"session": "v"}
