"""One worker: profile (full NIK), paid months strip, payments with voids, change history.

Opening a worker records a view (UU PDP processing log). Payment, void, receipt reprint
and the participant's rights open their dialogs; whatever they write comes back through
``runner.changed`` and the page shows it again.
"""

from __future__ import annotations

import json
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_app.domain.coverage import add_months, coverage_status, month_of, unpaid_months
from agent_app.domain.messages import format_rupiah, render
from agent_app.domain.phone import format_phone_local
from agent_app.services.access import may_void
from agent_app.services.base import WITA
from agent_app.services.workers import WorkerDetail
from agent_app.ui.errors import error_text
from agent_app.ui.operations import CLOSEOUT, run
from agent_app.ui.payment_dialog import PaymentDialog, reprint
from agent_app.ui.privacy_dialogs import CorrectionDialog, DataCopyDialog, DeletionRequestDialog
from agent_app.ui.tasks import Task
from agent_app.ui.void_dialog import VoidDialog
from agent_app.ui.widgets import list_table

MONTHS_BACK = 11  # the strip shows the last 12 months (current included) ...
MONTHS_AHEAD = 6  # ... and the next 6
SHORT_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
STRIP_COLORS = {
    "paid": QColor("#1e8e3e"),
    "unpaid": QColor("#d93025"),
    "future": QColor("#e8eaed"),
    "before": QColor("#ffffff"),
}


def month_label(month: str, lang: str, *, year: bool = True) -> str:
    name = SHORT_MONTHS.get(lang, SHORT_MONTHS["id"])[int(month[5:]) - 1]
    return f"{name} {month[:4]}" if year else f"{name} {month[2:4]}"


def months_text(months: list[str], lang: str) -> str:
    if not months:
        return ""
    if len(months) == 1:
        return month_label(months[0], lang)
    return f"{month_label(months[0], lang)} – {month_label(months[-1], lang)}"


