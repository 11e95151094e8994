"""Collect a contribution at the counter: months, amount, method, then the receipt.

Keyboard flow: the month choice has focus (arrow keys change it), Enter saves; then the
"Print receipt" button is the default, so Enter prints; Esc closes.

Printing and the PDF file name are injectable (``print_handler``, ``pdf_path_chooser``)
so tests and kiosk set-ups never open a native dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from agent_app.domain import coverage
from agent_app.domain.messages import render
from agent_app.services.base import ServiceError
from agent_app.settings import set_setting
from agent_app.ui import receipt as receipts
from agent_app.ui.errors import error_text
from agent_app.ui.operations import PAYMENTS, run
from agent_app.ui.receipt import ReceiptData, load_receipt, months_label
from agent_app.ui.widgets import (
    Columns,
    IssueLabel,
    MoneyLabel,
    TaskDialog,
    fit_to_screen,
    mask_nik,
    panel,
)

PERIODS = (1, 3, 6, 12)
METHODS = ("cash", "qris", "transfer")

PrintHandler = Callable[[QWidget, ReceiptData, str, str, bool], bool]


def load_payment_view(core, worker_id: str) -> dict:
    """Everything the dialog shows, read in one go on the database thread."""
    detail = core.workers.detail(worker_id)
    if detail is None:
        raise ServiceError("worker.not_found")
    options = core.payments.options(worker_id)
    quotes = {n: core.payments.quote(worker_id, months) for n, months in options.choices.items()}
    return {
        "worker": detail.worker,
        "options": options,
        "quotes": quotes,
        "today": core.clock.today(),
    }


def coverage_text(paid_through: str | None, today, lang: str) -> str:
    status = coverage.coverage_status(paid_through, today)
    unpaid = coverage.unpaid_months(paid_through, today)
    text = render(f"coverage.{status}", lang, months=unpaid)
    if paid_through:
        text += " · " + QCoreApplication.translate("PaymentDialog", "paid through %1").replace(
            "%1", receipts.month_label(paid_through, lang))
    return text


if TYPE_CHECKING:  # what the receipt output is mixed into
    _Dialog = QDialog
else:
    _Dialog = object


class _ReceiptOutput(_Dialog):
    """Paper choice, "Print receipt" and "Save PDF" for a loaded ``self.receipt``: shared
    by the payment dialog (the original) and the reprint dialog (marked as a copy)."""

    core: Any
    runner: Any
    session: Any
    close_button: QPushButton
    receipt: ReceiptData | None
    receipt_copy = False
    default_print_handler: PrintHandler | None = None
    default_pdf_path_chooser: Callable[[QWidget, str], str | None] | None = None

    def _build_output(self, layout: QVBoxLayout) -> QHBoxLayout:
        self.print_handler: PrintHandler | None = None
        self.pdf_path_chooser: Callable[[QWidget, str], str | None] | None = None
        paper = QHBoxLayout()
        self.layout_caption = QLabel()
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("receiptLayout")
        for key in receipts.LAYOUTS:
            self.layout_combo.addItem(key, key)
        index = self.layout_combo.findData(self.session.receipt_layout)
        self.layout_combo.setCurrentIndex(max(index, 0))
        self.layout_combo.currentIndexChanged.connect(self._paper_chosen)
        self.layout_caption.setBuddy(self.layout_combo)
        paper.addWidget(self.layout_caption)
        paper.addWidget(self.layout_combo)
        paper.addStretch(1)
        layout.addLayout(paper)
        self.output_status = IssueLabel()
        self.output_status.setObjectName("outputStatus")
        layout.addWidget(self.output_status)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.print_button = QPushButton()
        self.print_button.setObjectName("printButton")
        self.print_button.clicked.connect(self.print_receipt)
        self.pdf_button = QPushButton()
        self.pdf_button.setObjectName("pdfButton")
        self.pdf_button.setAutoDefault(False)
        self.pdf_button.clicked.connect(self.save_pdf)
        return buttons

    def _retranslate_output(self) -> None:
        # Literal strings in translate(): pyside6-lupdate cannot see through a helper.
        translate = QCoreApplication.translate
        self.layout_caption.setText(translate("ReceiptOutput", "&Paper:"))
        names = paper_names()
        for i, key in enumerate(receipts.LAYOUTS):
            self.layout_combo.setItemText(i, names[key])
        self.print_button.setText(translate("ReceiptOutput", "Print receipt"))
        self.pdf_button.setText(translate("ReceiptOutput", "Save PDF"))

    def layout_key(self) -> str:
        return self.layout_combo.currentData()

    def _paper_chosen(self) -> None:
        """The counter's paper is the same for the next receipt: remember it."""
        self.session.receipt_layout = self.layout_key()
        run(self, self.runner, set_setting, self.core.db, "receipt_layout", self.layout_key())

    def print_receipt(self) -> None:
        if self.receipt is None:
            return
        handler = self.print_handler or type(self).default_print_handler or printer_handler(
            self.session)
        try:
            printed = handler(self, self.receipt, self.layout_key(), self.session.lang,
                              self.receipt_copy)
        except OSError as exc:
            self.output_status.set_message(error_text(exc, self.session.lang))
            return
        if printed:
            self.output_status.set_message(
                QCoreApplication.translate("ReceiptOutput", "Receipt printed."), "ok")
            self.close_button.setDefault(True)
            self.close_button.setFocus()

    def save_pdf(self) -> None:
        if self.receipt is None:
            return
        suffix = "-SALINAN" if self.receipt_copy else ""
        suggested = f"Kuitansi-{self.receipt.receipt_no}{suffix}.pdf"
        chooser = self.pdf_path_chooser or type(self).default_pdf_path_chooser or _ask_pdf_path
        path = chooser(self, suggested)
        if not path:
            return
        try:
            receipts.save_receipt_pdf(path, self.receipt, layout=self.layout_key(),
                                      lang=self.session.lang, copy=self.receipt_copy)
        except OSError as exc:
            self.output_status.set_message(error_text(exc, self.session.lang))
            return
        self.output_status.set_message(QCoreApplication.translate("ReceiptOutput", "Saved: %1")
                                       .replace("%1", str(path)), "ok")


