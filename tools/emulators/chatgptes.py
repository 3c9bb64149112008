"""ChatGptEs's upstream: a WordPress chat page carrying a nonce, and its admin-ajax endpoint.

Each page view issues a fresh nonce; the endpoint accepts only nonces it
issued, and answers a bad one the way WordPress does (``-1`` with 403).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from urllib.parse import parse_qsl

from .behaviours import Behaviour
from .server import Exchange
from .upstream import Control, Upstream, answer_fault, reply_to, send_body, send_json

AJAX_PATH = "/wp-admin/admin-ajax.php"
ACTION = "wpaicg_chat_shortcode_message"
POST_ID = "106"
CONSENT_TEXT = "Du musst das Kästchen anklicken!"
REQUIRED_FIELDS = (
    "_wpnonce",
    "post_id",
    "url",
    "action",
    "message",
    "bot_id",
    "chatbot_identity",
    "wpaicg_chat_client_id",
    "wpaicg_chat_history",
)
PAGE = """<!DOCTYPE html>
<html lang="es"><head><meta charset="UTF-8"><title>ChatGPT en Español</title>
<script>var wpaicgParams = {{"ajax_url":"https://chatgpt.es/wp-admin/admin-ajax.php","languages":["es"]}};</script>
</head><body>
<div class="wpaicg-chat-shortcode" data-bot-id="0" data-type="shortcode">
<form class="wpaicg-chat-shortcode-form">
{tokens}
<textarea class="wpaicg-chat-shortcode-typing" placeholder="Escribe tu mensaje"></textarea>
<label><input type="checkbox" name="consent"> Acepto las condiciones</label>
</form></div>
</body></html>
"""


class ChatGptEsUpstream(Upstream):
    hosts = ("chatgpt.es",)

    def __init__(self, control: Control) -> None:
        super().__init__(control)
        self._nonces: set[str] = set()
        self._lock = threading.Lock()

    def serve(self, exchange: Exchange, behaviour: Behaviour) -> None:
        if exchange.path == "/" and exchange.method == "GET":
            self.page(exchange, behaviour)
        elif exchange.path == AJAX_PATH and exchange.method == "POST":
            self.ajax(exchange, behaviour)
        else:
            exchange.respond(
                404, "<html><body>Página no encontrada</body></html>", {"content-type": "text/html"}
            )

    def page(self, exchange: Exchange, behaviour: Behaviour) -> None:
        tokens = f'<input type="hidden" name="post_id" value="{POST_ID}">'
        if behaviour is not Behaviour.MISSING_NONCE:
            nonce = secrets.token_hex(5)
            with self._lock:
                self._nonces.add(nonce)
            tokens = f'<input type="hidden" name="_wpnonce" value="{nonce}">\n{tokens}'
        exchange.respond(200, PAGE.format(tokens=tokens), {"content-type": "text/html; charset=UTF-8"})

    def ajax(self, exchange: Exchange, behaviour: Behaviour) -> None:
        form = dict(parse_qsl(exchange.body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("action") != ACTION:
            # WordPress's answer to an unknown action.
            exchange.respond(400, "0", {"content-type": "text/html; charset=UTF-8"})
            return
        with self._lock:
            known = form.get("_wpnonce") in self._nonces
        if not known:
            exchange.respond(403, "-1", {"content-type": "text/html; charset=UTF-8"})
            return
        problem = _form_problem(form)
        if problem:
            send_json(exchange, 400, {"status": "error", "msg": problem})
            return
        if answer_fault(exchange, behaviour):
            return
        message = form["message"].split("User input:", 1)[-1]
        document: dict[str, str] = {"status": "success", "msg": "", "data": reply_to(message)}
        if behaviour is Behaviour.CONSENT:
            document = {"status": "error", "msg": CONSENT_TEXT, "data": CONSENT_TEXT}
        elif behaviour is Behaviour.WRONG_SHAPE:
            document = {"status": "success", "msg": reply_to(message)}
        body = json.dumps(document, ensure_ascii=False).encode()
        if behaviour is Behaviour.MALFORMED_JSON:
            body = body[: len(body) // 2]
        send_body(exchange, 200, body, {"content-type": "application/json; charset=UTF-8"}, behaviour)


def _form_problem(form: dict[str, str]) -> str | None:
    missing = [name for name in REQUIRED_FIELDS if not form.get(name)]
    if missing:
        return f"missing fields: {', '.join(missing)}"
    if form["post_id"] != POST_ID:
        return f"unknown post {form['post_id']}"
    if not re.fullmatch(r"[0-9a-f]{10}", form["wpaicg_chat_client_id"]):
        return "invalid client id"
    try:
        history = json.loads(form["wpaicg_chat_history"])
    except ValueError:
        return "invalid history"
    if not isinstance(history, list):
        return "invalid history"
    return None
