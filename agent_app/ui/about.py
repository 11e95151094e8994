"""Help > About: the app's version, and which kind of build this is.

A demo or development build carries the repository's demo recovery key, whose private half
is public: a database key sealed to it protects nothing. The dialog says so in words, so a
demo build handed out by mistake is recognised before it holds real participants' data.
"""

from __future__ import annotations

from html import escape as _escape

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from agent_app.store.recovery import recovery_key_id
from agent_app.version import __version__


def escape(text: str) -> str:
    return _escape(text, quote=False)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.key_id, self.demo = recovery_key_id()
        self.text = QLabel()
        self.text.setObjectName("aboutText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("About Perisai Agent"))
        build = self.tr("Demo / development build") if self.demo else self.tr("Release build")
        programme = self.tr("Program Makassar Berjasa, with BPJS Ketenagakerjaan")
        key = self.tr("Key recovery: key %1").replace("%1", self.key_id)
        lines = [f"<h3>Perisai Agent {escape(__version__)}</h3>", f"<p>{escape(programme)}</p>",
                 f"<p><b>{escape(build)}</b><br>{escape(key)}</p>"]
        if self.demo:
            warning = self.tr("This build seals the database key to the demo recovery key, whose private key is "
                              "public. Use it only for training and testing, never for real participants' data.")
            lines.append(f"<p style='color:#b00020'>{escape(warning)}</p>")
        self.text.setText("".join(lines))
