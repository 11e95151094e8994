"""Status bar: who is signed in, how many changes wait for the server, the sync state
(with progress, the last successful sync and what is wrong), the app's version and a
notice when the server announces a newer one.

The sync controller drives ``set_sync_state(state, detail)`` with one of ``SYNC_STATES``,
``set_progress``, ``set_last_sync`` and ``set_update``.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar

from agent_app.ui.operations import run
from agent_app.ui.widgets import ElidedLabel
from agent_app.version import __version__, windows_file_version

SYNC_STATES = ("never", "offline", "syncing", "up_to_date", "problem")


class StatusBar(QStatusBar):
    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.pending: int | None = None
        self.sync_state = "never"
        self.sync_detail = ""
        self.progress: tuple[int, int] | None = None
        self.last_sync: str | None = None
        self.update: tuple[str, str] | None = None  # newer version announced, its link
        self._task = None
        self.user_label = ElidedLabel()
        self.pending_label = QLabel()
        self.sync_label = ElidedLabel()  # a server's long message must not widen the window
        self.sync_label.setObjectName("syncState")
        self.last_sync_label = QLabel()
        self.update_label = QLabel()
        self.update_label.setObjectName("updateLink")
        self.update_label.linkActivated.connect(self._update_clicked)
        self.update_label.hide()
        self.version_label = QLabel(f"v{__version__}")
        for label in (self.user_label, self.pending_label, self.sync_label, self.last_sync_label,
                      self.update_label, self.version_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label, 1 if label is self.sync_label else 0)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        user = self.session.user
        self.user_label.setText(self.tr("Signed in: %1 (%2)").replace("%1", user.full_name)
                                .replace("%2", user.username))
        if self.pending is None:
            self.pending_label.setText(self.tr("Pending: …"))
        else:
            self.pending_label.setText(
                self.tr("Waiting to send: %1").replace(
                    "%1", f"{self.pending:,}".replace(",", "." if self.session.lang == "id" else ","))
            )
        self.sync_label.setText(self._sync_text())
        if self.last_sync:
            when = datetime.fromisoformat(self.last_sync).astimezone()
            self.last_sync_label.setText(
                self.tr("Last sync: %1").replace("%1", when.strftime("%d/%m %H:%M")))
        else:
            self.last_sync_label.setText("")
        if self.update:
            version, url = self.update
            self.update_label.setText('<a href="{}">{}</a>'.format(
                url, self.tr("Version %1 is available").replace("%1", version)))

    def _sync_text(self) -> str:
        texts = {
            "never": self.tr("Never synced"),
            "offline": self.tr("Offline"),
            "syncing": self.tr("Syncing…"),
            "up_to_date": self.tr("Up to date"),
            "problem": self.tr("Sync problem"),
        }
        text = texts.get(self.sync_state, self.sync_state)
        if self.sync_state == "syncing" and self.progress and self.progress[1]:
            text += f" {self.progress[0]}/{self.progress[1]}"
        elif self.sync_state == "problem" and self.sync_detail:
            # What to do (sign in again, update...), not just "problem"; shortened to the
            # space there is, the whole of it in the tooltip.
            text += f": {self.sync_detail}"
        return text

    def set_sync_state(self, state: str, detail: str = "") -> None:
        self.sync_state = state
        self.sync_detail = detail
        if state != "syncing":
            self.progress = None
        self.sync_label.setText(self._sync_text())

    def set_progress(self, done: int, total: int) -> None:
        self.progress = (done, total)
        self.sync_label.setText(self._sync_text())

    def set_last_sync(self, stamp: str) -> None:
        self.last_sync = stamp
        self.retranslateUi()

    def _update_clicked(self, url: str) -> None:
        from agent_app.ui.update_dialog import offer_update

        offer_update(self.core, self.session, self.update[0] if self.update else "", url, self.window())

    def set_update(self, version: str, url: str) -> None:
        """Show the server's announcement only when it names a newer version than this one."""
        if windows_file_version(version) <= windows_file_version(__version__):
            return
        self.update = (version, url)
        self.update_label.show()
        self.retranslateUi()

    def refresh_pending(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._task = run(self, self.runner,
                         self.core.pending_operations, self.session.user.id,
                         on_done=self._pending_loaded, on_error=lambda exc: None)

    def _pending_loaded(self, count: int) -> None:
        self._task = None
        self.set_pending(count)

    def set_pending(self, count: int) -> None:
        """The number of changes waiting for the server (also pushed by the sync engine)."""
        self.pending = count
        self.retranslateUi()
