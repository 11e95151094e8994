"""Auto-lock: after ``minutes`` without key or mouse input, the main window shows a lock
page that asks for the signed-in user's password again.

Nothing beneath is destroyed or reset: the window's content is only hidden behind the lock
page (a QStackedWidget switch) and open dialogs are hidden and shown again, so a half-typed
registration survives. An event filter on the QApplication counts key and mouse presses as
activity.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_app.ui.errors import error_text
from agent_app.ui.operations import run

DEFAULT_MINUTES = 10
ACTIVITY_EVENTS = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin,
}


class LockPage(QWidget):
    unlock_requested = Signal(str)

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("lockOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMinimumWidth(320)
        self.password.returnPressed.connect(self._submit)
        self.button = QPushButton()
        self.button.setObjectName("unlockButton")
        self.button.setProperty("primary", True)
        self.button.clicked.connect(self._submit)
        self.error = QLabel()
        self.error.setObjectName("lockError")
        self.error.setProperty("role", "error")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error.setWordWrap(True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.password)
        row.addWidget(self.button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.info)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addStretch(2)
        self.setFocusProxy(self.password)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Locked"))
        self.info.setText(self.tr("%1 is signed in. Enter the password to continue; "
                                  "nothing you typed is lost.")
                          .replace("%1", self.session.user.full_name))
        self.password.setPlaceholderText(self.tr("Password"))
        self.button.setText(self.tr("Unlock"))

    def show_wrong_password(self) -> None:
        self.error.setText(self.tr("Wrong password."))

    def _submit(self) -> None:
        if self.button.isEnabled() and self.password.text():
            self.unlock_requested.emit(self.password.text())


class LockController(QObject):
    """Owns the inactivity timer, the app-wide input filter and the lock/unlock flow."""

    locked_changed = Signal(bool)

    def __init__(self, window, core, runner, session, *, minutes: int = DEFAULT_MINUTES) -> None:
        super().__init__(window)
        self.window = window
        self.core = core
        self.runner = runner
        self.session = session
        self.locked = False
        self._hidden_dialogs: list[QDialog] = []
        self._focus_before: QWidget | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.set_minutes(minutes)
        self.page = LockPage(session)
        self.page.unlock_requested.connect(self._verify)
        session.activity.connect(self._activity)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(int(minutes) * 60_000)

    def set_timeout_ms(self, ms: int) -> None:
        self.timer.setInterval(max(ms, 50))
        if not self.locked:
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() in ACTIVITY_EVENTS and not self.locked:
            self.timer.start()  # restart: cheaper than going through session.touch()
        return False

    def _activity(self) -> None:
        if not self.locked:
            self.timer.start()

    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        self.timer.stop()
        focus = QApplication.focusWidget()
        self._focus_before = focus if focus is not None and self.window.isAncestorOf(focus) else None
        # Hide (not close) the window's open dialogs: closing would lose their input.
        self._hidden_dialogs = [
            d for d in self.window.findChildren(QDialog)
            if d.isVisible() and d.isWindow()
        ]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        self.page.password.clear()
        self.page.error.setText("")
        self.page.button.setEnabled(True)
        self.window.show_lock_page(self.page)
        self.page.password.setFocus()
        self.locked_changed.emit(True)

    def _verify(self, password: str) -> None:
        self.page.button.setEnabled(False)
        run(self, self.runner, self.core.users.verify_password, self.session.user, password,
            on_done=self._verified, on_error=self._refused)

    def _verified(self, ok: bool) -> None:
        self.page.button.setEnabled(True)
        if not ok:
            self.page.show_wrong_password()
            self.page.password.clear()
            return
        self.unlock()

    def _refused(self, exc: BaseException) -> None:
        self.page.button.setEnabled(True)
        self.page.password.clear()
        self.page.error.setText(error_text(exc, self.session.lang))

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False
        self.page.password.clear()
        self.window.hide_lock_page(self.page)
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        if self._focus_before is not None:
            self._focus_before.setFocus()
        self._focus_before = None
        self.timer.start()
        self.session.touch()
        self.locked_changed.emit(False)
