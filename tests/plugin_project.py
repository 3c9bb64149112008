"""A small outside project for the plugin tests: a plain HTTP loopback server and test files using it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tools.emulators.server import POLL_INTERVAL


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        body = f"hello {self.path}".encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A plain-HTTP server on a free loopback port answering with ``handler``; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def echo_server() -> contextlib.AbstractContextManager[str]:
    """A loopback HTTP server answering ``hello <path>``; yields its base URL."""
    return serve(_Echo)


# The user's tests: their own httpx calls, no conftest, nothing but the installed plugin.
USER_TESTS = """
import os
import socket

import httpx
import pytest

URL = os.environ["ECHO_URL"]


def get(path):
    with httpx.Client() as client:
        return client.get(URL + path).text


@pytest.mark.cassette("svc/greeting.yaml")
def test_greeting():
    assert get("/greeting") == "hello /greeting"


def test_default_path(cassette):
    assert get("/other") == "hello /other"


class TestOne:
    def test_same_name(self, cassette):
        assert get("/one") == "hello /one"


class TestTwo:
    def test_same_name(self, cassette):
        assert get("/two") == "hello /two"


@pytest.mark.parametrize("part", ["a/b", "../up"])
def test_ids_become_file_names(cassette, part):
    assert get("/p") == "hello /p"
"""
