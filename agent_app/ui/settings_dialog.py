"""Settings: UI language (per user, applied live), auto-lock minutes, the office proxy and
the counter's receipt printer and paper (app-wide).

``SettingsPage`` is the "Pengaturan" page of the main window; ``SettingsDialog`` wraps the
same widget for use outside the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from agent_app.settings import SETTINGS, get_settings, set_setting
from agent_app.ui.operations import run, show_error
from agent_app.ui.payment_dialog import paper_names
from agent_app.ui.receipt import LAYOUTS

LANGUAGE_NAMES = (("id", "Bahasa Indonesia"), ("en", "English"))  # endonyms: never translated
STORED = ("lock_minutes", "proxy_url", "receipt_layout", "receipt_printer")


class SettingsPage(QWidget):
    lock_minutes_changed = Signal(int)
    saved = Signal(str)  # key

    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, name in LANGUAGE_NAMES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex([c for c, _ in LANGUAGE_NAMES].index(session.lang))
        self.language.currentIndexChanged.connect(self._language_chosen)
        session.language_changed.connect(self._language_changed_elsewhere)
        spec = SETTINGS["lock_minutes"]
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setObjectName("lockMinutes")
        assert spec.minimum is not None and spec.maximum is not None, "the lock's minutes are bounded"
        self.lock_minutes.setRange(spec.minimum, spec.maximum)
        self.lock_minutes.setValue(spec.default)
        self.lock_minutes.setEnabled(False)  # until the stored value arrives
        self.lock_minutes.valueChanged.connect(self._lock_minutes_chosen)
        self.proxy = QLineEdit()
        self.proxy.setObjectName("proxyUrl")
        self.proxy.setEnabled(False)  # until the stored value arrives
        self.proxy.editingFinished.connect(self._proxy_chosen)
        self.proxy_label = QLabel()
        self.proxy_label.setBuddy(self.proxy)
        self.proxy_problem = QLabel()
        self.proxy_problem.setObjectName("proxyProblem")
        self.proxy_problem.setProperty("role", "error")
        self.proxy_problem.setWordWrap(True)
        self.proxy_problem.hide()
        self.paper = QComboBox()
        self.paper.setObjectName("receiptPaper")
        for key in LAYOUTS:
            self.paper.addItem("", key)
        self.printer = QComboBox()
        self.printer.setObjectName("receiptPrinter")
        self.printer.addItem("", "")  # the system's default printer
        for name in QPrinterInfo.availablePrinterNames():
            self.printer.addItem(name, name)
        for combo in (self.paper, self.printer):
            combo.setEnabled(False)  # until the stored value arrives
        self.paper.currentIndexChanged.connect(lambda _i: self._receipt_chosen(
            "receipt_layout", self.paper.currentData()))
        self.printer.currentIndexChanged.connect(lambda _i: self._receipt_chosen(
            "receipt_printer", self.printer.currentData()))
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language)
        self.lock_label = QLabel()
        self.lock_label.setBuddy(self.lock_minutes)
        self.paper_label = QLabel()
        self.paper_label.setBuddy(self.paper)
        self.printer_label = QLabel()
        self.printer_label.setBuddy(self.printer)
        self.note = QLabel()
        self.note.setProperty("role", "muted")
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.language.setMinimumWidth(220)
        self.lock_minutes.setMinimumWidth(120)
        self.proxy.setMinimumWidth(320)
        self.proxy_problem.setMinimumWidth(320)
        form.addRow(self.language_label, self.language)
        form.addRow(self.lock_label, self.lock_minutes)
        form.addRow(self.proxy_label, self.proxy)
        form.addRow("", self.proxy_problem)
        form.addRow(self.printer_label, self.printer)
        form.addRow(self.paper_label, self.paper)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.retranslateUi()
        run(self, runner, get_settings, core.db, *STORED, on_done=self._loaded,
            on_error=lambda exc: self._loaded({key: SETTINGS[key].default for key in STORED}))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Settings"))
        self.language_label.setText(self.tr("&Language"))
        self.lock_label.setText(self.tr("&Auto-lock after (minutes idle)"))
        self.lock_minutes.setSuffix(self.tr(" min"))
        self.proxy_label.setText(self.tr("Office &proxy"))
        self.proxy.setPlaceholderText(self.tr("empty: the system's proxy settings"))
        self.proxy.setToolTip(self.tr("Only when sync fails behind the office proxy: its address and "
                                      "port, e.g. proxy.kantor:8080 (ask IT support)."))
        self.proxy_problem.setText(self.tr("Not a proxy address: write its name or IP address and "
                                           "port, e.g. proxy.kantor:8080."))
        self.printer_label.setText(self.tr("Receipt pri&nter"))
        self.paper_label.setText(self.tr("Receipt pape&r"))
        self.printer.setItemText(0, self.tr("System default printer"))
        papers = paper_names()
        for i, key in enumerate(LAYOUTS):
            self.paper.setItemText(i, papers[key])
        self.note.setText(self.tr(
            "The language is remembered for the signed-in user; the auto-lock time is the "
            "same for everyone on this laptop. Lock now with Ctrl+L."))

    def _language_changed_elsewhere(self, lang: str) -> None:
        self.language.blockSignals(True)
        self.language.setCurrentIndex(self.language.findData(lang))
        self.language.blockSignals(False)

    def _loaded(self, values: dict) -> None:
        """The stored settings: shown here, and in force (lock timer, receipts) at once."""
        self.session.receipt_layout = values["receipt_layout"]
        self.session.receipt_printer = values["receipt_printer"]
        if self.printer.findData(values["receipt_printer"]) < 0:  # not connected now
            self.printer.addItem(values["receipt_printer"], values["receipt_printer"])
        for widget, value in ((self.lock_minutes, values["lock_minutes"]),
                              (self.paper, values["receipt_layout"]),
                              (self.printer, values["receipt_printer"])):
            widget.blockSignals(True)
            if isinstance(widget, QSpinBox):
                widget.setValue(value)
            else:
                widget.setCurrentIndex(max(widget.findData(value), 0))
            widget.blockSignals(False)
            widget.setEnabled(True)
        self.proxy.setText(values["proxy_url"])
        self.proxy.setEnabled(True)
        self.lock_minutes_changed.emit(values["lock_minutes"])

    def _proxy_chosen(self) -> None:
        text = self.proxy.text()

        def stored(_result) -> None:
            self.proxy_problem.hide()
            self.saved.emit("proxy_url")

        def refused(exc: BaseException) -> None:
            if isinstance(exc, ValueError):
                self.proxy_problem.show()
            else:
                show_error(self, exc)

        run(self, self.runner, set_setting, self.core.db, "proxy_url", text,
            on_done=stored, on_error=refused)

    def _language_chosen(self) -> None:
        lang = self.language.currentData()
        if lang == self.session.lang:
            return
        self.session.set_language(lang)
        run(self, self.runner, self.core.users.set_language, self.session.user, lang,
            on_done=lambda _r: self.saved.emit("language"),
            on_error=lambda exc: None)

    def _receipt_chosen(self, key: str, value: str) -> None:
        setattr(self.session, key, value)
        run(self, self.runner, set_setting, self.core.db, key, value,
            on_done=lambda _r: self.saved.emit(key), on_error=lambda exc: None)

    def _lock_minutes_chosen(self, minutes: int) -> None:
        self.lock_minutes_changed.emit(minutes)
        run(self, self.runner, set_setting, self.core.db, "lock_minutes", minutes,
            on_done=lambda _r: self.saved.emit("lock_minutes"),
            on_error=lambda exc: None)


class SettingsDialog(QDialog):
    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.page = SettingsPage(core, runner, session, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        layout.addWidget(buttons)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
