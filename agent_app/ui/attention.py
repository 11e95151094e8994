"""The "Perlu perhatian" page: operations the server refused or put in review, with the
server's reason in the person's language, and what to do about each one.

* a worker refused or in review: "Perbaiki dan kirim ulang" opens a correction dialog;
  the correction is a NEW operation (``sync.engine.resubmit_worker``), the queued one is
  never rewritten;
* a payment refused: "Batalkan" voids it through the payments service (money is never
  deleted; the void is a new, negative entry);
* a review item the agent has read: "Tandai sudah dibaca".
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sync.engine import AttentionItem, attention_items, dismiss, resubmit_worker


class CorrectionDialog(QDialog):
    """Edit the fields a correction may change; returns only the changed ones."""

    def __init__(self, worker, reason: str, parent=None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.reason = QLabel(reason)
        self.reason.setWordWrap(True)
        self.full_name = QLineEdit(worker.full_name)
        self.birth_date = QDateEdit()
        self.birth_date.setDisplayFormat("dd-MM-yyyy")
        self.birth_date.setCalendarPopup(True)
        b = date.fromisoformat(worker.birth_date)
        self.birth_date.setDate(b)
        self.phone = QLineEdit(worker.phone or "")
        self.address = QLineEdit(worker.address)
        self.kelurahan = QLineEdit(worker.kelurahan_code)
        self.income = QSpinBox()
        self.income.setRange(1_000_000, 100_000_000)
        self.income.setSingleStep(100_000)
        self.income.setValue(int(worker.declared_income))
        form = QFormLayout()
        self.labels = [QLabel() for _ in range(6)]
        for label, field in zip(self.labels, (self.full_name, self.birth_date, self.phone,
                                               self.address, self.kelurahan, self.income), strict=True):
            form.addRow(label, field)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Fix and resubmit"))
        texts = [self.tr("Full name"), self.tr("Birth date"), self.tr("Phone"),
                 self.tr("Address"), self.tr("Kelurahan code"), self.tr("Declared income")]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)

    def changes(self) -> dict:
        from agent_app.domain.phone import normalize_phone

        w = self.worker
        new = {
            "full_name": " ".join(self.full_name.text().split()),
            "birth_date": self.birth_date.date().toPython().isoformat(),
            "phone": normalize_phone(self.phone.text()) if self.phone.text().strip() else None,
            "address": self.address.text().strip(),
            "kelurahan_code": self.kelurahan.text().strip(),
            "declared_income": int(self.income.value()),
        }
        changed = {k: v for k, v in new.items() if v != getattr(w, k)}
        if "kelurahan_code" in changed:
            changed["kecamatan_code"] = changed["kelurahan_code"][:7]
        return changed


class AttentionPage(QWidget):
    """Lists this user's rejected / needs-review operations (a handful: a small model)."""

    changed = Signal()  # something was corrected, voided or dismissed: sync again
    count_changed = Signal(int)

    COLUMNS = 4

    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.items: list[AttentionItem] = []
        self._dialog = None
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.empty = QLabel()
        self.model = QStandardItemModel(0, self.COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.fix_button = QPushButton()
        self.void_button = QPushButton()
        self.dismiss_button = QPushButton()
        self.refresh_button = QPushButton()
        self.fix_button.clicked.connect(self.fix_selected)
        self.void_button.clicked.connect(self.void_selected)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        for b in (self.fix_button, self.void_button, self.dismiss_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        if hasattr(session, "language_changed"):
            session.language_changed.connect(lambda _lang: self._fill())
        self.retranslateUi()
        self._update_buttons()
        self.refresh()

    # --- language ------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Needs attention"))
        self.empty.setText(self.tr("Nothing needs attention: the server accepted everything sent."))
        self.fix_button.setText(self.tr("Fix and resubmit"))
        self.void_button.setText(self.tr("Void payment"))
        self.dismiss_button.setText(self.tr("Mark as read"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.model.setHorizontalHeaderLabels(
            [self.tr("Record"), self.tr("Change"), self.tr("Status"), self.tr("Server's reason")])
        self._fill()

    def _kind_text(self, kind: str) -> str:
        return {
            "worker.register": self.tr("Registration"),
            "worker.update": self.tr("Correction"),
            "payment.collect": self.tr("Payment"),
            "payment.void": self.tr("Void"),
        }.get(kind, kind)

    def _state_text(self, state: str) -> str:
        return {"rejected": self.tr("Rejected"), "needs_review": self.tr("In review")}.get(state, state)

    # --- data ----------------------------------------------------------------------

    def refresh(self) -> None:
        self.runner.submit(attention_items, self.core.db, self.session.user.id,
                           on_done=self._loaded, on_error=lambda exc: None)

    def _loaded(self, items: list[AttentionItem]) -> None:
        self.items = items
        self._fill()
        self.count_changed.emit(len(items))

    def _fill(self) -> None:
        lang = getattr(self.session, "lang", "id")
        self.model.removeRows(0, self.model.rowCount())
        for item in self.items:
            record = item.title
            if item.receipt_no:
                record = f"{record} · {item.receipt_no} · Rp {abs(item.amount or 0):,}".replace(",", ".")
            row = [QStandardItem(record), QStandardItem(self._kind_text(item.kind)),
                   QStandardItem(self._state_text(item.state)), QStandardItem(item.reason(lang))]
            for cell in row:
                cell.setData(item.op_id, Qt.ItemDataRole.UserRole)
            self.model.appendRow(row)
        self.empty.setVisible(not self.items)
        self.table.setVisible(bool(self.items))
        self.table.resizeRowsToContents()
        self._update_buttons()

    def selected(self) -> AttentionItem | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        index = rows[0].row()
        return self.items[index] if 0 <= index < len(self.items) else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _update_buttons(self, *_args) -> None:
        item = self.selected()
        self.fix_button.setEnabled(bool(item and item.kind.startswith("worker.") and item.worker_id))
        self.void_button.setEnabled(bool(item and item.kind == "payment.collect"))
        self.dismiss_button.setEnabled(bool(item and item.state == "needs_review"))

    # --- actions -------------------------------------------------------------------

    def fix_selected(self, *, dialog_factory=None) -> None:
        """Open the correction dialog (``open()``, not ``exec()``: the auto-lock hides and
        restores open dialogs); on OK the correction is queued as a new operation."""
        item = self.selected()
        if item is None or not item.worker_id:
            return
        self.runner.submit(self.core.workers.detail, item.worker_id,
                           on_done=lambda detail: self._open_correction(item, detail, dialog_factory),
                           on_error=self._error)

    def _open_correction(self, item: AttentionItem, detail, dialog_factory) -> None:
        if detail is None:
            return
        dialog = (dialog_factory or CorrectionDialog)(detail.worker,
                                                      item.reason(self.session.lang), self)
        self._dialog = dialog
        dialog.finished.connect(lambda result: self._corrected(dialog, item, result))
        dialog.open()

    def _corrected(self, dialog, item: AttentionItem, result: int) -> None:
        self._dialog = None
        if result != QDialog.DialogCode.Accepted.value:
            return
        changes = dialog.changes()
        if not changes:
            QMessageBox.information(self, self.tr("Fix and resubmit"),
                                    self.tr("Nothing was changed."))
            return
        self.runner.submit(resubmit_worker, self.core.db, self.core.clock,
                           user_id=self.session.user.id, worker_id=item.worker_id,
                           changes=changes, op_id=item.op_id,
                           on_done=lambda _op: self._done(), on_error=self._error)

    def void_selected(self, *, reason: str | None = None) -> None:
        item = self.selected()
        if item is None or item.kind != "payment.collect":
            return
        if reason is not None:
            self._void(item, reason)
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Void payment"))
        dialog.setLabelText(self.tr("Why is receipt %1 voided? (at least 5 characters)")
                            .replace("%1", item.receipt_no or ""))
        dialog.textValueSelected.connect(lambda text: self._void(item, text))
        self._dialog = dialog
        dialog.open()

    def _void(self, item: AttentionItem, reason: str) -> None:
        self.runner.submit(self.core.payments.void, self.session.user, item.entity_id, reason,
                           on_done=lambda _v: self._done(), on_error=self._error)

    def dismiss_selected(self) -> None:
        item = self.selected()
        if item is None or item.state != "needs_review":
            return
        self.runner.submit(dismiss, self.core.db, op_id=item.op_id,
                           user_id=self.session.user.id, clock=self.core.clock,
                           on_done=lambda _r: self._done(), on_error=self._error)

    def _done(self) -> None:
        self.refresh()
        self.changed.emit()

    def _error(self, exc: BaseException) -> None:
        text = exc.text(self.session.lang) if hasattr(exc, "text") else str(exc)
        QMessageBox.warning(self, self.tr("Needs attention"), text)
