"""The parsed-cassette cache: same data as parsing, keyed by content, private, and optional."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import wiretape.file
from wiretape import CassetteFormatError, load, parse_cache

CASSETTE = Path(__file__).resolve().parent.parent / "cassettes" / "chatgptes" / "async.yaml"


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(parse_cache.DISABLE_ENV, raising=False)


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob(f"cache/wiretape/*{parse_cache.SUFFIX}"))


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


EVERY_KIND_OF_BODY = (
    "version: 1\r\n"
    "interactions:\r\n"
    "- request:\r\n"
    "    method: POST\r\n"
    "    uri: https://a.test/x\r\n"
    "    headers: {Accept: [text/plain, '*/*'], X-Count: [7]}\r\n"
    "    body: !!binary |\r\n"
    "      AP8BgA==\r\n"
    "  response:\r\n"
    "    status: {code: 200, message: OK}\r\n"
    "    headers: {}\r\n"
    '    body: {string: "na\\xEFve \\u2603\\r\\nline two\\n"}\r\n'
    "  wiretape: {chunks: [[3, 0.1234567891], [0, 0], [18, 2]], header_delay: 0.0000001}\r\n"
    "- request: {method: GET, uri: 'https://a.test/y', headers: {}, body: null}\r\n"
    "  response: {status: {code: 204, message: ''}, headers: {}, body: {string: ''}}\r\n"
)


def test_a_cached_load_gives_the_same_data_for_every_kind_of_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Binary and non-ASCII bodies, an empty one, CRLF lines, pauses finer than the written 6 digits."""
    path = tmp_path / "c.yaml"
    path.write_bytes(EVERY_KIND_OF_BODY.encode())
    parsed = load(path, cache=False)
    assert parsed.interactions[0].request.body == b"\x00\xff\x01\x80"
    assert parsed.interactions[0].response.chunks[0].delay == 0.1234567891
    load(path)
    assert len(cache_files(tmp_path)) == 1
    # A hit reads the entry only: the YAML is neither checked nor parsed again.
    monkeypatch.setattr(wiretape.file, "_check_structure", None)
    monkeypatch.setattr(wiretape.file, "_parse", None)
    assert load(path) == parsed


@pytest.mark.parametrize(
    "reference",
    ["[0, 999999]", "[999999, 1]", "[-1, 2]", "[0.5, 1]", "[1]", "7", '"x"'],
)
def test_an_entry_pointing_outside_itself_falls_back_to_parsing(tmp_path: Path, reference: str) -> None:
    copy = tmp_path / "c.yaml"
    shutil.copy(CASSETTE, copy)
    expected = load(copy)
    (entry,) = cache_files(tmp_path)
    line, _, blobs = entry.read_bytes().partition(b"\n")
    tampered = re.sub(
        rb'\{"\\u0000blob": \[\d+, \d+\]\}', b'{"\\\\u0000blob": ' + reference.encode() + b"}", line
    )
    assert tampered != line
    entry.write_bytes(tampered + b"\n" + blobs)
    assert load(copy) == expected


def test_a_cassette_holding_the_entries_own_marker_reads_back_the_same(tmp_path: Path) -> None:
    """YAML can write the key the cache marks its bodies with ("\\0blob"): such a document stays out."""
    path = tmp_path / "c.yaml"
    path.write_text(
        "version: 1\n"
        "interactions:\n"
        "- request: {method: GET, uri: 'https://a.test/x', headers: {}, body: null}\n"
        "  response: {status: {code: 200, message: OK}, headers: {}, body: {string: 'secret body'}}\n"
        'wiretape: {"\\0blob": [0, 6]}\n'
    )
    parsed = load(path, cache=False)
    assert parsed.metadata == {"\0blob": [0, 6]}
    assert load(path) == parsed
    assert load(path) == parsed


def test_entries_of_an_older_format_go_at_the_first_look_over_the_cache(tmp_path: Path) -> None:
    """Nothing reads them any more: they would fill the disk outside the bound."""
    directory = tmp_path / "cache" / "wiretape"
    directory.mkdir(mode=0o700, parents=True)
    old = directory / f"{'ab' * 32}.json"
    old.write_text('{"interactions": []}')
    unrelated = directory / "notes.json"
    unrelated.write_text("kept: not named like an entry")
    copy = tmp_path / "c.yaml"
    shutil.copy(CASSETTE, copy)
    load(copy)
    assert not old.exists()
    assert unrelated.exists() and len(cache_files(tmp_path)) == 1


def a_hit_and_a_fresh_parse(tmp_path: Path, text: str) -> tuple[wiretape.file.CassetteData, ...]:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    fresh = load(path, cache=False)
    load(path)
    return fresh, load(path)


ONE_INTERACTION = (
    "version: 1\n"
    "interactions:\n"
    "- request: {method: GET, uri: 'https://a.test/x', headers: {}, body: null}\n"
    "  response: {status: {code: 200, message: OK}, headers: %s, body: {string: 'hi'}}\n"
    "  wiretape: %s\n"
)


def test_an_empty_decoded_name_reads_back_the_same_from_the_cache(tmp_path: Path) -> None:
    fresh, hit = a_hit_and_a_fresh_parse(tmp_path, ONE_INTERACTION % ("{}", "{decoded: ''}"))
    assert hit == fresh


@pytest.mark.parametrize("keys", ["{1: a}", "{true: a}", "{null: a}", "{x: [{2.5: b}]}"])
def test_metadata_keyed_by_other_than_text_reads_back_the_same(tmp_path: Path, keys: str) -> None:
    """JSON would write such a key as text: the document stays out of the cache."""
    fresh, hit = a_hit_and_a_fresh_parse(tmp_path, ONE_INTERACTION % ("{}", "{}") + f"wiretape: {keys}\n")
    assert hit == fresh


@pytest.mark.parametrize("headers", ["{0x1: [a], X: [b], '1': [c]}", "{true: [a], X: [b], 'True': [c]}"])
def test_header_names_that_read_alike_keep_their_order_from_the_cache(tmp_path: Path, headers: str) -> None:
    """Two keys that give one name (0x1 and '1') are grouped, as the cache's document groups them."""
    fresh, hit = a_hit_and_a_fresh_parse(tmp_path, ONE_INTERACTION % (headers, "{}"))
    assert hit == fresh


@pytest.mark.parametrize(
    ("found", "put"),
    [
        (b'"code": 200', b'"code": 999'),  # JSON still, no longer a cassette
        (b'{"\\u0000blob": [0, 4]}', b'"\\ud800"'),  # a body with a lone surrogate, which no YAML holds
        (b'"uri": "https://a.test/x"', b'"uri": {"\\\\u0000blob": [0, 1]}'),
    ],
)
def test_an_entry_that_is_json_but_no_cassette_falls_back_to_parsing(
    tmp_path: Path, found: bytes, put: bytes
) -> None:
    """A damaged entry is the cache's fault, not the cassette's: the file is parsed again."""
    path = tmp_path / "c.yaml"
    path.write_bytes(EVERY_KIND_OF_BODY.encode())
    expected = load(path)
    (entry,) = cache_files(tmp_path)
    damaged = entry.read_bytes().replace(found, put, 1)
    assert damaged != entry.read_bytes()
    entry.write_bytes(damaged)
    assert load(path) == expected
