"""Hypothesis strategies for the providers' inputs and their upstreams' answers.

Every strategy takes keyword-only options, validates them at once (raising
hypothesis's ``InvalidArgument``) and returns a ``SearchStrategy``. Generated
answers carry what a correct provider must make of them (the expected
deltas, nonce, post id), derived from the rules of providers/SPEC.md, not from
the providers' code.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from providers.messages import Message

ROLES = ("system", "user", "assistant")
MODELS = ("gpt-3.5-turbo", "gpt-4", "gpt-4o", "gpt-4o-mini", "")
# The OpenAI-documented ranges of the sampling arguments.
SAMPLING_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0),
    "top_p": (0.0, 1.0),
    "presence_penalty": (-2.0, 2.0),
    "frequency_penalty": (-2.0, 2.0),
}
PROXY_SCHEMES = ("http", "https", "socks5")
LINE_ENDINGS = ("\n", "\r\n", "\r")
EASYCHAT_SERVER_COUNT = 7

# The nonce forms of providers/SPEC.md (ChatGptEs), in the order it tries them.
NONCE_FORMS = ("hidden_input", "json", "var", "object_key", "data_attribute", "any_nonce_key")
POST_ID_FORMS = ("hidden_input", "json", "var", "data_attribute")


# Every character UTF-8 (and so JSON) can carry: astral ones included, lone surrogates not.
_UNICODE = st.characters(codec="utf-8")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidArgument(message)


# ---------------------------------------------------------------- messages, models, kwargs


def message_texts(
    *, max_size: int = 80, allow_empty: bool = True, long: bool = True
) -> st.SearchStrategy[str]:
    """Any Unicode text JSON and UTF-8 can carry (astral characters included, no lone surrogates)."""
    _check(max_size >= 1, f"max_size must be at least 1, got {max_size}")
    short = st.text(_UNICODE, min_size=0 if allow_empty else 1, max_size=max_size)
    if not long:
        return short
    very_long = st.builds(lambda text, times: text * times, short.filter(bool), st.integers(100, 400))
    return st.one_of(short, short, short, very_long)


def messages(
    *,
    min_size: int = 1,
    max_size: int = 6,
    system: bool | None = None,
    content: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[list[Message]]:
    """Chat messages: an optional system message first (always with ``system=True``, never with
    ``False``), then a history of user and assistant turns, ending with the user."""
    _check(1 <= min_size <= max_size, f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    texts = content if content is not None else message_texts()

    @st.composite
    def build(draw: st.DrawFn) -> list[Message]:
        with_system = draw(st.booleans()) if system is None else system
        size = draw(st.integers(min_size, max_size))
        turns = size - 1 if with_system and size > 1 else size
        history: list[Message] = []
        if with_system and size > 1:
            history.append({"role": "system", "content": draw(texts)})
        for position in range(turns):
            role = "user" if (turns - position) % 2 == 1 else "assistant"
            history.append({"role": role, "content": draw(texts)})
        return history

    return build()


def model_names() -> st.SearchStrategy[str]:
    """Model names the providers are asked for, including the empty one (the default)."""
    return st.sampled_from(MODELS)


def sampling_kwargs(*, names: Sequence[str] = tuple(SAMPLING_RANGES)) -> st.SearchStrategy[dict[str, float]]:
    """Any subset of the sampling arguments, each a valid number (ints too)."""
    unknown = set(names) - set(SAMPLING_RANGES)
    _check(not unknown, f"unknown sampling arguments {sorted(unknown)}")
    return st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(
                st.floats(*SAMPLING_RANGES[name], allow_nan=False),
                st.integers(int(SAMPLING_RANGES[name][0]), int(SAMPLING_RANGES[name][1])),
            )
            for name in names
        },
    )


def proxies() -> st.SearchStrategy[str]:
    """Proxy URLs of every supported scheme, with or without credentials and port."""
    hosts = st.sampled_from(["proxy.example", "10.0.0.1", "[::1]", "localhost"])
    return st.builds(
        lambda scheme, credentials, host, port: f"{scheme}://{credentials}{host}{port}",
        st.sampled_from(PROXY_SCHEMES),
        st.sampled_from(["", "user:pass@"]),
        hosts,
        st.one_of(st.just(""), st.integers(1, 65535).map(lambda port: f":{port}")),
    )


def timeouts(*, min_value: float = 0.1, max_value: float = 600.0) -> st.SearchStrategy[float]:
    _check(0 < min_value <= max_value, f"need 0 < min_value <= max_value, got {min_value}, {max_value}")
    return st.one_of(
        st.floats(min_value, max_value), st.integers(int(min_value) + 1, int(max_value)).map(float)
    )


def provider_kwargs(provider: str, *, network: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments the provider documents, each present or absent; with ``network``,
    ``proxy`` and ``timeout`` too (they shape the client, not the request)."""
    sampling: dict[str, tuple[str, ...]] = {
        "EasyChat": tuple(SAMPLING_RANGES),
        "Equing": tuple(SAMPLING_RANGES),
        "Aichat": ("temperature", "top_p"),
        "ChatAnywhere": ("temperature",),
        "ChatGptEs": (),
    }
    _check(provider in sampling, f"unknown provider {provider!r}; expected one of {sorted(sampling)}")
    extra: dict[str, st.SearchStrategy[Any]] = {}
    if provider == "EasyChat":
        extra["active_server"] = st.integers(0, EASYCHAT_SERVER_COUNT - 1)
    if network:
        extra["proxy"] = proxies()
        extra["timeout"] = timeouts()
    return st.builds(
        lambda chosen, more: {**chosen, **more},
        sampling_kwargs(names=sampling[provider]),
        st.fixed_dictionaries({}, optional=extra),
    )


