"""Void a mistaken payment: a reason (at least 5 characters), then a reversal entry.

Money is append-only: the original payment stays, a negative "void" entry with its own
receipt number is added (``core.payments.void``). The void slip can be printed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_app.services.base import ServiceError
from agent_app.ui import receipt as receipts
from agent_app.ui.errors import error_text
from agent_app.ui.operations import PAYMENTS, run
from agent_app.ui.payment_dialog import printer_handler
from agent_app.ui.receipt import ReceiptData, load_receipt, months_label
from agent_app.ui.widgets import IssueLabel, TaskDialog, mask_nik

MIN_REASON = 5


def load_void_view(core, user, payment_id: str) -> tuple[ReceiptData, ServiceError | None]:
    """The payment as its receipt shows it, and why this user may not void it (or None).

    Database thread. The service checks again when voiding; this only says it up front.
    """
    from agent_app.services.access import require_void

    data = load_receipt(core, payment_id)
    refusal = None
    try:
        require_void(user, core.payments.get(payment_id), core.clock.today())
    except ServiceError as exc:
        refusal = exc
    return data, refusal


class VoidDialog(TaskDialog):
    payment_voided = Signal(str)  # id of the new void (reversal) entry
    default_print_handler: Callable | None = None  # class-wide, like PaymentDialog's

    def __init__(self, core, runner, session, payment_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.payment_id = payment_id
        self.original: ReceiptData | None = None
        self.void_receipt: ReceiptData | None = None
        # Injectable like PaymentDialog.print_handler: (parent, data, layout, lang, copy) -> bool
        self.print_handler: Callable | None = None
        self.setObjectName("voidDialog")
        self.setModal(True)

        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setProperty("role", "title")
        layout.addWidget(self.heading)
        form = QFormLayout()
        self.captions = {k: QLabel() for k in ("receipt", "worker", "months", "amount", "reason")}
        self.values = {k: QLabel() for k in ("receipt", "worker", "months", "amount")}
        for key, value in self.values.items():
            value.setObjectName(f"void_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.captions[key], value)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("voidReason")
        self.reason_edit.setMaxLength(300)
        self.captions["reason"].setBuddy(self.reason_edit)
        form.addRow(self.captions["reason"], self.reason_edit)
        layout.addLayout(form)
        self.message = IssueLabel()
        self.message.setObjectName("voidMessage")
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("confirmVoidButton")
        self.confirm_button.setDefault(True)
        self.confirm_button.setEnabled(False)
        self.confirm_button.clicked.connect(self.confirm)
        self.print_button = QPushButton()
        self.print_button.setObjectName("printVoidButton")
        self.print_button.hide()
        self.print_button.clicked.connect(self.print_slip)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()
        for b in (self.cancel_button, self.confirm_button, self.print_button, self.close_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.reason_edit.textChanged.connect(self._update_state)
        self.setMinimumWidth(520)
        self.retranslateUi()
        self.session.language_changed.connect(self._language_changed)
        run(self, runner, load_void_view, core, session.user, payment_id,
            on_done=self._loaded, on_error=self._failed)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def _language_changed(self, _lang: str) -> None:
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Void payment"))
        self.heading.setText(self.tr("Void a mistaken payment"))
        self.captions["receipt"].setText(self.tr("Receipt"))
        self.captions["worker"].setText(self.tr("Participant"))
        self.captions["months"].setText(self.tr("Months"))
        self.captions["amount"].setText(self.tr("Amount"))
        self.captions["reason"].setText(self.tr("&Reason"))
        self.reason_edit.setPlaceholderText(self.tr("Why is this payment void? (at least 5 characters)"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.confirm_button.setText(self.tr("&Void payment"))
        self.print_button.setText(self.tr("Print void slip"))
        self.close_button.setText(self.tr("Close"))
        self._show()

    def _show(self) -> None:
        data = self.original
        if data is None:
            return
        lang = self.session.lang
        self.values["receipt"].setText(data.receipt_no)
        self.values["worker"].setText(f"{data.worker_name} · NIK {mask_nik(data.nik)}")
        self.values["months"].setText(months_label(data.months, lang))
        self.values["amount"].setText(receipts.format_money(data.amount, lang))

    def _loaded(self, view: tuple[ReceiptData, ServiceError | None]) -> None:
        data, refusal = view
        self.original = data
        self.refusal = refusal
        self._show()
        if data.is_void:
            self.message.set_message(self.tr("This entry is itself a void; it cannot be voided."))
            self.reason_edit.setEnabled(False)
        elif refusal is not None:
            self.message.set_message(refusal.text(self.session.lang))
            self.reason_edit.setEnabled(False)
        self._update_state()
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return " ".join(self.reason_edit.text().split())

    def _update_state(self) -> None:
        ok = (self.original is not None and not self.original.is_void and not self.busy
              and getattr(self, "refusal", None) is None
              and self.void_receipt is None and len(self.reason()) >= MIN_REASON)
        self.confirm_button.setEnabled(ok)

    def confirm(self) -> None:
        if not self.confirm_button.isEnabled() or self.busy:
            return
        self.busy = True
        self._update_state()
        self.message.set_message("")
        run(self, self.runner, self.core.payments.void, self.session.user, self.payment_id,
            self.reason(), on_done=self._voided, on_error=self._failed, changes=PAYMENTS)

    def _voided(self, void) -> None:
        self.payment_voided.emit(void.id)
        run(self, self.runner, load_receipt, self.core, void.id, on_done=self._void_loaded,
            on_error=self._failed)

    def _void_loaded(self, data: ReceiptData) -> None:
        self.busy = False
        self.void_receipt = data
        self.message.set_message(
            self.tr("Voided. Reversal receipt %1.").replace("%1", data.receipt_no), "ok")
        self.reason_edit.setEnabled(False)
        self.cancel_button.hide()
        self.confirm_button.hide()
        self.print_button.show()
        self.close_button.show()
        self.print_button.setDefault(True)
        self.print_button.setFocus()
        self._update_state()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.message.set_message(error_text(exc, self.session.lang))
        self._update_state()

    def print_slip(self) -> None:
        if self.void_receipt is None:
            return
        handler = self.print_handler or type(self).default_print_handler or printer_handler(
            self.session)
        if handler(self, self.void_receipt, self.session.receipt_layout, self.session.lang, False):
            self.close_button.setDefault(True)
            self.close_button.setFocus()

