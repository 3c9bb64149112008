"""Configurable matching: vcrpy's matcher names, custom callables, ignored headers with globs,
bodies as data (multipart by parts), and the miss message listing only what is compared."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openai_upstream import upstream

from wiretape import CassetteMissError, ConfigurationError, cassette
from wiretape.matching import DEFAULT_MATCH_ON, MATCHERS, MatchConfig, RequestIndex, RequestView, match_key

pytest_plugins = ["pytester"]

RECORDED = RequestView(
    "POST",
    "https://api.test:443/v1/items?b=2&a=1",
    [("user-agent", "client/1"), ("content-type", "application/json"), ("x-trace", "t1")],
    json.dumps({"n": 1, "tags": ["x"]}).encode(),
)

# One request per matcher, differing from RECORDED in exactly what that matcher compares.
DIFFERING = {
    "method": RequestView("PUT", RECORDED.uri, RECORDED.headers, RECORDED.body),
    "scheme": RequestView(
        RECORDED.method, "http://api.test:443/v1/items?b=2&a=1", RECORDED.headers, RECORDED.body
    ),
    "host": RequestView(
        RECORDED.method, "https://other.test:443/v1/items?b=2&a=1", RECORDED.headers, RECORDED.body
    ),
    "port": RequestView(
        RECORDED.method, "https://api.test:8443/v1/items?b=2&a=1", RECORDED.headers, RECORDED.body
    ),
    "path": RequestView(
        RECORDED.method, "https://api.test:443/v2/items?b=2&a=1", RECORDED.headers, RECORDED.body
    ),
    "query": RequestView(
        RECORDED.method, "https://api.test:443/v1/items?b=3&a=1", RECORDED.headers, RECORDED.body
    ),
    "headers": RequestView(
        RECORDED.method, RECORDED.uri, [*RECORDED.headers[:2], ("x-trace", "t2")], RECORDED.body
    ),
    "body": RequestView(
        RECORDED.method, RECORDED.uri, RECORDED.headers, json.dumps({"n": 2, "tags": ["x"]}).encode()
    ),
    "raw_body": RequestView(RECORDED.method, RECORDED.uri, RECORDED.headers, b'{"tags": ["x"], "n": 1}'),
}
# What each matcher also sees: uri covers the URL's parts.
COVERS = {"uri": {"scheme", "host", "port", "path", "query"}, "raw_body": {"body"}}


@pytest.mark.parametrize("matcher", MATCHERS)
def test_each_matcher_compares_exactly_its_part(matcher: str) -> None:
    config = MatchConfig(match_on=(matcher,))
    for changed, request in DIFFERING.items():
        compared = changed == matcher or changed in COVERS.get(matcher, set())
        same = match_key(request, config) == match_key(RECORDED, config)
        assert same is not compared, f"match_on=({matcher!r},) with a different {changed}"


def test_the_default_is_strict_and_json_is_compared_as_data() -> None:
    assert DEFAULT_MATCH_ON == ("method", "uri", "headers", "body")
    reordered = RequestView(
        RECORDED.method, "https://API.test/v1/items?a=1&b=2", RECORDED.headers, DIFFERING["raw_body"].body
    )
    assert match_key(reordered, MatchConfig()) == match_key(RECORDED, MatchConfig())
    for request in DIFFERING.values():
        if request is not DIFFERING["raw_body"]:
            assert match_key(request, MatchConfig()) != match_key(RECORDED, MatchConfig())


def test_a_custom_matcher_refuses_by_raising_and_its_reason_reaches_the_miss() -> None:
    def same_trace(recorded: RequestView, sent: RequestView) -> None:
        if dict(recorded.headers)["x-trace"] != dict(sent.headers)["x-trace"]:
            raise AssertionError("x-trace differs")

    config = MatchConfig(match_on=("method", "path", same_trace))
    index = RequestIndex(config)
    index.add(RECORDED)
    other = DIFFERING["headers"]
    assert index.take(other) is None
    nearest = index.nearest(other)
    assert nearest is not None and nearest[1] == ["same_trace: x-trace differs"]
    assert index.take(DIFFERING["query"]) == 0


def test_unknown_matcher_names_are_refused_listing_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="unknown matcher.*'headerz'.*one of: method, scheme"):
        MatchConfig(match_on=("method", "headerz"))


def test_ignored_headers_add_to_the_defaults_case_insensitive_with_globs() -> None:
    config = MatchConfig(ignore_headers=("User-Agent", "X-Stainless-*"))
    base = [("content-type", "application/json"), ("content-length", "10")]
    one = RequestView(
        "GET", "https://a.test/", [*base, ("user-agent", "a/1"), ("x-stainless-os", "Linux")], b""
    )
    two = RequestView(
        "GET", "https://a.test/", [*base[:1], ("USER-AGENT", "a/2"), ("x-stainless-arch", "arm")], b""
    )
    assert match_key(one, config) == match_key(two, config)
    # The transport's headers stay ignored (content-length differs above); others still count.
    three = RequestView("GET", "https://a.test/", [*base, ("x-other", "1")], b"")
    assert match_key(one, config) != match_key(three, config)


def multipart(boundary: str, secret: str) -> RequestView:
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n{secret}\r\n--{boundary}--\r\n'
    ).encode()
    return RequestView(
        "POST", "https://a.test/up", [("content-type", f"multipart/form-data; boundary={boundary}")], body
    )


def test_a_multipart_body_matches_whatever_its_random_boundary() -> None:
    config = MatchConfig(ignore_headers=("content-type",))
    assert match_key(multipart("aaaa1111", "k-1"), config) == match_key(multipart("bbbb2222", "k-2"), config)
    changed = multipart("cccc3333", "k-1")
    changed = RequestView(
        changed.method, changed.uri, changed.headers, changed.body.replace(b"hello", b"howdy")
    )
    assert match_key(changed, config) != match_key(multipart("aaaa1111", "k-1"), config)


def test_the_miss_lists_only_the_compared_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with upstream() as url:
        with cassette(path, mode="all"), httpx.Client() as client:
            client.get(f"{url}/a?x=1", headers={"x-trace": "t1"})
        with (
            cassette(path, match_on=("method", "path")),
            httpx.Client() as client,
            pytest.raises(CassetteMissError) as miss,
        ):
            client.get(f"{url}/b?x=2", headers={"x-trace": "t2"})
    message = str(miss.value)
    assert "path: recorded '/a' != sent '/b'" in message
    assert "query.x" not in message and "x-trace" not in message


def test_configured_matching_from_the_marker_fixture_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        # Several names on one line (as the README shows), or one per line.
        "[pytest]\nwiretape_cassette_dir = cassettes\nwiretape_ignore_headers = x-trace x-stainless-*\n"
        "wiretape_match_on =\n    method\n    path query\n"
    )
    pytester.makepyfile(
        test_cfg="""
        import pytest

        def test_ini(cassette):
            assert cassette.config.ignores("X-Trace") and cassette.config.ignores("x-stainless-os")
            assert cassette.config.named == ("method", "path", "query")

        @pytest.mark.cassette("m.yaml", match_on=["method", "path"])
        def test_marker(cassette):
            assert cassette.config.named == ("method", "path")

        class TestFixture:
            @pytest.fixture
            def cassette_options(self):
                return {"match_on": ["method"]}

            def test_fixture(self, cassette):
                assert cassette.config.named == ("method",)
        """
    )
    (pytester.path / "cassettes" / "test_cfg").mkdir(parents=True)
    for name in ("test_ini.yaml", "TestFixture.test_fixture.yaml"):
        (pytester.path / "cassettes" / "test_cfg" / name).write_text("version: 1\ninteractions: []\n")
    (pytester.path / "cassettes" / "m.yaml").write_text("version: 1\ninteractions: []\n")
    pytester.runpytest_inprocess("-q", "-p", "no:asyncio").assert_outcomes(passed=3)


def test_the_fast_path_finds_a_recording_stored_with_capitalised_names_and_no_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wiretape import matching

    recorded = RequestView(
        "POST",
        "https://a.test/v1",
        [("Content-Type", "application/json"), ("User-Agent", "x/1")],
        b'{"big": 1}',
    )
    live = RequestView(
        "POST",
        "https://a.test/v1",
        [
            ("host", "a.test"),
            ("content-type", "application/json"),
            ("user-agent", "x/1"),
            ("content-length", "10"),
        ],
        b'{"big": 1}',
    )
    index = RequestIndex(MatchConfig())
    index.add(recorded)
    computed: list[RequestView] = []
    real_match_key = matching.match_key
    monkeypatch.setattr(
        matching, "match_key", lambda view, config: computed.append(view) or real_match_key(view, config)
    )
    assert index.take(live) == 0
    assert computed == []  # no body parsed, no key computed: found byte for byte


header_bytes = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12).map(str.encode),
    st.text(st.characters(min_codepoint=0xA0, max_codepoint=0x2FFF), max_size=6).map(str.encode),
    st.text(st.characters(min_codepoint=0xA0, max_codepoint=0xFF), min_size=1, max_size=6).map(
        lambda text: text.encode("latin-1")
    ),
)


@given(values=st.lists(header_bytes, min_size=1, max_size=4))
def test_a_request_is_seen_with_the_headers_httpx_itself_decodes(values: list[bytes]) -> None:
    """Names and values as httpx gives them (UTF-8 when every one is, else Latin-1): a recording made
    from them matches what is sent again."""
    from wiretape.clients.httpx_family import view_of

    request = httpx.Request(
        "GET", "https://a.test/", headers=[(f"X-Value-{n}".encode(), v) for n, v in enumerate(values)]
    )
    expected = [(name.lower(), value) for name, value in request.headers.multi_items()]
    assert view_of(request).headers == expected
