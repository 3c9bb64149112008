"""Hostile cassette files are refused as CassetteFormatError, fast and in bounded memory; the parse
cache holds only validated files, per user, bounded; recorders never lose each other's work."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.emulators.server import Exchange, LoopbackServer
from wiretape import CassetteFormatError, load, loads, parse_cache

MEMORY_LIMIT = 1 << 30  # a regression must fail the test, not take the machine's memory

ALIAS_BOMB = "\n".join(
    [
        "a: &a ['x','x','x','x','x','x','x','x','x','x']",
        *(f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]" for n in range(9)),
        "version: 1",
        "interactions: []",
    ]
)


def refused_in_a_subprocess(text: str) -> str:
    """What loading ``text`` says, in a process limited to 1 GiB (a bomb would die of it)."""
    script = textwrap.dedent(
        """
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (BYTES, BYTES))
        from wiretape import CassetteFormatError, loads
        try:
            loads(sys.stdin.read(), source="hostile.yaml", cache=False)
        except CassetteFormatError as error:
            print("refused:", error)
        else:
            print("accepted")
        """
    ).replace("BYTES", str(MEMORY_LIMIT))
    done = subprocess.run(
        [sys.executable, "-c", script], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"crashed with {done.returncode}: {done.stderr[-500:]}"
    return done.stdout.strip()


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    assert refused_in_a_subprocess(ALIAS_BOMB).startswith(
        "refused: hostile.yaml: more than 5000000 YAML nodes (aliases expanded)"
    )


@pytest.mark.parametrize("depth", [990, 30_000])
def test_deep_nesting_is_refused_without_recursion(depth: int) -> None:
    text = "version: 1\ninteractions: " + "[" * depth + "]" * depth + "\n"
    assert refused_in_a_subprocess(text) == (
        "refused: hostile.yaml: collections nested deeper than 64 levels"
    )


def test_a_duplicate_key_is_refused() -> None:
    with pytest.raises(CassetteFormatError, match="duplicate key 'interactions'"):
        loads("version: 1\ninteractions: []\ninteractions: []\n", cache=False)


def cassette(**fields: str) -> str:
    values = {
        "uri": "https://a.test/x",
        "code": "200",
        "header_delay": "0.1",
        "chunk": "[2, 0.5]",
        **fields,
    }
    return textwrap.dedent(
        f"""
        version: 1
        interactions:
        - request: {{method: GET, uri: '{values["uri"]}', headers: {{}}, body: null}}
          response:
            status: {{code: {values["code"]}, message: OK}}
            headers: {{}}
            body: {{string: 'ok'}}
          wiretape: {{chunks: [{values["chunk"]}], header_delay: {values["header_delay"]}}}
        """
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"chunk": "[2, soon]"}, r"interactions\[0\].wiretape.chunks\[0\] delay must be a number of seconds"),
        ({"chunk": "[2, .inf]"}, r"interactions\[0\].wiretape.chunks\[0\] delay must be between 0 and 3600"),
        (
            {"chunk": "[2, 1.0e+5]"},
            r"interactions\[0\].wiretape.chunks\[0\] delay must be between 0 and 3600 seconds, not 100000.0",
        ),
        # Two-item values that are not lists (bytes 2, 0; a set {0, 2}) are no pair.
        (
            {"chunk": "!!binary AgA="},
            r"interactions\[0\].wiretape.chunks\[0\] must be a \[size, delay\] pair",
        ),
        (
            {"chunk": "!!set {2: null, 0: null}"},
            r"interactions\[0\].wiretape.chunks\[0\] must be a \[size, delay\] pair",
        ),
        ({"header_delay": "-1"}, r"interactions\[0\].wiretape.header_delay must be between 0 and 3600"),
        ({"uri": "https://a.test:99999/x"}, r"interactions\[0\].request.uri is not a valid URL"),
        (
            {"code": "true"},
            r"interactions\[0\].response.status.code must be an HTTP status from 100 to 599 \(or 0: no response\), not True",
        ),
        ({"code": "-5"}, r"interactions\[0\].response.status.code must be an HTTP status .*, not -5"),
        (
            {"code": str(10**30)},
            r"interactions\[0\].response.status.code must be an HTTP status .*, not 1000000000000000000000000000000",
        ),
    ],
)
def test_wrong_values_are_format_errors_naming_the_file_and_field(
    tmp_path: Path, fields: dict[str, str], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(cassette(**fields))
    with pytest.raises(CassetteFormatError, match=f"{path}: {message}"):
        load(path, cache=False)
    assert load_ok(tmp_path)


def load_ok(tmp_path: Path) -> bool:
    good = tmp_path / "good.yaml"
    good.write_text(cassette())
    return load(good, cache=False).interactions[0].response.chunks[0].delay == 0.5


def cache_files() -> list[Path]:
    directory = parse_cache.directory()
    return sorted(directory.glob(f"*{parse_cache.SUFFIX}")) if directory else []


def test_the_cache_holds_only_validated_cassettes_in_a_private_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    directory = parse_cache.directory()
    assert directory is not None
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700 and directory.stat().st_uid == os.getuid()
    before = set(cache_files())
    with pytest.raises(CassetteFormatError):
        loads("version: 1\ninteractions: 7\n", source="invalid.yaml")
    assert set(cache_files()) == before
    loads(cassette(uri="https://cached.test/only-this-one"))
    assert len(set(cache_files()) - before) == 1


def test_the_cache_is_bounded_and_evicts_the_oldest(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(parse_cache, "MAX_BYTES", 4000)
    for index in range(20):
        loads(cassette(uri=f"https://a.test/{index}"))
    files = cache_files()
    assert sum(file.stat().st_size for file in files) <= 4000
    assert 0 < len(files) < 20


def cache_bytes() -> int:
    return sum(file.stat().st_size for file in cache_files())


def test_a_full_cache_is_looked_over_now_and_then_yet_never_past_its_bound(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Looking over the cache costs a stat per entry: not done on every entry put in."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(parse_cache, "MAX_BYTES", 32_000)
    looked_over: list[Path] = []
    evict = parse_cache._evict

    def counted(where: Path) -> int:
        looked_over.append(where)
        return evict(where)

    monkeypatch.setattr(parse_cache, "_evict", counted)
    totals = []
    for index in range(200):
        loads(cassette(uri=f"https://a.test/{index}"))
        totals.append(cache_bytes())
    assert max(totals) <= 32_000
    assert len(cache_files()) < 200
    # Evicted down to the low-water mark, so the next entries do not each need a look.
    assert min(totals[150:]) <= 32_000 * parse_cache.LOW_WATER
    assert 0 < len(looked_over) <= 200 // 4


def test_entries_another_process_put_in_are_counted_within_the_rescan_share(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(parse_cache, "MAX_BYTES", 32_000)
    loads(cassette(uri="https://a.test/first"))
    entry = cache_bytes()
    directory = parse_cache.directory()
    assert directory is not None
    for number in range(10):  # another process fills the cache past its bound
        (directory / f"{number:064x}{parse_cache.SUFFIX}").write_text("{}" + " " * 3998)
    assert cache_bytes() > 32_000
    share = 32_000 * parse_cache.RESCAN_SHARE
    for index in range(int(share // entry) + 1):
        loads(cassette(uri=f"https://a.test/{index}"))
    assert cache_bytes() <= 32_000


def test_lint_keeps_unsanitised_files_out_of_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from wiretape.lint import lint_paths

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "c.yaml").write_text(cassette())
    lint_paths([tmp_path], use_detect_secrets=False)
    assert cache_files() == []


# ---------------------------------------------------------------- recorders

HOST = "rec.test"


def app(exchange: Exchange) -> None:
    if exchange.path == "/endless":
        # Keeps sending after the part the client wants, for up to 3 s.
        exchange.stream(
            200,
            [b"data: first\n\n", *[b"data: more\n\n"] * 300],
            {"content-type": "text/event-stream"},
            delay=0.01,
        )
    else:
        exchange.respond(200, exchange.path)


@pytest.fixture(scope="module")
def upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer({HOST: app}) as server:
        yield server


def test_recording_ends_where_the_client_stopped_reading(upstream: LoopbackServer, tmp_path: Path) -> None:
    from providers.http import ClientSpec, sync_client
    from wiretape import Cassette

    path = tmp_path / "c.yaml"
    with (
        upstream.overrides(),
        Cassette(path, mode="all"),
        sync_client(ClientSpec(provider="t")) as client,
        client.stream("GET", f"https://{HOST}/endless") as response,
    ):
        first = next(response.iter_bytes())
    recorded = load(path).interactions[0].response
    assert recorded.body == first == b"data: first\n\n"
    assert recorded.truncated_by_client and recorded.error is None
    assert "truncated_by_client: true" in path.read_text()


NEW_EPISODES = """
import sys, time
from pathlib import Path
from providers.http import ClientSpec, network_overrides, sync_client
from wiretape import Cassette

