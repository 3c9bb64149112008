"""EasyChat's and Equing's upstreams: an OpenAI-style chat completions endpoint.

EasyChat's servers set a session cookie on ``GET /`` and refuse a POST without
it; Equing answers the POST alone. Both check the JSON body and the origin.
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

from .behaviours import Behaviour
from .server import Exchange
from .upstream import (
    Control,
    Upstream,
    answer_fault,
    json_payload,
    missing_fields,
    reply_to,
    send_body,
    send_json,
    send_pieces,
    stable_id,
    words,
)

COMPLETIONS_PATH = "/api/openai/v1/chat/completions"
CREATED = 1700000000
REQUIRED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "messages": list,
    "stream": bool,
    "model": str,
    "temperature": (int, float),
    "presence_penalty": (int, float),
    "frequency_penalty": (int, float),
    "top_p": (int, float),
}
EASYCHAT_HOSTS = (
    "chat10.fastgpt.me",
    "chat9.fastgpt.me",
    "chat1.fastgpt.me",
    "chat2.fastgpt.me",
    "chat3.fastgpt.me",
    "chat4.fastgpt.me",
    "gxos1h1ddt.fastgpt.me",
)
SESSION_COOKIE = "session"


class OpenAIChat(Upstream):
    needs_session = False

    def __init__(self, control: Control) -> None:
        super().__init__(control)
        self._sessions: set[str] = set()
        self._lock = threading.Lock()

    def serve(self, exchange: Exchange, behaviour: Behaviour) -> None:
        if exchange.path == "/" and exchange.method == "GET":
            self.home(exchange)
        elif exchange.path != COMPLETIONS_PATH:
            send_json(exchange, 404, {"error": {"message": f"Not Found: {exchange.path}"}})
        elif exchange.method != "POST":
            send_json(exchange, 405, {"error": {"message": "Method Not Allowed"}}, {"allow": "POST"})
        else:
            self.complete(exchange, behaviour)

    def home(self, exchange: Exchange) -> None:
        headers = {"content-type": "text/html; charset=utf-8"}
        if self.needs_session:
            session = secrets.token_hex(16)
            with self._lock:
                self._sessions.add(session)
            headers["set-cookie"] = f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"
        exchange.respond(
            200, "<!DOCTYPE html><html><head><title>ChatGPT Next Web</title></head></html>", headers
        )

    def _has_session(self, exchange: Exchange) -> bool:
        cookies = dict(
            part.strip().partition("=")[::2] for part in (exchange.header("cookie") or "").split(";")
        )
        with self._lock:
            return cookies.get(SESSION_COOKIE) in self._sessions

    def complete(self, exchange: Exchange, behaviour: Behaviour) -> None:
        origin = f"https://{exchange.host}"
        if exchange.header("origin") != origin:
            send_json(exchange, 403, {"error": {"message": f"origin must be {origin}"}})
            return
        if self.needs_session and not self._has_session(exchange):
            send_json(exchange, 401, {"error": {"message": "no session: load / first"}})
            return
        if not (exchange.header("content-type") or "").startswith("application/json"):
            send_json(exchange, 415, {"error": {"message": "content-type must be application/json"}})
            return
        payload = json_payload(exchange)
        missing = missing_fields(payload, REQUIRED_FIELDS)
        if missing or not _valid_messages(payload["messages"]):
            problem = f"missing or invalid: {', '.join(missing)}" if missing else "invalid messages"
            send_json(exchange, 400, {"error": {"message": problem, "type": "invalid_request_error"}})
            return
        if answer_fault(exchange, behaviour):
            return
        answer = reply_to(str(payload["messages"][-1]["content"]))
        ident = f"chatcmpl-{stable_id(exchange.body)}"
        if payload["stream"]:
            self.stream_answer(exchange, behaviour, answer, ident, payload["model"])
        else:
            self.whole_answer(exchange, behaviour, answer, ident, payload["model"])

    @staticmethod
    def whole_answer(exchange: Exchange, behaviour: Behaviour, answer: str, ident: str, model: str) -> None:
        document: dict[str, Any] = {
            "id": ident,
            "object": "chat.completion",
            "created": CREATED,
            "model": model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 9, "completion_tokens": len(words(answer)), "total_tokens": 0},
        }
        if behaviour is Behaviour.WRONG_SHAPE:
            document = {"object": "error", "message": "model overloaded"}
        body = json.dumps(document).encode()
        if behaviour is Behaviour.MALFORMED_JSON:
            body = body[: len(body) * 2 // 3]
        send_body(exchange, 200, body, {"content-type": "application/json"}, behaviour)

    @staticmethod
    def stream_answer(exchange: Exchange, behaviour: Behaviour, answer: str, ident: str, model: str) -> None:
        def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n"

        events = [event({"role": "assistant", "content": None})]
        events += [event({"content": word}) for word in words(answer)]
        events += [event({}, "stop"), b"data: [DONE]\n\n"]
        if behaviour is Behaviour.MALFORMED_JSON:
            broken = events[2]
            events[2] = broken[: len(broken) // 2] + b"\n\n"
        elif behaviour is Behaviour.WRONG_SHAPE:
            events[1:-1] = [b'data: {"error": {"message": "model overloaded"}}\n\n']
        send_pieces(
            exchange,
            events,
            {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"},
            behaviour,
        )


def _valid_messages(messages: Any) -> bool:
    return bool(messages) and all(
        isinstance(message, dict)
        and isinstance(message.get("role"), str)
        and isinstance(message.get("content"), str)
        for message in messages
    )


class EasyChatUpstream(OpenAIChat):
    hosts = EASYCHAT_HOSTS
    needs_session = True


class EquingUpstream(OpenAIChat):
    hosts = ("next.eqing.tech",)
