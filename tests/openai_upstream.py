"""A plain-HTTP loopback upstream speaking enough of OpenAI's chat API for the SDK, and a generic
streaming endpoint; for tests of clients wiretape intercepts (or must refuse)."""

from __future__ import annotations

import contextlib
import json
from http.server import BaseHTTPRequestHandler

from plugin_project import serve

PIECES = [
    b"data: one\n\n",
    "data: caf\u00e9 ".encode()[:-2],
    "data: caf\u00e9 ".encode()[-2:] + b"\n\n",
    b"data: [DONE]\n\n",
]


def completion(text: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt-test",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    ).encode()


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        last = request.get("messages", [{}])[-1].get("content", "")
        self._send(200, completion(f"You wrote: {last}"), "application/json")

    def do_GET(self) -> None:
        if self.path.startswith("/stream"):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for piece in PIECES:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return
        self._send(200, f"hello {self.path}".encode(), "text/plain")

    def log_message(self, format: str, *args: object) -> None:
        pass


def upstream() -> contextlib.AbstractContextManager[str]:
    """The upstream on a free loopback port; yields its base URL (``http://127.0.0.1:PORT``)."""
    return serve(_Upstream)
