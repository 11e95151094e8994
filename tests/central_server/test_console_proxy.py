"""Behind a TLS reverse proxy: forwarded headers are believed only from the configured
proxy addresses, and then the console's cookies are Secure."""

from __future__ import annotations

import subprocess
import sys
import time

import requests

from tests.helpers.central import REPO_ROOT, free_port

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def serve(tmp_path, *extra: str):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "central_server", "serve", "--port", str(port),
                             "--log-level", "warning", "--db", f"sqlite:///{tmp_path / f'c{port}.db'}", *extra],
                            cwd=str(REPO_ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{base}/v1/health", timeout=1).ok:
                return proc, base
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def login_cookie(base: str) -> str:
    return requests.get(f"{base}/console/login", headers=FORWARDED, timeout=10).headers["set-cookie"]


def test_forwarded_headers_count_only_from_the_configured_proxy(tmp_path):
    trusting, base = serve(tmp_path, "--forwarded-allow-ips", "127.0.0.1")
    plain, plain_base = serve(tmp_path)
    try:
        assert "Secure" in login_cookie(base)  # the proxy said the browser came over HTTPS
        assert "Secure" not in login_cookie(plain_base)  # anyone could send that header
    finally:
        for proc in (trusting, plain):
            proc.terminate()
            proc.wait(timeout=10)