# ---------------------------------------------------------------- ChatGptEs pages


@dataclass(frozen=True)
class ChatPage:
    """A generated chat page and the tokens the documented order of forms selects from it."""

    html: str
    nonce: str | None
    post_id: str | None


_NONCES = st.text("0123456789abcdef", min_size=10, max_size=10)
_POST_IDS = st.integers(1, 10**6).map(str)
_QUOTES = st.sampled_from(['"', "'"])


@st.composite
def _hidden_input(draw: st.DrawFn, name: str, value: str) -> str:
    quote = draw(_QUOTES)
    attributes = [f"type={quote}hidden{quote}", f"name={quote}{name}{quote}", f"value={quote}{value}{quote}"]
    if draw(st.booleans()):
        attributes.append(f'id="field-{name.strip("_")}"')
    order = draw(st.permutations(attributes))
    return "<input " + " ".join(order) + ">"


@st.composite
def _nonce_fragment(draw: st.DrawFn, form: str, nonce: str) -> str:
    quote = draw(_QUOTES)
    space = draw(st.sampled_from(["", " "]))
    if form == "hidden_input":
        return draw(_hidden_input("_wpnonce", nonce))
    if form == "json":
        settings = f'{{"ajax_url":"/wp-admin/admin-ajax.php","_wpnonce":{space}"{nonce}"}}'
        return f"<script>var wpaicg_params = {settings};</script>"
    if form == "var":
        return f"<script>var wpaicg_nonce{space}={space}{quote}{nonce}{quote};</script>"
    if form == "object_key":
        return f"<script>window.wpaicg = {{wpaicg_nonce:{space}{quote}{nonce}{quote}, bot: 0}};</script>"
    if form == "data_attribute":
        return f'<div class="wpaicg-chat" data-nonce={quote}{nonce}{quote}></div>'
    key = draw(st.sampled_from(["security_nonce", "ajax_nonce", "nonce"]))
    separator = draw(st.sampled_from(["=", ":"]))
    return f"<script>var cfg = {{}}; cfg.{key}{space}{separator}{space}{quote}{nonce}{quote};</script>"


