"""ChatAnywhere's upstream: ``POST /v1/chat/gpt/`` answering plain UTF-8 text in pieces."""

from __future__ import annotations

from .behaviours import Behaviour
from .server import Exchange
from .upstream import (
    Upstream,
    answer_fault,
    iterate_utf8,
    json_payload,
    missing_fields,
    reply_to,
    send_json,
    send_pieces,
    words,
)

GPT_PATH = "/v1/chat/gpt/"
REQUIRED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "list": list,
    "id": str,
    "title": str,
    "prompt": str,
    "temperature": (int, float),
    "models": str,
    "continuous": bool,
}
# Every character of it is two to four bytes long, so fixed-size pieces cut inside characters.
MULTIBYTE_GREETING = "Привет, 世界! 😀 "
MULTIBYTE_PIECE_BYTES = 5


class ChatAnywhereUpstream(Upstream):
    hosts = ("chatanywhere.cn",)

    def serve(self, exchange: Exchange, behaviour: Behaviour) -> None:
        if exchange.path != GPT_PATH:
            send_json(exchange, 404, {"code": 404, "msg": "Not Found"})
            return
        if exchange.method != "POST":
            send_json(exchange, 405, {"code": 405, "msg": "Method Not Allowed"}, {"allow": "POST"})
            return
        payload = json_payload(exchange)
        missing = missing_fields(payload, REQUIRED_FIELDS)
        if missing or not payload["list"]:
            send_json(
                exchange, 400, {"code": 400, "msg": f"missing or invalid: {', '.join(missing) or 'list'}"}
            )
            return
        if answer_fault(exchange, behaviour):
            return
        answer = reply_to(payload["title"])
        if behaviour is Behaviour.SPLIT_MULTIBYTE:
            pieces = list(iterate_utf8(MULTIBYTE_GREETING + answer, MULTIBYTE_PIECE_BYTES))
        else:
            pieces = [word.encode() for word in words(answer)]
        send_pieces(exchange, pieces, {"content-type": "text/plain; charset=utf-8"}, behaviour)