path, port, ca, name, hold = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
with network_overrides(routes={"rec.test": ("127.0.0.1", port)}, ca_bundle=ca):
    with Cassette(path, mode="new_episodes"), sync_client(ClientSpec(provider="t")) as client:
        print("entered", flush=True)
        for index in range(5):
            client.get(f"https://rec.test/{name}/{index}")
        time.sleep(hold)
"""


@pytest.mark.slow
def test_two_new_episodes_recorders_of_a_new_cassette_keep_both(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"

    def start(name: str, hold: float) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [
                sys.executable,
                "-c",
                NEW_EPISODES,
                str(path),
                str(upstream.port),
                upstream.ca_file,
                name,
                str(hold),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )

    first = start("a", 1.0)
    assert first.stdout is not None and first.stdout.readline().strip() == "entered"
    second = start("b", 0.0)  # starts while the first holds the cassette open, before it exists
    assert [first.wait(timeout=60), second.wait(timeout=60)] == [0, 0]
    uris = sorted(interaction.request.uri for interaction in load(path).interactions)
    assert uris == sorted(f"https://rec.test/{name}/{index}" for name in "ab" for index in range(5))


def test_re_recording_keeps_the_files_mode_and_clears_stale_temporaries(
    upstream: LoopbackServer, tmp_path: Path
) -> None:
    from providers.http import ClientSpec, sync_client
    from wiretape import Cassette

    path = tmp_path / "c.yaml"

    def record() -> None:
        with (
            upstream.overrides(),
            Cassette(path, mode="all"),
            sync_client(ClientSpec(provider="t")) as client,
        ):
            client.get(f"https://{HOST}/x")

    record()
    path.chmod(0o644)
    stale = tmp_path / ".c.yaml.0badc0ffee00.tmp"  # what a SIGKILLed writer leaves
    stale.write_text("half a cassette")
    record()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not stale.exists()
    path.chmod(0o664)
    record()
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


def test_a_new_cassette_gets_the_default_mode(upstream: LoopbackServer, tmp_path: Path) -> None:
    from providers.http import ClientSpec, sync_client
    from wiretape import Cassette

    umask = os.umask(0o022)
    os.umask(umask)
    path = tmp_path / "new.yaml"
    with upstream.overrides(), Cassette(path, mode="all"), sync_client(ClientSpec(provider="t")) as client:
        client.get(f"https://{HOST}/x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_lock_files_and_temporaries_are_ignored_by_git() -> None:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        ["git", "check-ignore", "cassettes/x/.a.yaml.lock", "cassettes/x/.a.yaml.1a2b3c4d5e6f.tmp"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.split() == ["cassettes/x/.a.yaml.lock", "cassettes/x/.a.yaml.1a2b3c4d5e6f.tmp"]


@pytest.mark.parametrize("cache", [True, False])
def test_text_with_a_lone_surrogate_is_a_format_error(cache: bool) -> None:
    """No file decodes to one (its bytes are not UTF-8); a caller's text may hold one."""
    with pytest.raises(CassetteFormatError, match=r"<cassette>: not UTF-8 text \(a lone surrogate"):
        loads("version: 1\ninteractions: []\nwiretape: {x: '\ud800'}\n", cache=cache)


