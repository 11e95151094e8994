"""From the status bar's "newer version" link to the silent installer: the download is the
published one or nothing runs. (Running the real Windows installer is the one part that
cannot happen here: ``start_installer`` is replaced by a recorder; its own test runs it.)"""

from __future__ import annotations

import hashlib
from http.server import BaseHTTPRequestHandler

import pytest

from agent_app.ui import update_dialog
from agent_app.ui.status import StatusBar
from tests.helpers.tls import LocalCA, serve_https, trusted_by_the_os

INSTALLER = b"MZ" + b"\x90" * 300_000


class _Installer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.send_header("Content-Length", str(len(INSTALLER)))
        self.end_headers()
        self.wfile.write(INSTALLER)


@pytest.fixture
def centre(tmp_path, monkeypatch):
    """The installer over HTTPS, signed by a CA the OS trusts."""
    ca = LocalCA.create(tmp_path)
    cert, key = ca.issue(tmp_path, "127.0.0.1")
    with trusted_by_the_os(ca, monkeypatch), serve_https(_Installer, cert, key) as port:
        yield f"https://127.0.0.1:{port}/PerisaiAgent-9.0.0-win64-setup.exe"


@pytest.fixture
def started(monkeypatch, tmp_path):
    runs: list = []
    monkeypatch.setattr(update_dialog, "start_installer", lambda path: runs.append(path))
    monkeypatch.setattr(update_dialog, "DOWNLOAD_FOLDER", tmp_path / "downloads")
    return runs


def _click_update(qtbot, core, runner, session, url: str, monkeypatch) -> update_dialog.UpdateDialog:
    status = StatusBar(core, runner, session)
    qtbot.addWidget(status)
    status.set_update("9.0.0", url)
    dialogs = []
    real = update_dialog.UpdateDialog

    def made(*args, **kwargs):
        dialog = real(*args, **kwargs, quit_app=lambda: quits.append(True),
                      folder=update_dialog.DOWNLOAD_FOLDER)
        dialogs.append(dialog)
        return dialog

    quits: list = []
    monkeypatch.setattr(update_dialog, "UpdateDialog", made)
    status.update_label.linkActivated.emit(url)
    (dialog,) = dialogs
    dialog.quits = quits
    dialog.status = status  # the dialog belongs to the status bar's window: keep it alive
    return dialog


def test_the_published_installer_is_downloaded_run_silently_and_the_app_closes(
        qtbot, core, runner, session, centre, started, monkeypatch):
    url = f"{centre}#sha256={hashlib.sha256(INSTALLER).hexdigest()}&size={len(INSTALLER)}"
    dialog = _click_update(qtbot, core, runner, session, url, monkeypatch)
    assert "9.0.0" in dialog.text.text() and dialog.install.text() == "Unduh dan pasang"
    dialog.install.click()
    qtbot.waitUntil(lambda: bool(started), timeout=10_000)
    assert started[0].read_bytes() == INSTALLER and started[0].name == "PerisaiAgent-9.0.0-win64-setup.exe"
    assert dialog.quits == [True]


def test_an_installer_that_is_not_the_published_one_never_runs(
        qtbot, core, runner, session, centre, started, monkeypatch):
    url = f"{centre}#sha256={'0' * 64}&size={len(INSTALLER)}"
    dialog = _click_update(qtbot, core, runner, session, url, monkeypatch)
    dialog.install.click()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=10_000)
    assert dialog.problem.text().startswith("Pemasang yang diunduh tidak sama")
    assert started == [] and dialog.quits == [] and dialog.install.isEnabled()
    assert list((update_dialog.DOWNLOAD_FOLDER).iterdir()) == []


def test_a_centre_that_publishes_no_checksum_gets_the_browser(qtbot, core, runner, session, monkeypatch):
    opened = []
    monkeypatch.setattr(update_dialog.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    status = StatusBar(core, runner, session)
    qtbot.addWidget(status)
    status.set_update("9.0.0", "https://example.invalid/perisai-9.exe")
    status.update_label.linkActivated.emit("https://example.invalid/perisai-9.exe")
    assert opened == ["https://example.invalid/perisai-9.exe"]
