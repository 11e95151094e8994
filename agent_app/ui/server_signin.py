""""Masuk ke server": sign in at the central server again when the sync session ended
(a refresh token expired or was revoked, the laptop's data was restored...).

The server's address and the signed-in person are shown, only the password is typed. The
sign-in runs on the sync controller's network thread; the queue is never touched and is
sent right after (``SyncController.sign_in``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_app.ui.errors import error_text
from agent_app.ui.widgets import ElidedLabel, IssueLabel, TaskDialog


class ServerSignInDialog(TaskDialog):
    def __init__(self, controller, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.session = session
        self.setObjectName("serverSignInDialog")
        self.setModal(True)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.server = ElidedLabel(controller.base_url)
        self.server.setObjectName("serverAddress")
        self.server.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        user = session.user
        self.user = QLabel(f"{user.full_name} ({user.username})")
        self.user.setObjectName("serverUser")
        self.password = QLineEdit()
        self.password.setObjectName("serverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.captions = {key: QLabel() for key in ("server", "user", "password")}
        self.captions["password"].setBuddy(self.password)
        form = QFormLayout()
        form.addRow(self.captions["server"], self.server)
        form.addRow(self.captions["user"], self.user)
        form.addRow(self.captions["password"], self.password)
        self.message = IssueLabel()
        self.message.setObjectName("serverSignInMessage")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.submit_button = QPushButton()
        self.submit_button.setObjectName("serverSignInSubmit")
        self.submit_button.setProperty("primary", True)
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(440)
        controller.signed_in.connect(self._answered)
        self.retranslateUi()
        self.password.setFocus()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Sign in to the server"))
        self.title.setText(self.tr("Sign in to the server"))
        self.explanation.setText(self.tr(
            "The sync session with the central server has ended. Sign in again with your "
            "password to send what waits on this laptop; nothing is lost."))
        self.captions["server"].setText(self.tr("Server"))
        self.captions["user"].setText(self.tr("User"))
        self.captions["password"].setText(self.tr("&Password"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.submit_button.setText(self.tr("Sign in"))

    def submit(self) -> None:
        if self.busy:
            return
        if not self.password.text():
            self.message.set_message(self.tr("Type your password."))
            self.password.setFocus()
            return
        self.busy = True
        self.submit_button.setEnabled(False)
        self.message.set_message(self.tr("Signing in…"), "warning")
        self.controller.sign_in(self.password.text())

    def _answered(self, error) -> None:
        if not self.busy:
            return  # not this dialog's request (or it was closed)
        self.busy = False
        self.submit_button.setEnabled(True)
        self.password.clear()
        if error is None:
            self.accept()
            return
        self.message.set_message(error_text(error, self.session.lang))
        self.password.setFocus()
