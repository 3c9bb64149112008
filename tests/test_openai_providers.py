"""EasyChat and Equing against respx: exact requests, parsed answers, error paths, all styles."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

import providers
from providers import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    ProviderConnectionError,
    RateLimitError,
    ResponseFormatError,
    StatusError,
)
from tests.helpers import STYLES, call, header_subset, json_body, streaming
from tests.spec_contracts import (
    EASYCHAT_SERVERS,
    EQUING_ENDPOINT,
    EQUING_HEADERS,
    OPENAI_BODY_KEYS,
    OPENAI_DEFAULTS,
    easychat_headers,
    sse,
)

MODEL = "gpt-3.5-turbo"


def mock_easychat(
    router: respx.MockRouter, server: str, answer: httpx.Response | None = None, **side: object
) -> respx.Route:
    router.get(f"{server}/").respond(200, headers={"set-cookie": "session=abc; Path=/"})
    route = router.post(f"{server}/api/openai/v1/chat/completions")
    if answer is not None:
        route.mock(return_value=answer)
    else:
        route.mock(side_effect=side["side_effect"])
    return route


@pytest.mark.parametrize("index", range(len(EASYCHAT_SERVERS)))
def test_easychat_stream_request_matches_the_contract(
    index: int, user_messages: list[dict[str, str]]
) -> None:
    server = EASYCHAT_SERVERS[index]
    with respx.mock(using="httpx") as router:
        route = mock_easychat(router, server, side_effect=streaming([sse("Hel", "lo")]))
        chunks = list(
            providers.EasyChat.create_completion(MODEL, user_messages, stream=True, active_server=index)
        )
    assert chunks == ["Hel", "lo"]
    request = route.calls.last.request
    assert request.method == "POST"
    expected = easychat_headers(server)
    assert header_subset(request, expected) == expected
    body = json_body(request)
    assert list(body) == OPENAI_BODY_KEYS
    assert body == {"messages": user_messages, "stream": True, "model": MODEL, **OPENAI_DEFAULTS}
    # The cookie collected by the GET goes out with the POST.
    assert request.headers["cookie"] == "session=abc"


def test_easychat_kwargs_override_defaults(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        route = mock_easychat(router, EASYCHAT_SERVERS[0], side_effect=streaming([sse("x")]))
        list(
            providers.EasyChat.create_completion(
                MODEL,
                user_messages,
                stream=True,
                active_server=0,
                temperature=0.7,
                top_p=0.9,
                presence_penalty=1,
                frequency_penalty=-1,
            )
        )
    body = json_body(route.calls.last.request)
    assert (body["temperature"], body["top_p"], body["presence_penalty"], body["frequency_penalty"]) == (
        0.7,
        0.9,
        1,
        -1,
    )


def test_easychat_picks_every_server_including_the_seventh(
    user_messages: list[dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = set()
    with respx.mock(using="httpx") as router:
        for server in EASYCHAT_SERVERS:
            mock_easychat(
                router,
                server,
                answer=httpx.Response(200, json={"choices": [{"message": {"content": server}}]}),
            )
        for pick in range(len(EASYCHAT_SERVERS)):
            monkeypatch.setattr(
                "providers.easychat.random.randrange", lambda n, pick=pick: pick if n == 7 else 0
            )
            seen.add(next(iter(providers.EasyChat.create_completion(MODEL, user_messages, stream=False))))
    assert seen == set(EASYCHAT_SERVERS)


def test_easychat_non_stream_yields_message_content(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        route = mock_easychat(
            router,
            EASYCHAT_SERVERS[2],
            answer=httpx.Response(200, json={"choices": [{"message": {"content": "Fine."}}]}),
        )
        chunks = list(
            providers.EasyChat.create_completion(MODEL, user_messages, stream=False, active_server=2)
        )
    assert chunks == ["Fine."]
    assert json_body(route.calls.last.request)["stream"] is False


def test_easychat_no_choices_is_no_response_from_server(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        mock_easychat(router, EASYCHAT_SERVERS[0], answer=httpx.Response(200, json={"error": "x"}))
        with pytest.raises(ResponseFormatError, match="No response from server") as raised:
            list(providers.EasyChat.create_completion(MODEL, user_messages, stream=False, active_server=0))
    assert raised.value.provider == "EasyChat"


def test_easychat_cookie_get_status_is_ignored(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        router.get(f"{EASYCHAT_SERVERS[0]}/").respond(503)
        router.post(f"{EASYCHAT_SERVERS[0]}/api/openai/v1/chat/completions").mock(
            side_effect=streaming([sse("ok")])
        )
        assert list(
            providers.EasyChat.create_completion(MODEL, user_messages, stream=True, active_server=0)
        ) == ["ok"]


@pytest.mark.parametrize("index", [-1, 7, 100])
def test_easychat_out_of_range_server_is_a_clear_error_before_any_request(
    index: int, user_messages: list[dict[str, str]]
) -> None:
    with respx.mock(using="httpx", assert_all_called=False) as router:
        route = mock_easychat(router, EASYCHAT_SERVERS[0], answer=httpx.Response(200))
        with pytest.raises(InvalidArgumentError, match="active_server must be between 0 and 6"):
            list(providers.EasyChat.create_completion(MODEL, user_messages, stream=True, active_server=index))
        assert route.call_count == 0 and router.calls.call_count == 0


def test_easychat_status_error_names_status_and_reason(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        mock_easychat(router, EASYCHAT_SERVERS[0], answer=httpx.Response(502, text="bad gateway page"))
        with pytest.raises(StatusError) as raised:
            list(providers.EasyChat.create_completion(MODEL, user_messages, stream=True, active_server=0))
    error = raised.value
    assert (error.status_code, error.reason) == (502, "Bad Gateway")
    assert "bad gateway page" in str(error) and "EasyChat" in str(error)


def equing_route(router: respx.MockRouter, **kwargs: object) -> respx.Route:
    return router.post(EQUING_ENDPOINT).mock(**kwargs)  # type: ignore[arg-type]


def test_equing_request_matches_the_contract(history_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        route = equing_route(router, side_effect=streaming([sse("a", "b")]))
        assert list(providers.Equing.create_completion(MODEL, history_messages, stream=True)) == ["a", "b"]
    request = route.calls.last.request
    assert header_subset(request, EQUING_HEADERS) == EQUING_HEADERS
    body = json_body(request)
    assert list(body) == OPENAI_BODY_KEYS
    assert body == {"messages": history_messages, "stream": True, "model": MODEL, **OPENAI_DEFAULTS}
    assert route.call_count == 1


@pytest.mark.parametrize("status", [429, 500, 403])
def test_equing_any_status_but_200_is_a_clear_error(status: int, user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        equing_route(router, return_value=httpx.Response(status, headers={"retry-after": "12"}, text="nope"))
        with pytest.raises(StatusError, match=f"HTTP {status}") as raised:
            list(providers.Equing.create_completion(MODEL, user_messages, stream=False))
    assert raised.value.status_code == status
    if status == 429:
        assert isinstance(raised.value, RateLimitError) and raised.value.retry_after == 12


def test_equing_event_split_across_reads_and_two_events_in_one_read(
    user_messages: list[dict[str, str]],
) -> None:
    body = sse("Hel", "lo", " wör", "ld")
    pieces = [body[:5], body[5:70], body[70:71], body[71:]]
    with respx.mock(using="httpx") as router:
        equing_route(router, side_effect=streaming(pieces))
        assert "".join(providers.Equing.create_completion(MODEL, user_messages, stream=True)) == "Hello wörld"


def test_html_page_instead_of_event_stream_is_a_format_error(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        equing_route(
            router, side_effect=streaming([b"<html>Just a moment...</html>"], content_type="text/html")
        )
        with pytest.raises(ResponseFormatError, match="expected an event stream, got text/html"):
            list(providers.Equing.create_completion(MODEL, user_messages, stream=True))


def test_non_json_body_is_a_format_error_not_a_json_error(user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        equing_route(
            router,
            return_value=httpx.Response(
                200, text="<html>challenge</html>", headers={"content-type": "text/html"}
            ),
        )
        with pytest.raises(ResponseFormatError, match=r"expected JSON, got \(text/html\)"):
            list(providers.Equing.create_completion(MODEL, user_messages, stream=False))


def test_connection_dropped_mid_stream_keeps_delivered_chunks(user_messages: list[dict[str, str]]) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        class Broken(httpx.SyncByteStream):
            def __iter__(self):  # type: ignore[no-untyped-def]
                yield sse("first", done=False)
                raise httpx.RemoteProtocolError("peer closed connection", request=request)

        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Broken())

    received = []
    with respx.mock(using="httpx") as router:
        equing_route(router, side_effect=respond)
        with pytest.raises(ProviderConnectionError, match="before the response was complete") as raised:
            for chunk in providers.Equing.create_completion(MODEL, user_messages, stream=True):
                received.append(chunk)
    assert received == ["first"]
    assert raised.value.url == EQUING_ENDPOINT


@pytest.mark.parametrize("style", STYLES)
def test_every_style_gives_the_same_text(style: str, user_messages: list[dict[str, str]]) -> None:
    with respx.mock(using="httpx") as router:
        equing_route(
            router,
            side_effect=lambda request: (
                streaming([sse("a", "b", "c")])(request)
                if json_body(request)["stream"]
                else httpx.Response(200, json={"choices": [{"message": {"content": "abc"}}]})
            ),
        )
        assert "".join(call(providers.Equing, style, MODEL, user_messages)) == "abc"


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"temperature": "hot"}, InvalidArgumentTypeError, "temperature must be a number"),
        ({"temperature": 3}, InvalidArgumentError, "temperature must be between"),
        ({"top_p": float("nan")}, InvalidArgumentError, "top_p must be between"),
        ({"proxy": "not a url"}, InvalidArgumentError, "proxy must be a URL"),
        ({"proxy": 8080}, InvalidArgumentTypeError, "proxy must be a URL string"),
        ({"timeout": -1}, InvalidArgumentError, "timeout must be a positive"),
    ],
)
def test_bad_kwargs_raise_before_any_request(
    kwargs: dict[str, object], error: type[Exception], fragment: str, user_messages: list[dict[str, str]]
) -> None:
    with respx.mock(using="httpx", assert_all_called=False) as router:
        route = equing_route(router, return_value=httpx.Response(200))
        with pytest.raises(error, match=fragment):
            list(providers.Equing.create_completion(MODEL, user_messages, stream=True, **kwargs))
        assert route.call_count == 0


def test_sync_style_works_inside_a_running_event_loop(user_messages: list[dict[str, str]]) -> None:
    async def main() -> str:
        with respx.mock(using="httpx") as router:
            router.post("https://chatanywhere.cn/v1/chat/gpt/").respond(200, text="from a loop")
            return "".join(providers.ChatAnywhere.create_completion(MODEL, user_messages, stream=True))

    assert asyncio.run(main()) == "from a loop"
