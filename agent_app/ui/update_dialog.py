"""The status bar's "newer version" link: download the installer the centre published (checked
against its size and SHA-256, ``sync.updates``), then run it silently and close the app; the
installer upgrades in place, keeps the data and its queue, and starts the new version.

A centre that publishes no size and SHA-256 gets the old behaviour: the link opens in the
browser.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout

from agent_app.settings import get_setting
from sync.updates import Release, UpdateRefused, download, parse_release, start_installer

log = logging.getLogger(__name__)
DOWNLOAD_FOLDER = Path(tempfile.gettempdir()) / "PerisaiAgent-update"


def offer_update(core, session, version: str, url: str, parent=None) -> QDialog | None:
    try:
        release = parse_release(version, url)
    except UpdateRefused:
        QDesktopServices.openUrl(QUrl(url))
        return None
    dialog = UpdateDialog(core, session, release, parent)
    dialog.open()
    return dialog


class UpdateDialog(QDialog):
    progressed = Signal(int, int)
    downloaded = Signal(str)
    failed = Signal(str)

    def __init__(self, core, session, release: Release, parent=None, *, folder: Path = DOWNLOAD_FOLDER,
                 quit_app=None) -> None:
        super().__init__(parent)
        self.setObjectName("updateDialog")
        self.core = core
        self.session = session
        self.release = release
        self.folder = folder
        self.quit_app = quit_app or QApplication.quit
        self._stop = threading.Event()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("updateProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.hide()
        self.buttons = QDialogButtonBox()
        self.install = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.install.setObjectName("downloadAndInstall")
        self.later = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.install.clicked.connect(self._start)
        self.later.clicked.connect(self.reject)
        self.finished.connect(lambda _r: self._stop.set())
        self.progressed.connect(self._show_progress)
        self.downloaded.connect(self._run_installer)
        self.failed.connect(self._show_problem)
        layout = QVBoxLayout(self)
        for widget in (self.text, self.bar, self.problem, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(460)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Update Perisai Agent"))
        self.text.setText(self.tr(
            "Version %1 is available (%2 MB). Perisai Agent downloads it, checks that it is the "
            "installer the centre published, closes, updates itself and opens again. Your data "
            "and the records waiting to be sent stay as they are.")
            .replace("%1", self.release.version).replace("%2", f"{self.release.size / 1e6:.0f}"))
        self.install.setText(self.tr("Download and install"))
        self.later.setText(self.tr("Later"))

    def _start(self) -> None:
        self.install.setEnabled(False)
        self.problem.hide()
        self.bar.setValue(0)
        self.bar.show()
        threading.Thread(target=self._download, name="update-download", daemon=True).start()

    def _download(self) -> None:
        """On its own thread: a download may take minutes on a slow link."""
        lang = self.session.lang
        try:
            proxy = get_setting(self.core.db, "proxy_url") or None
            path = download(self.release, self.folder, proxy=proxy, cancelled=self._stop.is_set,
                            progress=lambda done, total: self._emit(self.progressed, done, total))
        except UpdateRefused as exc:
            log.warning("update %s not installed: %s", self.release.version, exc)
            self._emit(self.failed, exc.text(lang))
            return
        except Exception:  # a bug: logged; the person is told calmly
            log.exception("update download failed")
            self._emit(self.failed, UpdateRefused("update.download_failed", "?").text(lang))
            return
        self._emit(self.downloaded, str(path))

    def _emit(self, signal, *args) -> None:
        if self._stop.is_set():
            return
        try:
            signal.emit(*args)
        except RuntimeError:  # the dialog is gone
            pass

    def _show_progress(self, done: int, total: int) -> None:
        self.bar.setValue(int(1000 * done / max(total, 1)))

    def _show_problem(self, text: str) -> None:
        self.bar.hide()
        self.problem.setText(text)
        self.problem.show()
        self.install.setEnabled(True)

    def _run_installer(self, path: str) -> None:
        try:
            start_installer(Path(path))
        except OSError as exc:
            self._show_problem(UpdateRefused("update.download_failed", exc.strerror or "").text(self.session.lang))
            return
        log.info("update %s: installer started, closing", self.release.version)
        self.accept()
        self.quit_app()