def test_an_integer_too_long_to_read_is_a_format_error() -> None:
    assert refused_in_a_subprocess("version: 1" + "0" * 5000 + "\ninteractions: []\n").startswith(
        "refused: hostile.yaml: a value cannot be read"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "0"}, r"status 0 \(no response\) needs the failure that came instead"),
    ],
)
def test_a_recording_without_a_response_needs_its_failure(
    tmp_path: Path, fields: dict[str, str], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(cassette(**fields))
    with pytest.raises(CassetteFormatError, match=message):
        load(path, cache=False)


def test_an_unknown_failure_kind_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        cassette().replace("header_delay: 0.1}", "header_delay: 0.1, error: {kind: Bogus, message: x}}")
    )
    with pytest.raises(
        CassetteFormatError, match=r"error.kind 'Bogus' is not one of: ConnectError, ConnectTimeout"
    ):
        load(path, cache=False)


def test_a_misspelt_cassette_option_names_the_right_ones(tmp_path: Path) -> None:
    from wiretape import ConfigurationError
    from wiretape import cassette as open_cassette

    with pytest.raises(
        ConfigurationError, match=r"unknown cassette option\(s\) matchon; one of: mode, rules, match_on"
    ):
        open_cassette(tmp_path / "c.yaml", matchon=["method"])
