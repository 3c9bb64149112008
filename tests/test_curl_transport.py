"""The curl providers' transport: curl hands over the body as it was sent and it is decoded in Python,
piece by piece; the request on the wire, the answers and the recordings stay what they were."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import providers
from providers.decoding import PIECE, Decoder, decoder_for
from providers.http import ClientSpec, async_client, sync_client
from tests.helpers import model_for
from tests.hostile_apps import CALLS, CHAT_PAGE, MIB, HostileUpstream, serving
from tools.emulators.server import Exchange, LoopbackServer
from wiretape import Cassette, load

CURL_PROVIDERS = ["Aichat", "ChatGptEs"]
ANSWERS = {"Aichat": b'{"response": true, "message": "hello"}', "ChatGptEs": b'{"data": "hello"}'}
#: httpx's default (gzip, deflate; br and zstd too where brotli and zstandard are installed), which
#: httpx-curl-cffi passes to curl as a header of the request, as the httpx providers send it.
ACCEPT_ENCODING = httpx.Client().headers["accept-encoding"]


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


CODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "deflate (raw)": raw_deflate,
    "gzip, gzip": lambda data: gzip.compress(gzip.compress(data)),
    "identity": lambda data: data,
}


def ask(name: str) -> str:
    chunks = providers.get(name).create_completion(
        model_for(name), [{"role": "user", "content": "hi"}], stream=False, timeout=10, **CALLS[name]
    )
    return "".join(chunks)


# ---------------------------------------------------------------- the wire


class HeaderLog(HostileUpstream):
    """Answers normally, keeping each request's header lines as they came (names, values, order)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, list[tuple[str, str]]]] = []

    def __call__(self, exchange: Exchange) -> None:
        self.requests.append((f"{exchange.method} {exchange.host}", list(exchange.handler.headers.items())))
        super().__call__(exchange)


AICHAT_POST = [
    ("Host", "chat-gpt.org"),
    ("Accept-Encoding", ACCEPT_ENCODING),
    ("authority", "chat-gpt.org"),
    ("accept", "*/*"),
    ("accept-language", "en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3"),
    ("content-type", "application/json"),
    ("origin", "https://chat-gpt.org"),
    ("referer", "https://chat-gpt.org/chat"),
    ("sec-ch-ua", '"Chromium";v="118", "Google Chrome";v="118", "Not=A?Brand";v="99"'),
    ("sec-ch-ua-mobile", "?0"),
    ("sec-ch-ua-platform", '"macOS"'),
    ("sec-fetch-dest", "empty"),
    ("sec-fetch-mode", "cors"),
    ("sec-fetch-site", "same-origin"),
    (
        "user-agent",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36",
    ),
    ("Cookie", "session=s"),
    ("Content-Length", "87"),
    ("Connection", "keep-alive"),
]
CHATGPTES_HEADERS = [
    ("Host", "chatgpt.es"),
    ("Accept-Encoding", ACCEPT_ENCODING),
    (
        "user-agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
    ),
    ("referer", "https://chatgpt.es"),
    ("origin", "https://chatgpt.es"),
    ("accept", "*/*"),
    ("accept-language", "en-US,en;q=0.9"),
    ("content-type", "application/x-www-form-urlencoded; charset=UTF-8"),
    ("x-requested-with", "XMLHttpRequest"),
]
CHATGPTES_GET = [*CHATGPTES_HEADERS, ("Connection", "keep-alive")]
CHATGPTES_POST = [
    *CHATGPTES_HEADERS,
    ("Cookie", "sess=page-cookie-0123"),
    ("Content-Length", "867"),
    ("Connection", "keep-alive"),
]


@pytest.fixture(scope="module")
def upstream() -> Iterator[HeaderLog]:
    with serving(HeaderLog()) as app:
        yield app


@pytest.fixture
def fresh(upstream: HeaderLog) -> HeaderLog:
    upstream.behaving().requests.clear()
    return upstream


def test_the_curl_providers_send_the_header_lines_they_always_sent(fresh: HeaderLog) -> None:
    assert ask("Aichat") == "hello"
    assert ask("ChatGptEs") == "hello"
    assert fresh.requests == [
        ("POST chat-gpt.org", AICHAT_POST),
        ("GET chatgpt.es", CHATGPTES_GET),
        ("POST chatgpt.es", CHATGPTES_POST),
    ]


# ---------------------------------------------------------------- answers


@pytest.mark.parametrize("coding", list(CODINGS))
@pytest.mark.parametrize("name", CURL_PROVIDERS)
def test_a_compressed_answer_is_decoded(fresh: HeaderLog, name: str, coding: str) -> None:
    headers = {"content-type": "application/json", "content-encoding": coding.split(" (")[0]}
    fresh.attack, fresh.custom = "custom", (200, headers, CODINGS[coding](ANSWERS[name]))
    assert ask(name) == "hello"


def test_a_compressed_page_is_decoded(fresh: HeaderLog) -> None:
    headers = {"content-type": "text/html", "content-encoding": "gzip"}
    fresh.page_attack, fresh.custom = "custom", (200, headers, gzip.compress(CHAT_PAGE.encode()))
    assert ask("ChatGptEs") == "hello"


@pytest.mark.parametrize("name", CURL_PROVIDERS)
def test_a_compressed_error_body_is_decoded(fresh: HeaderLog, name: str) -> None:
    headers = {"content-type": "text/plain", "content-encoding": "gzip"}
    fresh.attack, fresh.custom = "custom", (500, headers, gzip.compress(b"no, sorry"))
    with pytest.raises(providers.StatusError) as raised:
        ask(name)
    assert raised.value.body_excerpt == "no, sorry"


