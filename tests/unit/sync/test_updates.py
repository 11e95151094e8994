"""Updates from the app: the installer the centre announced is downloaded over HTTPS and kept
only when its size and SHA-256 are the published ones; then it runs silently."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from http.server import BaseHTTPRequestHandler

import pytest

from sync.updates import INSTALLER_ARGS, Release, UpdateRefused, download, parse_release, start_installer
from tests.helpers.tls import LocalCA, serve_https

INSTALLER = b"MZ" + bytes(range(256)) * 4000  # about 1 MB standing in for PerisaiAgent-setup.exe
SHA = hashlib.sha256(INSTALLER).hexdigest()


class _Files(BaseHTTPRequestHandler):
    """/setup.exe the installer; /tampered.exe the same size, other bytes; /longer.exe one
    byte more; /to-http a redirect to plain HTTP."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/to-http":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/setup.exe")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = {"/setup.exe": INSTALLER, "/tampered.exe": INSTALLER[:-1] + b"X",
                "/longer.exe": INSTALLER + b"!"}.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site(tmp_path):
    ca = LocalCA.create(tmp_path)
    cert, key = ca.issue(tmp_path, "127.0.0.1")
    with serve_https(_Files, cert, key) as port:
        yield f"https://127.0.0.1:{port}", str(ca.cert_path)


def _release(base: str, path: str = "/setup.exe", sha: str = SHA, size: int = len(INSTALLER)) -> Release:
    return parse_release("0.2.0", f"{base}{path}#sha256={sha}&size={size}")


def test_the_announcement_carries_size_and_sha256_in_the_fragment():
    release = parse_release("0.2.0", f"https://pusat.example/unduh/PerisaiAgent-0.2.0-win64-setup.exe"
                                     f"#sha256={SHA.upper()}&size=123")
    assert release == Release("0.2.0", "https://pusat.example/unduh/PerisaiAgent-0.2.0-win64-setup.exe",
                              SHA, 123)
    assert release.file_name == "PerisaiAgent-0.2.0-win64-setup.exe"


@pytest.mark.parametrize("url", [
    "https://pusat.example/setup.exe",  # an older centre: no size, no hash
    f"http://pusat.example/setup.exe#sha256={SHA}&size=10",
    "https://pusat.example/setup.exe#sha256=abc&size=10",
    f"https://pusat.example/setup.exe#sha256={SHA}&size=-1",
])
def test_an_announcement_that_cannot_be_verified_is_not_downloaded(url):
    with pytest.raises(UpdateRefused) as info:
        parse_release("0.2.0", url)
    assert info.value.code == "update.unverifiable"
    assert "SHA-256" in info.value.text("id") and "HTTPS" in info.value.text("en")


def test_the_published_installer_is_downloaded_and_kept(site, tmp_path):
    base, ca = site
    seen = []
    path = download(_release(base), tmp_path / "updates", ca_bundle=ca, progress=lambda d, t: seen.append((d, t)))
    assert path.read_bytes() == INSTALLER
    assert seen[-1] == (len(INSTALLER), len(INSTALLER))
    assert sorted(p.name for p in path.parent.iterdir()) == ["setup.exe"]


@pytest.mark.parametrize("path, size", [("/tampered.exe", len(INSTALLER)), ("/longer.exe", len(INSTALLER)),
                                        ("/setup.exe", len(INSTALLER) + 1)])
def test_an_installer_other_than_the_published_one_is_deleted_unrun(site, tmp_path, path, size):
    assert _refused(site, tmp_path, path, size).code == "update.mismatch"


def test_a_redirect_to_plain_http_is_refused(site, tmp_path):
    assert _refused(site, tmp_path, "/to-http").code == "update.unverifiable"


def _refused(site, tmp_path, path: str, size: int = len(INSTALLER)) -> UpdateRefused:
    """The refusal of a download, which leaves nothing behind."""
    base, ca = site
    with pytest.raises(UpdateRefused) as info:
        download(_release(base, path, size=size), tmp_path / "updates", ca_bundle=ca)
    assert list((tmp_path / "updates").iterdir()) == []
    return info.value


def test_a_server_that_does_not_trust_or_answer_is_a_failed_download(site, tmp_path):
    base, ca = site
    with pytest.raises(UpdateRefused) as info:
        download(_release(base, "/missing.exe"), tmp_path / "updates", ca_bundle=ca)
    assert info.value.code == "update.download_failed" and "404" in info.value.detail
    with pytest.raises(UpdateRefused) as info:  # the local CA is not trusted without ca_bundle
        download(_release(base), tmp_path / "updates")
    assert info.value.code == "update.download_failed"


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in installer is a shell script")
def test_the_installer_runs_silently_in_place_and_relaunches(tmp_path):
    said = tmp_path / "args.txt"
    installer = tmp_path / "PerisaiAgent-0.2.0-win64-setup.exe"
    installer.write_text(f'#!/bin/sh\necho "$@" > "{said}"\n', encoding="utf-8")
    installer.chmod(installer.stat().st_mode | stat.S_IXUSR)
    assert start_installer(installer).wait(10) == 0
    assert said.read_text(encoding="utf-8").split() == list(INSTALLER_ARGS) == ["/S", "/relaunch"]
    assert os.access(installer, os.X_OK)