class PaymentDialog(_ReceiptOutput, TaskDialog):
    payment_saved = Signal(str)  # payment id
    # Class-wide defaults for the injectable outputs (tests, kiosk set-ups) are
    # ``default_print_handler`` / ``default_pdf_path_chooser``, used when the instance
    # attributes ``print_handler`` / ``pdf_path_chooser`` are None.

    def __init__(self, core, runner, session, worker_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.worker_id = worker_id
        self.view: dict | None = None
        self.payment_id: str | None = None
        self.receipt: ReceiptData | None = None
        self.setObjectName("paymentDialog")
        self.setModal(True)
        self._build()
        self.retranslateUi()
        self.session.language_changed.connect(self._language_changed)
        self._load()

    # --- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.addWidget(self.stack)

        # Page 1: choose and confirm.
        choose = QWidget()
        self.stack.addWidget(choose)
        layout = QVBoxLayout(choose)
        self.worker_name = QLabel()
        self.worker_name.setObjectName("workerName")
        self.worker_name.setProperty("role", "title")
        self.worker_info = QLabel()
        self.worker_info.setObjectName("workerInfo")
        self.stale_note = QLabel()
        self.stale_note.setObjectName("staleNote")
        self.stale_note.setProperty("role", "muted")
        self.stale_note.setWordWrap(True)
        layout.addWidget(self.worker_name)
        layout.addWidget(self.worker_info)
        layout.addWidget(self.stale_note)

        self.months_box = QGroupBox()
        grid = QGridLayout(self.months_box)
        self.period_group = QButtonGroup(self)
        self.period_buttons: dict[int, QRadioButton] = {}
        self.period_spans: dict[int, QLabel] = {}
        self.period_totals: dict[int, MoneyLabel] = {}
        for row, n in enumerate(PERIODS):
            button = QRadioButton()
            button.setObjectName(f"months{n}")
            self.period_group.addButton(button, n)
            self.period_buttons[n] = button
            span = QLabel()
            span.setObjectName(f"span{n}")
            total = MoneyLabel(lang=self.session.lang)
            total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.period_spans[n] = span
            self.period_totals[n] = total
            grid.addWidget(button, row, 0)
            grid.addWidget(span, row, 1)
            grid.addWidget(total, row, 2)
        grid.setColumnStretch(1, 1)
        self.period_buttons[1].setChecked(True)
        self.period_group.idToggled.connect(self._period_toggled)
        self.arrears_note = QLabel()
        self.arrears_note.setObjectName("arrearsNote")
        self.arrears_note.setWordWrap(True)
        self.arrears_note.hide()

        self.amount_box = QGroupBox()
        form = QFormLayout(self.amount_box)
        self.amount_labels: dict[str, MoneyLabel] = {}
        self.amount_captions: dict[str, QLabel] = {}
        for name in ("jkk", "jkm", "jht", "total"):
            caption = QLabel(name.upper())
            value = MoneyLabel(lang=self.session.lang)
            value.setObjectName(f"amount_{name}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.amount_labels[name] = value
            self.amount_captions[name] = caption
            form.addRow(caption, value)
        font = self.amount_labels["total"].font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 3)
        self.amount_labels["total"].setFont(font)
        self.amount_captions["total"].setFont(font)
        self.discount_note = QLabel()
        self.discount_note.setObjectName("discountNote")
        self.discount_note.setWordWrap(True)
        form.addRow(self.discount_note)

        self.method_box = QGroupBox()
        methods = QHBoxLayout(self.method_box)
        self.method_group = QButtonGroup(self)
        self.method_buttons: dict[str, QRadioButton] = {}
        for i, method in enumerate(METHODS):
            button = QRadioButton()
            button.setObjectName(f"method_{method}")
            self.method_group.addButton(button, i)
            self.method_buttons[method] = button
            methods.addWidget(button)
        self.method_buttons["cash"].setChecked(True)
        # Months beside the money: the dialog fits 1366x768 at 150 % (512 pixels high).
        columns = Columns()
        columns.add(panel(self.months_box, self.arrears_note, stretch=True))
        columns.add(panel(self.amount_box, self.method_box, stretch=True))
        layout.addWidget(columns, 1)

        self.error = IssueLabel()
        self.error.setObjectName("paymentError")
        layout.addWidget(self.error)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton()
        self.save_button.setObjectName("savePaymentButton")
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

        # Page 2: saved, print the receipt.
        done = QWidget()
        self.stack.addWidget(done)
        dl = QVBoxLayout(done)
        self.saved_title = QLabel()
        self.saved_title.setProperty("role", "title")
        self.receipt_label = QLabel()
        self.receipt_label.setObjectName("receiptNumber")
        self.receipt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rfont = self.receipt_label.font()
        rfont.setPointSize(rfont.pointSize() + 4)
        rfont.setBold(True)
        self.receipt_label.setFont(rfont)
        self.saved_total = QLabel()
        self.saved_total.setObjectName("savedTotal")
        dl.addWidget(self.saved_title)
        dl.addWidget(self.receipt_label)
        dl.addWidget(self.saved_total)
        done_buttons = self._build_output(dl)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        for b in (self.print_button, self.pdf_button, self.close_button):
            done_buttons.addWidget(b)
        dl.addLayout(done_buttons)

        fit_to_screen(self, 820, 420)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def _language_changed(self, _lang: str) -> None:
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Collect contribution"))
        self.months_box.setTitle(self.tr("Months to pay"))
        # The NIK is also the payment number at banks and shops: this laptop may not know.
        self.stale_note.setText(self.tr("Paid months as known on this laptop; payments made at "
                                        "a bank or shop may not show until the next sync."))
        for n, button in self.period_buttons.items():
            button.setText(self.tr("&%1 month(s)").replace("%1", str(n)) if n < 10
                           else self.tr("%1 month(s)").replace("%1", str(n)))
        self.amount_box.setTitle(self.tr("Amount"))
        self.amount_captions["total"].setText(self.tr("Total"))
        self.method_box.setTitle(self.tr("Payment method"))
        self.method_buttons["cash"].setText(self.tr("Cash"))
        self.method_buttons["qris"].setText(self.tr("QRIS"))
        self.method_buttons["transfer"].setText(self.tr("Transfer"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.save_button.setText(self.tr("Save payment"))
        self.saved_title.setText(self.tr("Payment saved"))
        self._retranslate_output()
        self.close_button.setText(self.tr("Close"))
        self._show_view()

    # --- loading ------------------------------------------------------------------------
    def _load(self) -> None:
        self.worker_name.setText(self.tr("Loading…"))
        run(self, self.runner, load_payment_view, self.core, self.worker_id,
            on_done=self._loaded, on_error=self._failed)

    def _loaded(self, view: dict) -> None:
        self.view = view
        self.save_button.setEnabled(True)
        self._show_view()
        checked = self.period_group.checkedButton()
        if checked is not None:
            checked.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.save_button.setEnabled(self.view is not None)
        self.error.set_message(error_text(exc, self.session.lang))

    def _show_view(self) -> None:
        view = self.view
        if view is None:
            return
        lang = self.session.lang
        worker = view["worker"]
        self.worker_name.setText(worker.full_name)
        info = self.tr("NIK %1 · %2").replace("%1", mask_nik(worker.nik)).replace(
            "%2", coverage_text(worker.paid_through, view["today"], lang))
        self.worker_info.setText(info)
        options = view["options"]
        for n in PERIODS:
            months = options.choices[n]
            self.period_spans[n].setText(months_label(months, lang))
            self.period_totals[n].set_amount(view["quotes"][n].total, lang)
        payable = options.payable
        if payable.next_unpaid < payable.current_month:
            arrears = [m for m in payable.arrears if m >= payable.next_unpaid]
            self.arrears_note.setText(
                self.tr("Includes arrears: %1").replace("%1", months_label(arrears, lang))
            )
            self.arrears_note.show()
        else:
            self.arrears_note.hide()
        self._show_quote()

    def months_ahead(self) -> int:
        return self.period_group.checkedId()

    def method(self) -> str:
        return METHODS[self.method_group.checkedId()]

    def _period_toggled(self, _id: int, on: bool) -> None:
        if on:
            self._show_quote()

    def _show_quote(self) -> None:
        if self.view is None:
            return
        lang = self.session.lang
        quote = self.view["quotes"][self.months_ahead()]
        for name in ("jkk", "jkm", "jht"):
            present = name in quote.by_programme
            self.amount_labels[name].set_amount(quote.by_programme.get(name), lang)
            self.amount_labels[name].setVisible(present)
            self.amount_captions[name].setVisible(present)
        self.amount_labels["total"].set_amount(quote.total, lang)
        discounts = [o for o in quote.overrides_applied if o.startswith("pp")]
        if discounts:
            self.discount_note.setText(self.tr("Includes the contribution discount (%1).")
                                       .replace("%1", ", ".join(_override_sources(self.core, discounts))))
            self.discount_note.show()
        else:
            self.discount_note.hide()

    # --- saving -------------------------------------------------------------------------
    def save(self) -> None:
        if self.busy or self.view is None or self.payment_id is not None:
            return  # a second Enter must never collect twice
        self.busy = True
        self.save_button.setEnabled(False)
        self.error.set_message("")
        run(self, self.runner, self.core.payments.collect, self.session.user, self.worker_id,
            self.months_ahead(), self.method(), on_done=self._saved, on_error=self._failed,
            changes=PAYMENTS)

    def _saved(self, payment) -> None:
        self.payment_id = payment.id
        self.busy = False
        self.payment_saved.emit(payment.id)
        run(self, self.runner, load_receipt, self.core, payment.id,
            on_done=self._receipt_loaded, on_error=self._receipt_failed)

    def _receipt_loaded(self, data: ReceiptData) -> None:
        self.receipt = data
        self.receipt_label.setText(data.receipt_no)
        self.saved_total.setText(
            f"{receipts.format_money(data.amount, self.session.lang)} · "
            f"{months_label(data.months, self.session.lang)}"
        )
        self.stack.setCurrentIndex(1)
        self.print_button.setDefault(True)
        self.print_button.setFocus()

    def _receipt_failed(self, exc: BaseException) -> None:
        # The money is saved; only the receipt view failed. Say so, keep the dialog open.
        self.stack.setCurrentIndex(1)
        self.receipt_label.setText("")
        self.output_status.set_message(error_text(exc, self.session.lang))
        self.print_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.close_button.setDefault(True)
        self.close_button.setFocus()


class ReprintDialog(_ReceiptOutput, QDialog):
    """Reprint a receipt (or void slip) from the history: always marked "SALINAN / COPY"."""

    receipt_copy = True

    def __init__(self, core, runner, session, payment_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.payment_id = payment_id
        self.receipt: ReceiptData | None = None
        self.setObjectName("reprintDialog")
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setProperty("role", "title")
        self.receipt_label = QLabel()
        self.receipt_label.setObjectName("receiptNumber")
        self.details = QLabel()
        layout.addWidget(self.heading)
        layout.addWidget(self.receipt_label)
        layout.addWidget(self.details)
        buttons = self._build_output(layout)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        for b in (self.print_button, self.pdf_button, self.close_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.print_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.setMinimumWidth(480)
        self.retranslateUi()
        run(self, runner, load_receipt, core, payment_id, on_done=self._loaded,
            on_error=self._failed)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Reprint receipt"))
        self.heading.setText(self.tr("Reprint (marked SALINAN / COPY)"))
        self._retranslate_output()
        self.close_button.setText(self.tr("Close"))

    def _loaded(self, data: ReceiptData) -> None:
        self.receipt = data
        lang = self.session.lang
        self.receipt_label.setText(data.receipt_no)
        self.details.setText(f"{data.worker_name} · {receipts.format_money(data.amount, lang)}"
                             f" · {months_label(data.months, lang)}")
        self.print_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.print_button.setDefault(True)
        self.print_button.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self.output_status.set_message(error_text(exc, self.session.lang))


def paper_names() -> dict[str, str]:
    """The receipt layouts as a person names the paper (receipts.LAYOUTS)."""
    translate = QCoreApplication.translate
    return {"a4": translate("ReceiptOutput", "A4"),
            "80mm": translate("ReceiptOutput", "Thermal 80 mm"),
            "58mm": translate("ReceiptOutput", "Thermal 58 mm")}


def printer_handler(session) -> PrintHandler:
    """Print on the counter's printer (Settings), the system's print dialog to confirm."""
    return lambda parent, data, layout, lang, copy: receipts.print_receipt(
        parent, data, layout=layout, lang=lang, copy=copy, printer_name=session.receipt_printer)


def _ask_pdf_path(parent: QWidget, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, QCoreApplication.translate("ReceiptOutput", "Save receipt as PDF"), suggested,
        QCoreApplication.translate("ReceiptOutput", "PDF files (*.pdf)"),
    )
    return path or None


def _override_sources(core, ids: list[str]) -> list[str]:
    sources = []
    for rule in core.ref.tariffs.get("overrides", []):
        if rule.get("id") in ids and rule.get("source") not in sources:
            sources.append(rule["source"])
    return sources or ids


def reprint(core, runner, session, payment_id: str, parent=None):
    """"Reprint receipt" from a worker's history: a small dialog (paper, print, PDF) whose
    output is marked "SALINAN / COPY". Returns the (already opened) dialog."""
    dialog = ReprintDialog(core, runner, session, payment_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = ["PaymentDialog", "ReprintDialog", "load_payment_view", "coverage_text", "reprint"]
