"""Aichat's upstream: chat-gpt.org's ``POST /api/text``, answering one JSON document.

Requests without the site's session cookie are refused the way the site did
(403); the cookie's value is not checked, since a recorded cassette only keeps
a placeholder of it.
"""

from __future__ import annotations

import json

from .behaviours import Behaviour
from .server import Exchange
from .upstream import Upstream, answer_fault, json_payload, missing_fields, reply_to, send_body, send_json

TEXT_PATH = "/api/text"
SESSION_COOKIE = "session"
REQUIRED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "message": str,
    "temperature": (int, float),
    "presence_penalty": (int, float),
    "top_p": (int, float),
    "frequency_penalty": (int, float),
}


class AichatUpstream(Upstream):
    hosts = ("chat-gpt.org",)

    def serve(self, exchange: Exchange, behaviour: Behaviour) -> None:
        if exchange.path != TEXT_PATH:
            send_json(exchange, 404, {"message": "Not Found"})
            return
        if exchange.method != "POST":
            send_json(exchange, 405, {"message": "Method Not Allowed"}, {"allow": "POST"})
            return
        cookie = exchange.header("cookie") or ""
        if f"{SESSION_COOKIE}=" not in cookie:
            send_json(exchange, 403, {"response": False, "message": "Forbidden: no session"})
            return
        payload = json_payload(exchange)
        missing = missing_fields(payload, REQUIRED_FIELDS)
        if missing:
            send_json(
                exchange, 400, {"response": False, "message": f"missing or invalid: {', '.join(missing)}"}
            )
            return
        if answer_fault(exchange, behaviour):
            return
        document: dict[str, object] = {"response": True, "message": reply_to(payload["message"])}
        if behaviour is Behaviour.EXPIRED_COOKIE:
            document = {"response": False, "message": "Your session has expired, please reload the page"}
        elif behaviour is Behaviour.WRONG_SHAPE:
            document = {"status": "ok", "text": document["message"]}
        body = json.dumps(document, ensure_ascii=False).encode()
        if behaviour is Behaviour.MALFORMED_JSON:
            body = body[: len(body) // 2]
        send_body(exchange, 200, body, {"content-type": "application/json; charset=utf-8"}, behaviour)
