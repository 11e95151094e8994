"""A small HTTP CONNECT proxy on 127.0.0.1, like an office's: it resolves names itself (so
a host only the proxy knows is reachable only through it), can demand a password, and
records the tunnels it opened.

    with ConnectProxy(hosts={"pusat.test": "127.0.0.1"}, password=("kantor", "rahasia")) as proxy:
        proxy.url         # "http://127.0.0.1:PORT"
        proxy.tunnels     # ["pusat.test:8443", ...]
        proxy.refused     # CONNECTs answered 407 (no or wrong password)
"""

from __future__ import annotations

import base64
import select
import socket
import socketserver
import threading


class ConnectProxy:
    def __init__(self, *, hosts: dict[str, str] | None = None,
                 password: tuple[str, str] | None = None) -> None:
        self.hosts = dict(hosts or {})
        self.expected_auth = ("Basic " + base64.b64encode(":".join(password).encode()).decode()
                              if password else None)
        self.tunnels: list[str] = []
        self.refused: list[str] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._handle(self)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> ConnectProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _handle(self, handler: socketserver.StreamRequestHandler) -> None:
        request_line = handler.rfile.readline(8192).decode("latin-1").strip()
        headers = {}
        while True:
            line = handler.rfile.readline(8192).decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        method, target, _ = (request_line.split(" ") + ["", "", ""])[:3]
        if method != "CONNECT":
            handler.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        if self.expected_auth and headers.get("proxy-authorization") != self.expected_auth:
            self.refused.append(target)
            handler.wfile.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                                b"Proxy-Authenticate: Basic realm=\"kantor\"\r\nContent-Length: 0\r\n\r\n")
            return
        host, _, port = target.rpartition(":")
        try:
            upstream = socket.create_connection((self.hosts.get(host, host), int(port)), timeout=5)
        except (OSError, ValueError):
            handler.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        self.tunnels.append(target)
        handler.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        handler.wfile.flush()
        _pipe(handler.connection, upstream)


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    with upstream:
        sockets = [client, upstream]
        while True:
            readable, _, broken = select.select(sockets, [], sockets, 30)
            if broken or not readable:
                return
            for sock in readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)
