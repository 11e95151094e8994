"""First start ("create the first user") and sign-in dialogs.

Both run their service call on the TaskRunner (argon2 takes a noticeable moment) and keep
the dialog responsive; errors are ServiceError codes rendered in the UI language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

import agent_app.services  # noqa: F401  (registers the use cases' messages)
from agent_app.ui.errors import error_text
from agent_app.ui.i18n import current_language
from agent_app.ui.operations import run

if TYPE_CHECKING:  # what the mixin is mixed into
    _Dialog = QDialog
else:
    _Dialog = object


class _BusyMixin(_Dialog):
    submit_button: QPushButton

    def _set_busy(self, busy: bool) -> None:
        self.submit_button.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)


class SignInDialog(_BusyMixin, QDialog):
    """Username + password; Enter submits; ``user`` holds the signed-in User on accept."""

    def __init__(self, core, runner, parent=None, *, lang: str | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.lang = lang or current_language()
        self.user = None
        self.setObjectName("signIn")
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.submit_button = QPushButton()
        self.submit_button.setObjectName("submit")
        self.submit_button.setDefault(True)
        self.submit_button.setProperty("primary", True)
        self.submit_button.clicked.connect(self.submit)
        self.username_label = QLabel()
        self.username_label.setBuddy(self.username)
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)
        form = QFormLayout()
        form.addRow(self.username_label, self.username)
        form.addRow(self.password_label, self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.submit_button, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(420)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Perisai Agent: sign in"))
        self.title.setText(self.tr("Sign in"))
        self.username_label.setText(self.tr("&Username"))
        self.password_label.setText(self.tr("&Password"))
        self.submit_button.setText(self.tr("Sign in"))

    def submit(self) -> None:
        if not self.submit_button.isEnabled():
            return
        username = self.username.text().strip()
        if not username or not self.password.text():
            self.error.setText(self.tr("Enter your username and password."))
            return
        self._set_busy(True)
        self.error.setText("")
        run(self, self.runner, self.core.users.authenticate, username, self.password.text(),
            on_done=self._signed_in, on_error=self._failed)

    def _signed_in(self, user) -> None:
        self._set_busy(False)
        self.user = user
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.error.setText(error_text(exc, self.lang))
        self.password.clear()
        self.password.setFocus()



class FirstUserDialog(_BusyMixin, QDialog):
    """First start on this laptop: create the first account (it becomes signed in)."""

    def __init__(self, core, runner, parent=None, *, lang: str | None = None) -> None:
        # Here, not at the top: the sign-in window imports this module before the use
        # cases are loaded, and this dialog comes after them.
        from agent_app.services.access import ROLES

        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.lang = lang or current_language()
        self.user = None
        self.roles = ROLES
        self.setObjectName("firstUser")
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("full_name")
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in self.roles:
            self.role.addItem("", role)
        self.role.setCurrentIndex(self.roles.index("supervisor"))
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("password2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.kecamatan = QComboBox()
        self.kecamatan.setObjectName("kecamatan")
        self.kecamatan.addItem("", None)
        for code, name in core.ref.kecamatan:
            self.kecamatan.addItem(name, code)
        self.kelurahan = QComboBox()
        self.kelurahan.setObjectName("kelurahan")
        self.kecamatan.currentIndexChanged.connect(self._fill_kelurahan)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.submit_button = QPushButton()
        self.submit_button.setObjectName("submit")
        self.submit_button.setDefault(True)
        self.submit_button.setProperty("primary", True)
        self.submit_button.clicked.connect(self.submit)
        self.labels = {key: QLabel() for key in
                       ("username", "full_name", "role", "password", "password2", "kecamatan", "kelurahan")}
        form = QFormLayout()
        for key in self.labels:
            field = getattr(self, key)
            self.labels[key].setBuddy(field)
            form.addRow(self.labels[key], field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.submit_button, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(520)
        self._fill_kelurahan()
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Perisai Agent: first start"))
        self.title.setText(self.tr("Create the first user"))
        self.intro.setText(self.tr(
            "Nobody uses this laptop yet. Create the first account; it can add others later."))
        texts = {
            "username": self.tr("&Username"), "full_name": self.tr("&Full name"),
            "role": self.tr("&Role"), "password": self.tr("&Password"),
            "password2": self.tr("Password &again"), "kecamatan": self.tr("&Kecamatan"),
            "kelurahan": self.tr("K&elurahan"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        roles = {"agent": self.tr("Perisai agent"), "clerk": self.tr("Cooperative clerk"),
                 "supervisor": self.tr("Supervisor")}
        for i, role in enumerate(self.roles):
            self.role.setItemText(i, roles[role])
        self.kecamatan.setItemText(0, self.tr("Whole city"))
        self.kelurahan.setItemText(0, self.tr("Whole kecamatan"))
        self.submit_button.setText(self.tr("Create user"))

    def _fill_kelurahan(self) -> None:
        code = self.kecamatan.currentData()
        self.kelurahan.clear()
        self.kelurahan.addItem(self.tr("Whole kecamatan"), None)
        self.kelurahan.setEnabled(code is not None)
        if code is None:
            return
        for kel in self.core.ref.kelurahan:
            if kel.kecamatan_code == code:
                self.kelurahan.addItem(kel.name, kel.code)

    def submit(self) -> None:
        if not self.submit_button.isEnabled():
            return
        if self.password.text() != self.password2.text():
            self.error.setText(self.tr("The two passwords are not the same."))
            self.password2.clear()
            self.password2.setFocus()
            return
        self._set_busy(True)
        self.error.setText("")
        run(self, self.runner,
            self.core.users.create_user,
            username=self.username.text(),
            full_name=self.full_name.text(),
            role=self.role.currentData(),
            password=self.password.text(),
            kecamatan_code=self.kecamatan.currentData(),
            kelurahan_code=self.kelurahan.currentData(),
            language=self.lang,
            on_done=self._created, on_error=self._failed,)

    def _created(self, user) -> None:
        self._set_busy(False)
        self.user = user
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.error.setText(error_text(exc, self.lang))
