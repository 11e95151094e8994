"""A small, seeded, fault-injecting HTTP/TCP proxy on 127.0.0.1 (stdlib only, threads).

It sits between the sync client and the reference server and makes the field's links:
latency, bandwidth caps, resets (after N bytes or with a probability), black holes, a
response cut after the server committed, a one-byte-every-few-seconds trickle, and
HTTP-level answers (429/503 with Retry-After, 500 after commit, HTML 200 from a captive
portal, 302 redirect, truncated JSON, 401 once so the client refreshes).

The proxy understands HTTP/1.1 framing (Content-Length and chunked) so that it can apply a
fault to one request of a keep-alive connection::

    with FaultProxy("127.0.0.1", server_port, seed=7) as proxy:
        client = SyncClient(proxy.url)
        proxy.latency_ms = 400; proxy.bandwidth = 48_000          # 384 kbit/s
        proxy.inject("cut_after_commit", path="/v1/push")          # next push only
        proxy.inject("http_429", retry_after=1, times=2)
        proxy.reset_probability = 0.05                             # seeded

Faults (``inject(kind, path=None, times=1, **params)``):

    black_hole         read the request, never answer (the client's timeout fires)
    reset_before       reset the connection before forwarding (the server never sees it)
    cut_after_commit   forward, read the server's answer, then reset (server committed)
    http_429 / http_503 answer with that status and ``Retry-After`` (``retry_after``,
                       seconds, or ``retry_after_date=True`` for an HTTP date); not forwarded
    http_500_after_commit  forward, drop the answer, reply 500
    html_200           a captive portal page with status 200 (not forwarded)
    redirect           302 to a portal (not forwarded)
    truncated          forward, send the answer's head and half its body, then close
    http_400 / http_413 a batch-level refusal (with ``if_contains="<op id>"``: only for
                       requests whose (gunzipped) body contains that text: a poison op)
    http_401           reply 401 token_expired (not forwarded): the client refreshes
    trickle            forward, send the answer one byte every ``interval`` seconds

Continuous shaping (attributes, may change while running): ``latency_ms`` (one way, each
direction), ``bandwidth`` (bytes/s each way), ``reset_probability`` (per request; the reset
falls before or after the server commits, seeded), ``reset_after_bytes`` (reset each
connection after that many answer bytes).
"""

from __future__ import annotations

import email.utils
import gzip
import random
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

__all__ = ["FaultProxy", "Fault"]


@dataclass
class Fault:
    kind: str
    path: str | None = None
    times: int = 1
    params: dict = field(default_factory=dict)


class _Closed(Exception):
    pass


def _recv_until(sock: socket.socket, buf: bytearray, marker: bytes, limit: int = 1 << 20) -> int:
    while True:
        idx = buf.find(marker)
        if idx >= 0:
            return idx
        if len(buf) > limit:
            raise _Closed("head too large")
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed("eof")
        buf.extend(chunk)


def _recv_exact(sock: socket.socket, buf: bytearray, n: int) -> bytes:
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed("eof")
        buf.extend(chunk)
    data = bytes(buf[:n])
    del buf[:n]
    return data


def _read_message(sock: socket.socket, buf: bytearray, *, response: bool = False,
                  head_request: bool = False) -> tuple[bytes, bytes, bytes]:
    """One HTTP/1.1 message from ``sock``: (head incl. CRLFCRLF, raw body, first line)."""
    end = _recv_until(sock, buf, b"\r\n\r\n")
    head = bytes(buf[: end + 4])
    del buf[: end + 4]
    lines = head.split(b"\r\n")
    first = lines[0]
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            headers[k.strip().lower()] = v.strip()
    status = 0
    if response:
        try:
            status = int(first.split()[1])
        except (IndexError, ValueError):
            status = 0
    if head_request or (response and (status in (204, 304) or 100 <= status < 200)):
        return head, b"", first
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = bytearray()
        while True:
            idx = _recv_until(sock, buf, b"\r\n")
            size_line = bytes(buf[: idx + 2])
            del buf[: idx + 2]
            size = int(size_line.split(b";")[0].strip(), 16)
            body.extend(size_line)
            body.extend(_recv_exact(sock, buf, size + 2))
            if size == 0:
                break
        return head, bytes(body), first
    length = headers.get(b"content-length")
    if length is not None:
        return head, _recv_exact(sock, buf, int(length)), first
    if response:  # until close
        data = bytearray(buf)
        buf.clear()
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data.extend(chunk)
        return head, bytes(data), first
    return head, b"", first


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a flaky mobile link does."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _response(status: int, reason: str, body: bytes, ctype: str, extra: dict | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}",
             f"Content-Length: {len(body)}", "Connection: keep-alive"]
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