@st.composite
def _post_id_fragment(draw: st.DrawFn, form: str, post_id: str) -> str:
    quote = draw(st.sampled_from(['"', "'", ""]))
    if form == "hidden_input":
        return draw(_hidden_input("post_id", post_id))
    if form == "json":
        return f'<script>var wpaicg_post = {{"post_id":"{post_id}","title":"Chat"}};</script>'
    if form == "var":
        return f"<script>var post_id = {quote}{post_id}{quote};</script>"
    return f'<article data-post-id="{post_id}"></article>'


# Things a page carries that look related but are no nonce or post id by the documented forms.
_DECOYS = (
    '<input type="hidden" name="_wp_http_referer" value="/chat/">',
    '<input type="text" name="_wpnonce_field_label" value="Nonce">',
    "<!-- page cached by WP Super Cache -->",
    '<script>var wpaicg_version = "1.9.1"; var wpnonceless = true;</script>',
    '<meta name="generator" content="WordPress 6.4.2">',
    '<script type="application/ld+json">{"@type":"WebPage","name":"ChatGPT"}</script>',
    '<input type="checkbox" name="consent">',
)


def chatgptes_pages(
    *,
    nonce_forms: Sequence[str] = NONCE_FORMS,
    post_id_forms: Sequence[str] = POST_ID_FORMS,
    with_nonce: bool | None = None,
    with_post_id: bool | None = None,
    decoys: bool = True,
) -> st.SearchStrategy[ChatPage]:
    """Chat pages embedding a nonce and a post id in any of the documented forms, several at once,
    among decoys; ``with_nonce=False`` (or ``with_post_id=False``) leaves that token out."""
    _check(
        bool(nonce_forms) and set(nonce_forms) <= set(NONCE_FORMS), f"nonce_forms must be among {NONCE_FORMS}"
    )
    _check(
        bool(post_id_forms) and set(post_id_forms) <= set(POST_ID_FORMS),
        f"post_id_forms must be among {POST_ID_FORMS}",
    )

    @st.composite
    def build(draw: st.DrawFn) -> ChatPage:
        fragments: list[str] = []
        nonce = post_id = None
        if with_nonce if with_nonce is not None else draw(st.booleans()):
            forms = draw(st.lists(st.sampled_from(nonce_forms), min_size=1, unique=True))
            values = draw(st.lists(_NONCES, min_size=len(forms), max_size=len(forms), unique=True))
            chosen = dict(zip(forms, values, strict=True))
            nonce = chosen[min(forms, key=NONCE_FORMS.index)]
            fragments += [draw(_nonce_fragment(form, value)) for form, value in chosen.items()]
        if with_post_id if with_post_id is not None else draw(st.booleans()):
            forms = draw(st.lists(st.sampled_from(post_id_forms), min_size=1, unique=True))
            values = draw(st.lists(_POST_IDS, min_size=len(forms), max_size=len(forms), unique=True))
            chosen = dict(zip(forms, values, strict=True))
            post_id = chosen[min(forms, key=POST_ID_FORMS.index)]
            fragments += [draw(_post_id_fragment(form, value)) for form, value in chosen.items()]
        if decoys:
            fragments += draw(st.lists(st.sampled_from(_DECOYS), max_size=4))
        body = "\n".join(draw(st.permutations(fragments)))
        head = '<!DOCTYPE html><html lang="es"><head><title>ChatGPT</title></head><body>'
        return ChatPage(html=f"{head}\n{body}\n</body></html>", nonce=nonce, post_id=post_id)

    return build()


# ---------------------------------------------------------------- event streams and text streams


@dataclass(frozen=True)
class CompletionStream:
    """An OpenAI-style completion event stream and the texts a correct reader yields from it."""

    body: bytes
    expected: list[str]


def _chunk(delta: dict[str, Any] | None) -> str:
    choices: list[Any] = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": None}]
    return json.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": choices})