def local_time(stamp: str) -> str:
    """UTC ISO stamp -> '24-11-2026 10:00' in Makassar time."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp or ""
    return moment.astimezone(WITA).strftime("%d-%m-%Y %H:%M")


def load_worker(core, worker_id: str):
    """Runs on the TaskRunner: the detail plus user names for the history."""
    detail = core.workers.detail(worker_id)
    users = {u.id: u.full_name for u in core.users.list_users()}
    return detail, users


class PaidMonthsStrip(QWidget):
    """A painted row of months: paid / not paid / not due yet. A month whose payment was
    voided is what it is without it (owed, or not due yet), hatched so the void shows."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.current = "2000-01"
        self.states: list[tuple[str, str]] = []  # (month, state)
        self.voided: set[str] = set()
        self.lang = "id"
        self.setMinimumHeight(66)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, *, current: str, registration: str, paid: set[str], voided: set[str],
                 lang: str) -> None:
        self.current = current
        self.lang = lang
        states = []
        self.voided = set(voided) - set(paid)
        for i in range(-MONTHS_BACK, MONTHS_AHEAD + 1):
            month = add_months(current, i)
            if month in paid:
                state = "paid"
            elif month < registration:
                state = "before"
            elif month > current:
                state = "future"
            else:
                state = "unpaid"
            states.append((month, state))
        self.states = states
        voided_note = QCoreApplication.translate("WorkerPage", " (payment voided)")
        self.setToolTip("\n".join(
            f"{month_label(m, lang)}: {state_text(s)}{voided_note if m in self.voided else ''}"
            for m, s in states))
        self.update()

    def state_of(self, month: str) -> str | None:
        return dict(self.states).get(month)

    def sizeHint(self) -> QSize:
        return QSize(18 * 44, 66)

    def minimumSizeHint(self) -> QSize:
        return QSize(18 * 28, 66)

    def paintEvent(self, event) -> None:
        if not self.states:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.width() / len(self.states)
        box_h = 24
        for i, (month, state) in enumerate(self.states):
            rect = QRect(int(i * width) + 1, 2, int(width) - 2, box_h)
            painter.setPen(QPen(QColor("#5f6368"), 1))
            painter.setBrush(QBrush(STRIP_COLORS[state]))
            painter.drawRect(rect)
            if month in self.voided:  # hatched: the payment of this month was voided
                painter.setBrush(QBrush(QColor("#202124"), Qt.BrushStyle.BDiagPattern))
                painter.drawRect(rect)
            if month == self.current:
                painter.setPen(QPen(QColor("#202124"), 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(-1, -1, 1, 1))
            painter.setPen(QColor("#202124"))
            name = SHORT_MONTHS.get(self.lang, SHORT_MONTHS["id"])[int(month[5:]) - 1]
            painter.drawText(QRect(int(i * width), box_h + 3, int(width), 18),
                             Qt.AlignmentFlag.AlignCenter, name)
            # the year under each January, and under the first cell unless January is near
            if month.endswith("-01") or (i == 0 and int(month[5:]) <= 10):
                painter.drawText(QRect(int(i * width), box_h + 20, int(width) + 20, 18),
                                 Qt.AlignmentFlag.AlignLeft, month[:4])
        painter.end()


def state_text(state: str) -> str:
    return {
        "paid": QCoreApplication.translate("WorkerPage", "Paid"),
        "unpaid": QCoreApplication.translate("WorkerPage", "Not paid"),
        "future": QCoreApplication.translate("WorkerPage", "Not due yet"),
        "before": QCoreApplication.translate("WorkerPage", "Before registration"),
    }[state]


class WorkerPage(QWidget):
    back_requested = Signal()
    loaded = Signal(str)  # worker id, after the data arrived and was shown

    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.worker_id: str | None = None
        self.detail: WorkerDetail | None = None
        self.users: dict[str, str] = {}
        self._task: Task | None = None
        self._dialog: QWidget | None = None
        self.message = ""

        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setObjectName("workerTitle")
        self.back_button = QPushButton()
        self.back_button.clicked.connect(self.back_requested)
        self.pay_button = QPushButton()
        self.pay_button.setObjectName("payButton")
        self.pay_button.setProperty("primary", True)
        self.pay_button.clicked.connect(self.collect_payment)
        self.void_button = QPushButton()
        self.void_button.setObjectName("voidButton")
        self.void_button.clicked.connect(self.void_selected)
        self.reprint_button = QPushButton()
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setProperty("role", "muted")
        self.notice.setWordWrap(True)

        # profile: two label/value columns so it stays short on a 768-pixel screen
        self.profile_box = QGroupBox()
        profile_grid = QGridLayout(self.profile_box)
        self.fields: dict[str, QLabel] = {}
        self.field_labels: dict[str, QLabel] = {}
        half = (len(PROFILE_FIELDS) + 1) // 2
        for i, key in enumerate(PROFILE_FIELDS):
            label = QLabel()
            label.setProperty("role", "muted")
            value = QLabel()
            value.setObjectName(f"field_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            self.field_labels[key] = label
            row, pair = (i, 0) if i < half else (i - half, 1)
            profile_grid.addWidget(label, row, pair * 2, Qt.AlignmentFlag.AlignTop)
            profile_grid.addWidget(value, row, pair * 2 + 1, Qt.AlignmentFlag.AlignTop)
        profile_grid.setColumnStretch(1, 1)
        profile_grid.setColumnStretch(3, 1)
        profile_grid.setHorizontalSpacing(12)
        # The participant's rights at the counter (UU PDP): correction, copy, deletion.
        self.correct_button = QPushButton()
        self.correct_button.setObjectName("correctButton")
        self.correct_button.clicked.connect(lambda: self._privacy(CorrectionDialog))
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copyButton")
        self.copy_button.clicked.connect(lambda: self._privacy(DataCopyDialog))
        self.delete_button = QPushButton()
        self.delete_button.setObjectName("deleteButton")
        self.delete_button.clicked.connect(lambda: self._privacy(DeletionRequestDialog))
        rights = QHBoxLayout()
        for button in (self.correct_button, self.copy_button, self.delete_button):
            rights.addWidget(button)
        rights.addStretch(1)
        profile_grid.addLayout(rights, half, 0, 1, 4)

        # months strip
        self.strip_box = QGroupBox()
        self.strip = PaidMonthsStrip()
        self.legend: dict[str, QLabel] = {}
        legend_row = QHBoxLayout()
        for state in ("paid", "unpaid", "future", "before"):
            swatch = QLabel()
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(
                f"background: {STRIP_COLORS[state].name()}; border: 1px solid #5f6368;")
            text = QLabel()
            self.legend[state] = text
            legend_row.addWidget(swatch)
            legend_row.addWidget(text)
            legend_row.addSpacing(12)
        legend_row.addStretch(1)
        strip_layout = QVBoxLayout(self.strip_box)
        strip_layout.addWidget(self.strip)
        strip_layout.addLayout(legend_row)

        # payments
        self.payments_box = QGroupBox()
        self.payments = list_table(QTableWidget(0, 6))
        self.payments.setObjectName("payments")
        self.payments.itemSelectionChanged.connect(self._update_buttons)
        payments_layout = QVBoxLayout(self.payments_box)
        payments_layout.addWidget(self.payments)
        actions = QHBoxLayout()
        actions.addWidget(self.void_button)
        actions.addWidget(self.reprint_button)
        actions.addStretch(1)
        payments_layout.addLayout(actions)

        # history
        self.history_box = QGroupBox()
        self.history = list_table(QTableWidget(0, 3))
        self.history.setObjectName("history")
        QVBoxLayout(self.history_box).addWidget(self.history)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(self.pay_button)

        # One column in a scroll area: readable at 910x512 logical pixels (1366x768, 150 %).
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.profile_box)
        column.addWidget(self.strip_box)
        column.addWidget(self.payments_box)
        column.addWidget(self.history_box)
        self.payments.setMinimumHeight(150)
        self.history.setMinimumHeight(140)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        self.retranslateUi()
        self._set_message("")
        self._update_buttons()
        runner.changed.connect(self._data_changed)

    # --- language ------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.back_button.setText(self.tr("← Back to list"))
        self.pay_button.setText(self.tr("Collect contribution (Ctrl+P)"))
        self.void_button.setText(self.tr("Void payment"))
        self.reprint_button.setText(self.tr("Reprint receipt"))
        self.correct_button.setText(self.tr("Correct data…"))
        self.copy_button.setText(self.tr("Copy of data (PDF)…"))
        self.delete_button.setText(self.tr("Deletion request…"))
        self.profile_box.setTitle(self.tr("Profile"))
        self.strip_box.setTitle(self.tr("Paid months"))
        self.payments_box.setTitle(self.tr("Payments"))
        self.history_box.setTitle(self.tr("History of changes"))
        labels = {
            "name": self.tr("Name"), "nik": self.tr("NIK"), "kpj": self.tr("KPJ"),
            "birth": self.tr("Birth date"), "sex": self.tr("Sex"), "phone": self.tr("Phone"),
            "address": self.tr("Address"), "region": self.tr("Kelurahan"),
            "occupations": self.tr("Occupation"), "income": self.tr("Declared income"),
            "programmes": self.tr("Programmes"), "registered": self.tr("Registered"),
            "coverage": self.tr("Coverage"), "sync": self.tr("Sync"),
        }
        for key, text in labels.items():
            self.field_labels[key].setText(text)
        for state, label in self.legend.items():
            label.setText(state_text(state))
        self.payments.setHorizontalHeaderLabels([
            self.tr("Date"), self.tr("Receipt no."), self.tr("Months"), self.tr("Amount"),
            self.tr("Method"), self.tr("Note"),
        ])
        self.history.setHorizontalHeaderLabels([self.tr("When"), self.tr("Who"), self.tr("What")])
        self.notice.setText(self.message)
        if self.detail is not None:
            self._show(self.detail)

    # --- loading -------------------------------------------------------------------------

    def load(self, worker_id: str, *, record_view: bool = True) -> None:
        """Show ``worker_id`` (data arrives via the runner; ``loaded`` fires when shown)."""
        if self._task is not None:
            self._task.cancel()
        if worker_id != self.worker_id:
            self.detail = None
            self.title.setText("…")
            self._set_message("")
        self.worker_id = worker_id
        if record_view:
            run(self, self.runner, self.core.workers.record_view, self.session.user, worker_id,
                on_error=self._failed)
        self._task = run(self, self.runner, load_worker, self.core, worker_id,
                         on_done=lambda result: self._loaded(worker_id, result),
                         on_error=self._failed)

    def reload(self) -> None:
        if self.worker_id:
            self.load(self.worker_id, record_view=False)

    def _data_changed(self, kind: str) -> None:
        """A write (here, in a dialog, by a sync round): show the worker as it is now."""
        if kind != CLOSEOUT and self.isVisible():
            self.reload()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_message(error_text(exc, self.session.lang))

    def _loaded(self, worker_id: str, result) -> None:
        self._task = None
        if worker_id != self.worker_id:
            return
        detail, users = result
        if detail is None:
            self._set_message(self.tr("This worker is no longer on this device."))
            return
        self.detail = detail
        self.users = users
        self._show(detail)
        self.loaded.emit(worker_id)

    def _set_message(self, text: str) -> None:
        self.message = text
        self.notice.setText(text)
        self.notice.setVisible(bool(text))  # no empty band above the profile

    def _show(self, detail: WorkerDetail) -> None:
        worker = detail.worker
        lang = self.session.lang
        ref = self.core.ref
        today = self.core.clock.today()
        self.title.setText(worker.full_name)
        kel = ref.kelurahan_for(worker.kelurahan_code)
        occupations = json.loads(worker.occupations or "[]")
        programmes = json.loads(worker.programmes or "{}")
        status = coverage_status(worker.paid_through, today)
        coverage = render(f"coverage.{status}", lang,
                          months=unpaid_months(worker.paid_through, today))
        if worker.paid_through:
            coverage += " · " + self.tr("paid through %1").replace(
                "%1", month_label(worker.paid_through, lang))
        values = {
            "name": worker.full_name,
            "nik": worker.nik,
            "kpj": worker.kpj or self.tr("not assigned yet (after sync)"),
            "birth": worker.birth_date[8:10] + "-" + worker.birth_date[5:7] + "-" + worker.birth_date[:4],
            "sex": self.tr("Female") if worker.sex == "F" else self.tr("Male"),
            "phone": format_phone_local(worker.phone) or "—",
            "address": worker.address or "—",
            "region": f"{kel.name}, {kel.kecamatan_name}" if kel else worker.kelurahan_code,
            "occupations": ", ".join(occupations),
            "income": format_rupiah(worker.declared_income, lang),
            "programmes": "; ".join(
                ", ".join(p.upper() for p in sorted(programmes) if programmes[p] == src)
                + ": " + render("funding." + src, lang)
                for src in sorted(set(programmes.values()))
            ),
            "registered": local_time(worker.registered_at),
            "coverage": coverage,
            "sync": {
                "pending": self.tr("Not sent yet"), "synced": self.tr("Sent"),
                "rejected": self.tr("Rejected by the server"), "review": self.tr("Needs review"),
            }.get(worker.sync_state, worker.sync_state),
        }
        for key, value in values.items():
            self.fields[key].setText(value)

        voided_months = {
            m for p in detail.payments if p.kind == "payment" and p.id in detail.voided_ids
            for m in json.loads(p.months)
        }
        self.strip.set_data(current=month_of(today), registration=worker.registration_month,
                            paid=set(detail.paid_months), voided=voided_months, lang=lang)
        self._fill_payments(detail)
        self._fill_history(detail)
        self._update_buttons()

    def _fill_payments(self, detail: WorkerDetail) -> None:
        lang = self.session.lang
        by_id = {p.id: p for p in detail.payments}
        methods = {"cash": self.tr("Cash"), "qris": self.tr("QRIS"), "transfer": self.tr("Transfer")}
        self.payments.setRowCount(len(detail.payments))
        for row, p in enumerate(reversed(detail.payments)):  # newest first
            if p.kind == "void":
                original = by_id.get(p.voids_payment_id or "")
                note = self.tr("Reversal of %1: %2").replace(
                    "%1", original.receipt_no if original else "?").replace("%2", p.void_reason or "")
            elif p.id in detail.voided_ids:
                note = self.tr("Voided")
            else:
                note = ""
            cells = [local_time(p.collected_at), p.receipt_no,
                     months_text(json.loads(p.months), lang), format_rupiah(p.amount, lang),
                     methods.get(p.method, p.method), note]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, p.id)
                if column == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if p.kind == "void" or p.id in detail.voided_ids:
                    item.setForeground(QColor("#a50e0e"))
                self.payments.setItem(row, column, item)
        self.payments.resizeColumnsToContents()

    def _fill_history(self, detail: WorkerDetail) -> None:
        entries = list(reversed(detail.history))
        self.history.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            cells = [local_time(entry.at), self.users.get(entry.user_id or "", entry.user_id or "—"),
                     action_text(entry.action)]
            for column, text in enumerate(cells):
                self.history.setItem(row, column, QTableWidgetItem(text))
        self.history.resizeColumnsToContents()

    # --- actions -------------------------------------------------------------------------

    def selected_payment(self):
        if self.detail is None:
            return None
        items = self.payments.selectedItems()
        if not items:
            return None
        payment_id = items[0].data(Qt.ItemDataRole.UserRole)
        return next((p for p in self.detail.payments if p.id == payment_id), None)

    def _update_buttons(self) -> None:
        ready = self.detail is not None
        voided = self.detail.voided_ids if self.detail is not None else set()
        payment = self.selected_payment()
        can = self.session.can
        self.pay_button.setEnabled(ready and can("collect"))
        self.correct_button.setEnabled(ready and can("correct"))
        self.copy_button.setEnabled(ready and can("participant_copy"))
        self.delete_button.setEnabled(ready and can("request_deletion"))
        voidable = (payment is not None and payment.kind == "payment"
                    and payment.id not in voided
                    and self._may_void(payment))
        self.void_button.setEnabled(voidable)
        refused = (payment is not None and payment.kind == "payment"
                   and payment.id not in voided and not voidable)
        # Money recorded on another device came from the centre: its receipt was printed
        # and signed there, and only that device's collector may void it.
        elsewhere = payment is not None and getattr(payment, "origin", "local") == "pulled"
        elsewhere_text = self.tr("Recorded on another device: here it can only be viewed.")
        if elsewhere:
            self.void_button.setToolTip(elsewhere_text)
        else:
            self.void_button.setToolTip(self.tr(
                "Only a supervisor can void another person's payment or one from an earlier day."
            ) if refused else "")
        self.reprint_button.setEnabled(payment is not None and not elsewhere)
        self.reprint_button.setToolTip(elsewhere_text if elsewhere else "")

    def _may_void(self, payment) -> bool:
        """Agents and clerks: their own payment of today, not yet closed out."""
        return may_void(self.session.user, payment, self.core.clock.today())

    def _open(self, dialog_class, *args):
        dialog = dialog_class(self.core, self.runner, self.session, *args, self)
        self._dialog = dialog
        dialog.open()
        return dialog

    def collect_payment(self) -> None:
        if self.detail is None or not self.pay_button.isEnabled():
            return
        self._open(PaymentDialog, self.worker_id)

    def void_selected(self) -> None:
        payment = self.selected_payment()
        if payment is None or not self.void_button.isEnabled():
            return
        self._open(VoidDialog, payment.id)

    def reprint_selected(self) -> None:
        """Reprint (marked "SALINAN / COPY") through agent_app.ui.payment_dialog.reprint."""
        payment = self.selected_payment()
        if payment is None:
            return
        self._dialog = reprint(self.core, self.runner, self.session, payment.id, self)

    def _privacy(self, dialog_class) -> None:
        if self.detail is None:
            return
        dialog = self._open(dialog_class, self.worker_id)
        if dialog_class is DataCopyDialog:
            dialog.exported.connect(lambda path: self._set_message(
                self.tr("Copy saved: %1").replace("%1", str(path))))


PROFILE_FIELDS = ("name", "nik", "kpj", "birth", "sex", "phone", "address", "region",
                  "occupations", "income", "programmes", "registered", "coverage", "sync")


def action_text(action: str) -> str:
    return {
        "worker.register": QCoreApplication.translate("WorkerPage", "Registered on this device"),
        "worker.update": QCoreApplication.translate("WorkerPage", "Data changed"),
        "worker.pull": QCoreApplication.translate("WorkerPage", "Updated from the server"),
        "payment.collect": QCoreApplication.translate("WorkerPage", "Contribution collected"),
        "payment.void": QCoreApplication.translate("WorkerPage", "Payment voided"),
        "export": QCoreApplication.translate("WorkerPage", "Exported"),
    }.get(action, action)