@pytest.mark.parametrize("name", CURL_PROVIDERS)
def test_a_corrupt_compressed_answer_is_a_format_error(fresh: HeaderLog, name: str) -> None:
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    fresh.attack, fresh.custom = "custom", (200, headers, b"\x1f\x8b\x08garbage")
    with pytest.raises(providers.ResponseFormatError, match="could not be decoded"):
        ask(name)


# ---------------------------------------------------------------- recording and replaying


GZIP_HOST = "gzip.test"


def gzip_in_pieces(exchange: Exchange) -> None:
    """``/whole``: one gzip body with its length; any other path: chunked, in three pieces."""
    body = gzip.compress(b"hello " * 1000)
    headers = {"content-type": "text/plain", "content-encoding": "gzip"}
    if exchange.path == "/whole":
        exchange.respond(200, body, headers)
    else:
        exchange.stream(200, [body[:10], body[10:30], body[30:]], headers)


@pytest.fixture(scope="module")
def gzip_upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer({GZIP_HOST: gzip_in_pieces}) as server:
        yield server


def fetch_sync(url: str) -> bytes:
    with sync_client(ClientSpec(provider="t", impersonate="chrome110")) as client:
        return client.get(url).content


def fetch_async(url: str) -> bytes:
    async def fetch() -> bytes:
        async with async_client(ClientSpec(provider="t", impersonate="chrome110")) as client:
            return (await client.get(url)).content

    return asyncio.run(fetch())


@pytest.mark.parametrize("fetch", [fetch_sync, fetch_async], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("where", "lengths"), [("/text", []), ("/whole", ["6000"])], ids=["chunked", "length"]
)
def test_a_compressed_answer_through_curl_is_recorded_decoded_and_replays(
    gzip_upstream: LoopbackServer,
    tmp_path: Path,
    fetch: Callable[[str], bytes],
    where: str,
    lengths: list[str],
) -> None:
    path = tmp_path / "c.yaml"
    url = f"https://{GZIP_HOST}{where}"
    with gzip_upstream.overrides(), Cassette(path, mode="all"):
        live = fetch(url)
    assert live == b"hello " * 1000
    recorded = load(path).interactions[0].response
    assert recorded.body == live
    assert not any(name.lower() == "content-encoding" for name, _ in recorded.headers)
    # The length the headers give, if any, is the stored body's, not the compressed one's.
    assert [value for name, value in recorded.headers if name.lower() == "content-length"] == lengths
    assert sum(chunk.size for chunk in recorded.chunks) == len(live)
    with Cassette(path):
        assert fetch(url) == live


# ---------------------------------------------------------------- decoding, piece by piece


def decoder(coding: str) -> Decoder:
    found = decoder_for(httpx.Headers({"content-encoding": coding}))
    assert found is not None
    return found


def test_a_bomb_is_decoded_a_bounded_piece_at_a_time() -> None:
    bomb = gzip.compress(bytes(32 * MIB))
    gzip_decoder = decoder("gzip")
    pieces = gzip_decoder.decode(bomb)
    assert len(next(pieces)) == PIECE
    sizes = [PIECE, *map(len, pieces), *map(len, gzip_decoder.flush())]
    assert max(sizes) == PIECE
    assert sum(sizes) == 32 * MIB


@given(body=st.binary(max_size=4096), cuts=st.lists(st.integers(min_value=0, max_value=8192), max_size=8))
@pytest.mark.parametrize("coding", [coding for coding in CODINGS if coding != "identity"])
def test_a_body_decodes_the_same_however_it_is_cut(coding: str, body: bytes, cuts: list[int]) -> None:
    encoded = CODINGS[coding](body + b"some text, some text, some text")
    bounds = [0, *sorted(cut % (len(encoded) + 1) for cut in cuts), len(encoded)]
    pieces = [encoded[start:end] for start, end in itertools.pairwise(bounds)]
    body_decoder = decoder(coding.split(" (")[0])
    out = [out for piece in pieces for out in body_decoder.decode(piece)]
    assert b"".join([*out, *body_decoder.flush()]) == body + b"some text, some text, some text"


def test_data_after_the_end_of_a_gzip_body_is_ignored() -> None:
    gzip_decoder = decoder("gzip")
    assert b"".join(gzip_decoder.decode(gzip.compress(b"hello") + b"trailing")) == b"hello"


@pytest.mark.parametrize(
    ("coding", "data", "error"),
    [
        ("gzip", b"\x1f\x8b\x08garbage", "header"),
        ("deflate", b"\x78\x9c\xff\xff", "invalid"),
        ("compress", b"data", "unsupported content-encoding 'compress'"),
        ("identity, compress", b"data", "unsupported content-encoding 'compress'"),
    ],
)
def test_a_body_that_cannot_be_decoded_is_a_decoding_error(coding: str, data: bytes, error: str) -> None:
    with pytest.raises(httpx.DecodingError, match=error):
        list(decoder(coding).decode(data))


@pytest.mark.parametrize("headers", [{}, {"content-encoding": "identity"}, {"content-encoding": ""}])
def test_a_body_sent_as_it_is_needs_no_decoder(headers: dict[str, str]) -> None:
    assert decoder_for(httpx.Headers(headers)) is None
