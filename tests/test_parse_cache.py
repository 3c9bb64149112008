"""The parsed-cassette cache: same data as parsing, keyed by content, private, and optional."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from wiretape import CassetteFormatError, load, parse_cache

CASSETTE = Path(__file__).resolve().parent.parent / "cassettes" / "chatgptes" / "async.yaml"


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(parse_cache.DISABLE_ENV, raising=False)


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob("cache/wiretape/*.json"))


def test_a_cached_load_gives_the_same_data_as_parsing(tmp_path: Path) -> None:
    copy = tmp_path / "c.yaml"
    shutil.copy(CASSETTE, copy)
    parsed = load(copy)
    assert len(cache_files(tmp_path)) == 1
    assert load(copy) == parsed


def test_an_edited_cassette_is_parsed_again(tmp_path: Path) -> None:
    copy = tmp_path / "c.yaml"
    shutil.copy(CASSETTE, copy)
    load(copy)
    copy.write_text(copy.read_text().replace("code: 200", "code: 201", 1))
    assert load(copy).interactions[0].response.status == 201
    assert len(cache_files(tmp_path)) == 2


def test_a_corrupt_cache_entry_falls_back_to_parsing(tmp_path: Path) -> None:
    copy = tmp_path / "c.yaml"
    shutil.copy(CASSETTE, copy)
    expected = load(copy)
    for entry in cache_files(tmp_path):
        entry.write_text("{not json")
    assert load(copy) == expected


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parse_cache.DISABLE_ENV, "1")
    copy = tmp_path / "c.yaml"
    shutil.copy(CASSETTE, copy)
    load(copy)
    assert cache_files(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_can_write_is_not_used(tmp_path: Path) -> None:
    directory = tmp_path / "cache" / "wiretape"
    directory.mkdir(mode=0o777, parents=True)
    directory.chmod(0o777)
    copy = tmp_path / "c.yaml"
    shutil.copy(CASSETTE, copy)
    load(copy)
    assert cache_files(tmp_path) == []


def test_a_rejected_cassette_is_never_cached(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("interactions: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(CassetteFormatError, match="safe loader"):
        load(evil)
    assert cache_files(tmp_path) == []
