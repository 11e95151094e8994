"""Cash close-out (tutup kas): count, compare, explain, lock, hand over, print.

The page shows the open period (every entry since the user's last close-out), takes the
counted cash, shows the variance live and asks for an explanation when it is not zero.
Locking needs a second, explicit confirmation (a close-out can never be edited).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_app.services.base import ServiceError
from agent_app.services.closeout import CloseoutPreview
from agent_app.ui.charts import bold
from agent_app.ui.errors import error_text
from agent_app.ui.operations import CLOSEOUT, run
from agent_app.ui.receipt import format_money, format_stamp
from agent_app.ui.reports_page import ask_save_path, write_pdf
from agent_app.ui.widgets import Columns, IssueLabel, RupiahLineEdit, list_table, panel


def _item(text: str, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(columns: int) -> QTableWidget:
    return list_table(QTableWidget(0, columns), fit_columns=True)


class CloseoutPage(QWidget):
    closed = Signal(str)  # close-out id, after it was locked
    handed_over = Signal(str)

    def __init__(self, core, runner, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("closeoutPage")
        self.core, self.runner, self.session = core, runner, session
        self.preview: CloseoutPreview | None = None
        self.history: list = []
        self.path_chooser = ask_save_path  # tests replace the OS file dialog

        self.title = QLabel()
        bold(self.title, 4)
        self.period_label = QLabel()
        self.period_label.setWordWrap(True)

        # --- figures of the open period
        self.figures = QGroupBox()
        form = QFormLayout(self.figures)
        self.cash_in_label, self.cash_in = QLabel(), QLabel()
        self.voids_label, self.voids = QLabel(), QLabel()
        self.expected_label, self.expected = QLabel(), QLabel()
        self.expected.setObjectName("expectedCash")
        bold(self.expected, 3)
        self.noncash_label, self.noncash = QLabel(), QLabel()
        self.noncash.setWordWrap(True)
        for left, right in ((self.cash_in_label, self.cash_in), (self.voids_label, self.voids),
                            (self.expected_label, self.expected),
                            (self.noncash_label, self.noncash)):
            right.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            form.addRow(left, right)

        # --- count and explain
        self.count_box = QGroupBox()
        count_form = QFormLayout(self.count_box)
        self.counted_label = QLabel()
        self.counted = RupiahLineEdit()
        self.counted.setObjectName("countedCash")
        self.counted_label.setBuddy(self.counted)
        self.variance_label, self.variance = QLabel(), QLabel()
        self.variance.setObjectName("variance")
        bold(self.variance, 1)
        self.explanation_label = QLabel()
        self.explanation = QLineEdit()
        self.explanation.setObjectName("explanation")
        self.explanation_label.setBuddy(self.explanation)
        self.error = IssueLabel()
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.setDefault(True)
        count_form.addRow(self.counted_label, self.counted)
        count_form.addRow(self.variance_label, self.variance)
        count_form.addRow(self.explanation_label, self.explanation)
        count_form.addRow(self.error)
        count_form.addRow(self.close_button)
        # Inline confirmation: locking is final, so it takes a second, deliberate step.
        self.confirm = QFrame()
        self.confirm.setObjectName("confirmBar")
        self.confirm.setFrameShape(QFrame.Shape.StyledPanel)
        confirm_row = QHBoxLayout(self.confirm)
        self.confirm_text = QLabel()
        self.confirm_text.setWordWrap(True)
        self.lock_button = QPushButton()
        self.lock_button.setObjectName("lockButton")
        self.back_button = QPushButton()
        confirm_row.addWidget(self.confirm_text, 1)
        confirm_row.addWidget(self.lock_button)
        confirm_row.addWidget(self.back_button)
        self.confirm.hide()
        count_form.addRow(self.confirm)

        self.entries = _table(5)
        self.entries.setObjectName("entriesTable")

        # --- history, handover, print
        self.history_box = QGroupBox()
        hist = QVBoxLayout(self.history_box)
        self.history_table = _table(5)
        self.history_table.setObjectName("historyTable")
        hist.addWidget(self.history_table)
        handover_row = QHBoxLayout()
        self.received_label = QLabel()
        self.received_by = QLineEdit()
        self.received_by.setObjectName("receivedBy")
        self.received_label.setBuddy(self.received_by)
        self.handover_button = QPushButton()
        self.handover_button.setObjectName("handoverButton")
        self.pdf_button = QPushButton()
        self.pdf_button.setObjectName("pdfButton")
        handover_row.addWidget(self.received_label)
        handover_row.addWidget(self.received_by, 1)
        buttons_row = QHBoxLayout()  # own row: the name field stays wide on small screens
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.handover_button)
        buttons_row.addWidget(self.pdf_button)
        hist.addLayout(handover_row)
        hist.addLayout(buttons_row)
        self.history_message = IssueLabel()
        hist.addWidget(self.history_message)

        self.entries_title = QLabel()
        body = Columns()  # count and lock first; the lists under them on a narrow screen
        body.add(panel(self.figures, self.count_box, stretch=True), 2)
        body.add(panel(self.entries_title, (self.entries, 1), (self.history_box, 1)), 3)
        outer = QVBoxLayout(self)
        outer.addWidget(self.title)
        outer.addWidget(self.period_label)
        outer.addWidget(body, 1)

        self.counted.textChanged.connect(self._update_variance)
        self.counted.returnPressed.connect(self.explanation.setFocus)
        self.explanation.returnPressed.connect(self.request_close)
        self.close_button.clicked.connect(self.request_close)
        self.lock_button.clicked.connect(self.lock)
        self.back_button.clicked.connect(self._cancel_confirm)
        self.handover_button.clicked.connect(self.record_handover)
        self.received_by.returnPressed.connect(self.record_handover)
        self.pdf_button.clicked.connect(self.save_pdf)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        self.history_table.itemSelectionChanged.connect(self._history_selected)
        self.retranslateUi()

    # --- language --------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Cash close-out"))
        self.figures.setTitle(self.tr("Since the last close-out"))
        self.cash_in_label.setText(self.tr("Cash receipts"))
        self.voids_label.setText(self.tr("Cash voids"))
        self.expected_label.setText(self.tr("Expected cash"))
        self.noncash_label.setText(self.tr("QRIS / transfer (not in the cash)"))
        self.count_box.setTitle(self.tr("Count the cash"))
        self.counted_label.setText(self.tr("&Counted cash"))
        self.variance_label.setText(self.tr("Variance"))
        self.explanation_label.setText(self.tr("&Explanation"))
        self.explanation.setPlaceholderText(self.tr("Required when the variance is not zero"))
        self.close_button.setText(self.tr("Close out…"))
        self.confirm_text.setText(self.tr(
            "Lock this close-out? It can never be changed afterwards."))
        self.lock_button.setText(self.tr("&Lock close-out"))
        self.back_button.setText(self.tr("&Back"))
        self.entries_title.setText(self.tr("Entries of this period"))
        self.entries.setHorizontalHeaderLabels([
            self.tr("Time"), self.tr("Receipt"), self.tr("Participant"), self.tr("Method"),
            self.tr("Amount")])
        self.history_box.setTitle(self.tr("Earlier close-outs"))
        self.history_table.setHorizontalHeaderLabels([
            self.tr("Closed at"), self.tr("Expected"), self.tr("Counted"), self.tr("Variance"),
            self.tr("Handed to")])
        self.received_label.setText(self.tr("&Received by"))
        self.received_by.setPlaceholderText(self.tr("Name of the treasurer"))
        self.handover_button.setText(self.tr("Record hando&ver"))
        self.pdf_button.setText(self.tr("Save &PDF…"))
        self._render()

    def method_name(self, method: str) -> str:
        return {"cash": self.tr("Cash"), "qris": self.tr("QRIS"),
                "transfer": self.tr("Transfer")}.get(method, method)

    # --- data ------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()
        self.counted.setFocus()  # the one thing to do here: type what was counted

    def refresh(self) -> None:
        user = self.session.user
        run(self, self.runner, self.core.closeouts.preview, user, on_done=self._previewed,
            on_error=self._failed)
        run(self, self.runner, self.core.closeouts.history, user, on_done=self._history,
            on_error=self._failed)

    def _previewed(self, preview: CloseoutPreview) -> None:
        self.preview = preview
        self._render()

    def _history(self, rows: list) -> None:
        selected = self.selected_closeout()
        self.history = rows
        lang = self.session.lang
        self.history_table.setRowCount(len(rows))
        for r, c in enumerate(rows):
            values = [format_stamp(c.created_at), format_money(c.expected_cash, lang),
                      format_money(c.counted_cash, lang), format_money(c.variance, lang),
                      f"{c.handed_to} ({format_stamp(c.handed_at)})" if c.handed_to else "–"]
            for col, text in enumerate(values):
                self.history_table.setItem(r, col, _item(text, 1 <= col <= 3))
        if rows:
            ids = [c.id for c in rows]
            self.history_table.selectRow(ids.index(selected.id) if selected and
                                         selected.id in ids else 0)
        self._history_selected()
        if getattr(self, "_focus_handover", False) and self.received_by.isEnabled():
            self._focus_handover = False
            self.received_by.setFocus()

    def _render(self) -> None:
        p = self.preview
        lang = self.session.lang
        if p is None:
            return
        since = format_stamp(p.last_closeout_at) if p.last_closeout_at else self.tr("the start")
        self.period_label.setText(self.tr("Period: since %1 until now (%2 entries)")
                                  .replace("%1", since).replace("%2", str(len(p.entries))))
        self.cash_in.setText(format_money(p.cash_payments, lang))
        self.voids.setText(format_money(p.cash_voids, lang))
        self.expected.setText(format_money(p.expected_cash, lang))
        self.noncash.setText(", ".join(
            f"{self.method_name(m)} {format_money(v, lang)}" for m, v in sorted(p.noncash.items())
        ) or "–")
        self.entries.setRowCount(len(p.entries))
        for r, e in enumerate(p.entries):
            amount = format_money(e.amount, lang)
            values = [format_stamp(e.collected_at), e.receipt_no, e.worker_name,
                      self.method_name(e.method)
                      + (" · " + self.tr("void") if e.kind == "void" else ""), amount]
            for col, text in enumerate(values):
                self.entries.setItem(r, col, _item(text, col == 4))
        self.close_button.setEnabled(bool(p.entries))
        self._update_variance()

    def variance_value(self) -> int | None:
        counted = self.counted.value()
        if counted is None or self.preview is None:
            return None
        return counted - self.preview.expected_cash

    def _update_variance(self) -> None:
        v = self.variance_value()
        if v is None:
            self.variance.setText("–")
            return
        text = format_money(v, self.session.lang)
        if v > 0:
            text += " " + self.tr("(more than expected)")
        elif v < 0:
            text += " " + self.tr("(short)")
        self.variance.setText(text)
        self.explanation_label.setText(
            self.tr("&Explanation") + (" *" if v != 0 else ""))
        self._cancel_confirm()

    # --- actions ---------------------------------------------------------------------------

    def request_close(self) -> None:
        self.error.set_message("")
        if self.preview is None or not self.preview.entries:
            return
        v = self.variance_value()
        if v is None:
            self.error.set_message(self.tr("Type the cash you counted."))
            self.counted.setFocus()
            return
        if v != 0 and len(" ".join(self.explanation.text().split())) < 5:
            self.error.set_message(self.tr("Explain the variance (at least 5 letters)."))
            self.explanation.setFocus()
            return
        self.confirm.show()
        self.lock_button.setFocus()

    def _cancel_confirm(self) -> None:
        if self.confirm.isVisible():
            self.confirm.hide()

    def lock(self) -> None:
        if self.preview is None:  # nothing shown yet, so nothing to lock
            return
        self.confirm.hide()
        self.close_button.setEnabled(False)
        run(self, self.runner, self.core.closeouts.close, self.session.user, self.counted.value(),
            self.explanation.text(), expected_cash=self.preview.expected_cash,
            on_done=self._locked, on_error=self._close_failed, changes=CLOSEOUT)

    def _locked(self, closeout) -> None:
        self.counted.clear()
        self.explanation.clear()
        self.error.set_message(self.tr("Close-out locked. Hand the cash over and record who "
                                       "received it."), "ok")
        self.closed.emit(closeout.id)
        self._focus_handover = True  # once the new close-out is listed and selected
        self.refresh()

    def _close_failed(self, exc: BaseException) -> None:
        self.close_button.setEnabled(True)
        self._failed(exc)
        if isinstance(exc, ServiceError) and exc.code == "closeout.changed":
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.error.set_message(error_text(exc, self.session.lang))

    def selected_closeout(self):
        rows = self.history_table.selectionModel().selectedRows() \
            if self.history_table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.history):
            return None
        return self.history[rows[0].row()]

    def _history_selected(self) -> None:
        c = self.selected_closeout()
        open_handover = c is not None and c.handed_to is None
        self.handover_button.setEnabled(open_handover)
        self.received_by.setEnabled(open_handover)
        self.pdf_button.setEnabled(c is not None)

    def record_handover(self) -> None:
        c = self.selected_closeout()
        if c is None:
            return
        self.history_message.set_message("")
        run(self, self.runner, self.core.closeouts.record_handover, self.session.user, c.id,
            self.received_by.text(), on_done=self._handed,
            on_error=lambda exc: self.history_message.set_message(
                error_text(exc, self.session.lang)), changes=CLOSEOUT)

    def _handed(self, closeout) -> None:
        self.received_by.clear()
        self.history_message.set_message(self.tr("Handover recorded."), "ok")
        self.handed_over.emit(closeout.id)
        self.refresh()

    def save_pdf(self) -> None:
        c = self.selected_closeout()
        if c is None:
            return
        path = self.path_chooser(self, self.tr("Save close-out as PDF"),
                                 f"tutup-kas-{c.created_at[:10]}.pdf", "PDF (*.pdf)")
        if not path:
            return
        run(self, self.runner, self.core.closeouts.entries, c.id,
            on_done=lambda entries: self._write_pdf(c, entries, Path(path)),
            on_error=self._failed)

    def _write_pdf(self, c, entries, path: Path) -> None:
        write_pdf(self.closeout_html(c, entries), path)
        self.last_pdf = path
        self.history_message.set_message(self.tr("Saved: %1").replace("%1", str(path)), "ok")

    def closeout_html(self, c, entries) -> str:
        lang = self.session.lang
        esc = html.escape
        void = self.tr("void")
        nowrap = "style='white-space:nowrap'"  # receipt numbers must not break in print
        rows = "".join(
            f"<tr><td {nowrap}>{esc(format_stamp(e.collected_at))}</td>"
            f"<td {nowrap}>{esc(e.receipt_no)}</td>"
            f"<td>{esc(e.worker_name)}</td><td>{esc(self.method_name(e.method))}"
            f"{' · ' + esc(void) if e.kind == 'void' else ''}</td>"
            f"<td align='right'>{esc(format_money(e.amount, lang))}</td></tr>"
            for e in entries)
        facts = [
            (self.tr("Agent"), self.session.user.full_name),
            (self.tr("Period"), f"{format_stamp(c.period_start) if c.period_start else '–'}"
                                f" – {format_stamp(c.period_end)}"),
            (self.tr("Expected cash"), format_money(c.expected_cash, lang)),
            (self.tr("Counted cash"), format_money(c.counted_cash, lang)),
            (self.tr("Variance"), format_money(c.variance, lang)),
            (self.tr("Explanation"), c.explanation or "–"),
            (self.tr("QRIS / transfer (not in the cash)"), format_money(c.noncash_amount, lang)),
            (self.tr("Handed to"), f"{c.handed_to} ({format_stamp(c.handed_at)})"
             if c.handed_to else "________________________"),
        ]
        fact_rows = "".join(f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>"
                            for k, v in facts)
        head = "".join(f"<th align='left'>{esc(h)}</th>" for h in (
            self.tr("Time"), self.tr("Receipt"), self.tr("Participant"), self.tr("Method"),
            self.tr("Amount")))
        title = self.tr("Cash close-out")
        number = self.tr("Close-out no.")
        locked = self.tr("locked")
        sign_agent = self.tr("Signature of the agent")
        sign_treasurer = self.tr("Signature of the treasurer")
        return (
            "<html><body style='font-family:sans-serif; font-size:10pt'>"
            f"<h2>{esc(title)}</h2>"
            f"<p>{esc(number)} {esc(c.id[:8].upper())} · "
            f"{esc(format_stamp(c.created_at))} · {esc(locked)}</p>"
            f"<table cellpadding='3'>{fact_rows}</table><br/>"
            f"<table width='100%' border='1' cellspacing='0' cellpadding='3' style='font-size:8pt'>"
            f"<tr>{head}</tr>"
            f"{rows}</table><br/><br/>"
            f"<p>{esc(sign_agent)}: ____________ &nbsp;&nbsp; "
            f"{esc(sign_treasurer)}: ____________</p>"
            "</body></html>"
        )