_PORTAL = (b"<!DOCTYPE html><html><head><title>Login WiFi</title></head><body>"
           b"<h1>Selamat datang</h1><p>Masukkan kode voucher untuk terhubung.</p></body></html>")


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, *, seed: int = 0,
                 listen_port: int = 0, upstream_timeout: float = 120.0) -> None:
        self.target = (target_host, target_port)
        self.rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self.latency_ms = 0.0
        self.bandwidth: float | None = None  # bytes/s each way
        self.reset_probability = 0.0
        self.reset_after_bytes: int | None = None
        self.upstream_timeout = upstream_timeout
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", listen_port))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        # What happened (tests and benchmarks read these).
        self.stats = {"connections": 0, "requests": 0, "forwarded": 0, "faults": 0,
                      "resets": 0, "bytes_up": 0, "bytes_down": 0}
        self.log: list[tuple[str, str]] = []  # (fault kind, path)

    # --- control -------------------------------------------------------------------

    def inject(self, kind: str, *, path: str | None = None, times: int = 1, **params) -> None:
        with self._lock:
            self._faults.append(Fault(kind, path, times, params))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
        self.latency_ms = 0
        self.bandwidth = None
        self.reset_probability = 0.0
        self.reset_after_bytes = None

    def start(self) -> FaultProxy:
        t = threading.Thread(target=self._accept_loop, name="faultproxy-accept", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads[:1]:
            t.join(5)  # the accept loop notices within 0.1 s
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            socks = list(self._sockets)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- internals -----------------------------------------------------------------

    def _random(self) -> float:
        with self._rng_lock:
            return self.rng.random()

    def _take_fault(self, path: str, body: bytes = b"", head: bytes = b"") -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or path.startswith(fault.path):
                    needle = fault.params.get("if_contains")
                    if needle is not None:
                        plain = body
                        if b"content-encoding: gzip" in head.lower():
                            try:
                                plain = gzip.decompress(body)
                            except (OSError, EOFError):
                                plain = body
                        if needle.encode() not in plain:
                            continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _accept_loop(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            self.stats["connections"] += 1
            with self._lock:
                self._sockets.add(client)
            t = threading.Thread(target=self._serve, args=(client,), name="faultproxy-conn",
                                 daemon=True)
            t.start()
            self._threads = [x for x in self._threads if x.is_alive()] + [t]

    def _delay(self, nbytes: int) -> None:
        seconds = self.latency_ms / 1000.0
        if self.bandwidth:
            seconds += nbytes / float(self.bandwidth)
        if seconds > 0:
            self._stop.wait(seconds)

    def _delay_uplink(self, client: socket.socket, nbytes: int) -> None:
        """``_delay`` for a request going up, watching the client: a real link carries a
        request at its pace, and what is still unsent when the client closes is lost."""
        ends = time.monotonic() + self.latency_ms / 1000.0 + (
            nbytes / float(self.bandwidth) if self.bandwidth else 0.0)
        while not self._stop.is_set():
            left = ends - time.monotonic()
            if left <= 0:
                return
            readable, _, _ = select.select([client], [], [], min(left, 0.05))
            if readable and not client.recv(1, socket.MSG_PEEK):
                raise _Closed("the client gave up while its request was on the way")

    def _send_shaped(self, sock: socket.socket, data: bytes, sent_so_far: int) -> int:
        """Send with the bandwidth cap and the reset-after-bytes rule; returns bytes sent."""
        limit = self.reset_after_bytes
        chunk = 4096 if self.bandwidth else 65536
        pos = 0
        while pos < len(data):
            piece = data[pos: pos + chunk]
            if limit is not None and sent_so_far + len(piece) > limit:
                allowed = max(0, limit - sent_so_far)
                if allowed:
                    sock.sendall(piece[:allowed])
                self.stats["resets"] += 1
                raise _Closed("reset after bytes")
            if self.bandwidth:
                self._stop.wait(len(piece) / float(self.bandwidth))
            sock.sendall(piece)
            pos += len(piece)
            sent_so_far += len(piece)
            self.stats["bytes_down"] += len(piece)
        return sent_so_far

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        cbuf, ubuf = bytearray(), bytearray()
        sent_down = 0
        reset = False
        try:
            client.settimeout(self.upstream_timeout)
            while not self._stop.is_set():
                try:
                    head, body, first = _read_message(client, cbuf)
                except (_Closed, OSError):
                    return
                self.stats["requests"] += 1
                self.stats["bytes_up"] += len(head) + len(body)
                parts = first.split()
                method = parts[0].decode("latin-1") if parts else "GET"
                path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
                fault = self._take_fault(path, body, head)
                kind = fault.kind if fault else None
                if kind is None and self.reset_probability and \
                        self._random() < self.reset_probability:
                    kind = "reset_before" if self._random() < 0.5 else "cut_after_commit"
                if kind:
                    self.stats["faults"] += 1
                    self.log.append((kind, path))
                params = fault.params if fault else {}
                # Uplink: latency + bandwidth for the request bytes. A client that gives up
                # meanwhile never delivers the rest: the server gets nothing.
                self._delay_uplink(client, len(head) + len(body))
                if kind == "black_hole":
                    self._stop.wait(params.get("hold", 3600))
                    return
                if kind == "reset_before":
                    reset = True
                    self.stats["resets"] += 1
                    return
                canned = self._canned(kind, params)
                if canned is not None:
                    self._delay(len(canned))
                    sent_down = self._send_shaped(client, canned, sent_down)
                    continue
                # Forward to the server.
                if upstream is None:
                    upstream = socket.create_connection(self.target, timeout=self.upstream_timeout)
                    with self._lock:
                        self._sockets.add(upstream)
                upstream.sendall(head + body)
                self.stats["forwarded"] += 1
                rhead, rbody, _ = _read_message(upstream, ubuf, response=True,
                                                head_request=method == "HEAD")
                if kind == "cut_after_commit":
                    reset = True
                    self.stats["resets"] += 1
                    return
                if kind == "http_500_after_commit":
                    out = _response(500, "Internal Server Error",
                                    b'{"code":"internal_error","message":{"id":"Kesalahan server",'
                                    b'"en":"Server error"}}', "application/json")
                    self._delay(len(out))
                    sent_down = self._send_shaped(client, out, sent_down)
                    continue
                if kind == "truncated":
                    cut = rhead + rbody[: max(1, len(rbody) // 2)]
                    self._delay(len(cut))
                    self._send_shaped(client, cut, sent_down)
                    return
                if kind == "trickle":
                    interval = float(params.get("interval", 2.0))
                    self._stop.wait(self.latency_ms / 1000.0)
                    for i in range(len(rhead + rbody)):
                        client.sendall((rhead + rbody)[i: i + 1])
                        if self._stop.wait(interval):
                            return
                    continue
                data = rhead + rbody
                self._stop.wait(self.latency_ms / 1000.0)
                sent_down = self._send_shaped(client, data, sent_down)
                if b"connection: close" in rhead.lower():
                    return
        except _Closed:
            reset = True
        except OSError:
            reset = True
        finally:
            if reset:
                _reset(client)
            else:
                try:
                    client.close()
                except OSError:
                    pass
            if upstream is not None:
                try:
                    upstream.close()
                except OSError:
                    pass
            with self._lock:
                self._sockets.discard(client)
                if upstream is not None:
                    self._sockets.discard(upstream)

    @staticmethod
    def _canned(kind: str | None, params: dict) -> bytes | None:
        if kind in ("http_429", "http_503"):
            status = 429 if kind == "http_429" else 503
            reason = "Too Many Requests" if status == 429 else "Service Unavailable"
            extra = {}
            if params.get("retry_after_date"):
                when = time.time() + float(params.get("retry_after", 1))
                extra["Retry-After"] = email.utils.formatdate(when, usegmt=True)
            elif params.get("retry_after") is not None:
                extra["Retry-After"] = str(params["retry_after"])
            return _response(status, reason, b"<html><body>busy</body></html>", "text/html", extra)
        if kind == "http_400":
            return _response(400, "Bad Request",
                             b'{"code":"invalid_push","message":{"id":"Paket tidak valid",'
                             b'"en":"Invalid batch"}}', "application/json")
        if kind == "http_413":
            return _response(413, "Payload Too Large",
                             b'{"code":"body_too_large","message":{"id":"Terlalu besar",'
                             b'"en":"Too large"}}', "application/json")
        if kind == "html_200":
            return _response(200, "OK", _PORTAL, "text/html; charset=utf-8")
        if kind == "redirect":
            return _response(302, "Found", b"", "text/html",
                             {"Location": "http://portal.example.invalid/login"})
        if kind == "http_401":
            return _response(401, "Unauthorized",
                             b'{"code":"token_expired","message":{"id":"Sesi berakhir",'
                             b'"en":"Session expired"}}', "application/json",
                             {"WWW-Authenticate": "Bearer"})
        return None
