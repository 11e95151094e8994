"""Status bar: who is signed in, how many changes wait for the server, sync state.

The sync engine drives ``set_sync_state(state, detail)`` with one of ``SYNC_STATES``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar

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
        self._task = None
        self.user_label = QLabel()
        self.pending_label = QLabel()
        self.sync_label = QLabel()
        for label in (self.user_label, self.pending_label, self.sync_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)
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
        self.sync_label.setToolTip(self.sync_detail)

    def _sync_text(self) -> str:
        texts = {
            "never": self.tr("Never synced"),
            "offline": self.tr("Offline"),
            "syncing": self.tr("Syncing…"),
            "up_to_date": self.tr("Up to date"),
            "problem": self.tr("Sync problem"),
        }
        return texts.get(self.sync_state, self.sync_state)

    def set_sync_state(self, state: str, detail: str = "") -> None:
        self.sync_state = state
        self.sync_detail = detail
        self.sync_label.setText(self._sync_text())
        self.sync_label.setToolTip(detail)

    def refresh_pending(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._task = self.runner.submit(
            self.core.pending_operations, self.session.user.id,
            on_done=self._pending_loaded, on_error=lambda exc: None,
        )

    def _pending_loaded(self, count: int) -> None:
        self._task = None
        self.set_pending(count)

    def set_pending(self, count: int) -> None:
        """The number of changes waiting for the server (also pushed by the sync engine)."""
        self.pending = count
        self.retranslateUi()