def completion_streams(
    *,
    deltas: st.SearchStrategy[list[str]] | None = None,
    line_endings: Sequence[str] = LINE_ENDINGS,
) -> st.SearchStrategy[CompletionStream]:
    """Streams of the given deltas in every valid wire variation: LF, CRLF or CR line ends,
    comments, keep-alive blank lines, ``data:`` with or without the space, a role-only first chunk,
    null and empty content, empty choices, data split over two lines, ``[DONE]`` or not (and events
    after ``[DONE]``, which must be ignored)."""
    _check(
        bool(line_endings) and set(line_endings) <= set(LINE_ENDINGS),
        "line_endings must be among LF, CRLF, CR",
    )
    texts = deltas if deltas is not None else st.lists(message_texts(max_size=12, long=False), max_size=12)

    @st.composite
    def build(draw: st.DrawFn) -> CompletionStream:
        pieces = draw(texts)
        payloads: list[str] = []
        if draw(st.booleans()):
            payloads.append(
                _chunk(
                    {"role": "assistant"} | draw(st.sampled_from([{}, {"content": None}, {"content": ""}]))
                )
            )
        for text in pieces:
            payloads.append(_chunk({"content": text}))
            filler = draw(st.sampled_from([None, "empty_choices", "null_content", "empty_delta"]))
            if filler == "empty_choices":
                payloads.append(_chunk(None))
            elif filler == "null_content":
                payloads.append(_chunk({"content": None}))
            elif filler == "empty_delta":
                payloads.append(_chunk({}))
        done = draw(st.booleans())
        if done:
            payloads.append("[DONE]")
            if draw(st.booleans()):
                payloads.append(_chunk({"content": "after the end"}))
        lines: list[str] = []
        for payload in payloads:
            if draw(st.integers(0, 4)) == 0:
                lines.append(draw(st.sampled_from([": keep-alive", ":", ""])))
            space = draw(st.sampled_from(["", " "]))
            if payload.startswith("{") and draw(st.integers(0, 5)) == 0:
                # One event's data over two lines; the reader joins them with "\n".
                middle = payload.index(",") + 1
                lines += [f"data:{space}{payload[:middle]}", f"data:{space}{payload[middle:]}"]
            else:
                lines.append(f"data:{space}{payload}")
            if draw(st.integers(0, 6)) == 0:
                lines.append(f"id: {len(lines)}")
            lines.append("")
        # One line ending per stream: a CR followed by an LF-ended empty line would read as one CRLF.
        ending = draw(st.sampled_from(line_endings))
        text = "".join(line + ending for line in lines)
        expected = [piece for piece in pieces if piece]
        return CompletionStream(body=text.encode(), expected=expected)

    return build()


def chunkings(data: bytes, *, max_pieces: int = 40) -> st.SearchStrategy[list[bytes]]:
    """Every way of cutting ``data`` into at most ``max_pieces`` non-empty consecutive pieces."""
    _check(max_pieces >= 1, f"max_pieces must be at least 1, got {max_pieces}")
    if len(data) <= 1:
        return st.just([data] if data else [])
    cuts = st.lists(st.integers(1, len(data) - 1), max_size=max_pieces - 1, unique=True)
    return cuts.map(lambda points: _cut(data, sorted(points)))


def _cut(data: bytes, points: list[int]) -> list[bytes]:
    edges = [0, *points, len(data)]
    return [data[start:end] for start, end in itertools.pairwise(edges)]


@dataclass(frozen=True)
class CutText:
    """A text, and its UTF-8 bytes cut at arbitrary offsets (inside characters too)."""

    text: str
    pieces: list[bytes]


def utf8_cuts(
    *, text: st.SearchStrategy[str] | None = None, max_pieces: int = 40
) -> st.SearchStrategy[CutText]:
    """Texts (multi-byte and astral characters likely) with their bytes cut anywhere."""
    source = text if text is not None else st.text(_UNICODE, min_size=1, max_size=60)
    return source.flatmap(
        lambda value: chunkings(value.encode(), max_pieces=max_pieces).map(
            lambda pieces: CutText(value, pieces)
        )
    )
