"""A tiny scripted HTTP server on 127.0.0.1 for the client's error mapping tests."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Stub:
    def __init__(self) -> None:
        self.handler: Callable[[BaseHTTPRequestHandler, bytes], None] = lambda h, b: None
        self.requests: list[tuple[str, str, dict, bytes]] = []

    def reply(self, status: int = 200, body: bytes | str | dict = b"", *,
              ctype: str = "application/json", headers: dict | None = None,
              length: int | None = None, trickle: float | None = None, hold: float = 0) -> None:
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()

        def handler(h: BaseHTTPRequestHandler, _req: bytes) -> None:
            if hold:
                time.sleep(hold)
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body) if length is None else length))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            if trickle:
                for i in range(len(body)):
                    h.wfile.write(body[i:i + 1])
                    h.wfile.flush()
                    time.sleep(trickle)
            else:
                h.wfile.write(body)
            if length is not None and length > len(body):
                h.close_connection = True

        self.handler = handler


@pytest.fixture
def stub():
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _any(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            if self.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            state.requests.append((self.command, self.path, dict(self.headers), raw))
            try:
                state.handler(self, raw)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = _any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)
