"""The "Perlu perhatian" page: operations the server refused or put in review, with the
server's reason in the person's language, and what to do about each one.

* a worker refused or in review: "Perbaiki dan kirim ulang" opens the correction dialog
  (``privacy_dialogs.CorrectionDialog`` with the refused operation); the correction is a
  NEW operation, the queued one is never rewritten;
* a payment refused: "Batalkan" voids it through the payments service (money is never
  deleted; the void is a new, negative entry);
* a review item the agent has read: "Tandai sudah dibaca".
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agent_app.services.attention import AttentionItem
from agent_app.store.models import OutboxState
from agent_app.ui.operations import ATTENTION, PAYMENTS, SYNCED, run, show_error
from agent_app.ui.privacy_dialogs import CorrectionDialog
from agent_app.ui.widgets import list_table


class AttentionPage(QWidget):
    """Lists this user's rejected / needs-review operations (a handful: a small model)."""

    count_changed = Signal(int)

    COLUMNS = 4

    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.items: list[AttentionItem] = []
        self._dialog: QWidget | None = None
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.empty = QLabel()
        self.model = QStandardItemModel(0, self.COLUMNS, self)
        self.table = list_table(QTableView())
        self.table.setObjectName("attentionTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
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
        session.language_changed.connect(lambda _lang: self._fill())
        runner.changed.connect(self._data_changed)
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
        names: dict[str, str] = {OutboxState.REJECTED: self.tr("Rejected"),
                                 OutboxState.NEEDS_REVIEW: self.tr("In review")}
        return names.get(state, state)

    # --- data ----------------------------------------------------------------------

    def refresh(self) -> None:
        run(self, self.runner, self.core.attention.items, self.session.user.id,
            on_done=self._loaded)

    def _data_changed(self, kind: str) -> None:
        if kind in (ATTENTION, PAYMENTS, SYNCED):
            self.refresh()

    def _loaded(self, items: list[AttentionItem]) -> None:
        self.items = items
        self._fill()
        self.count_changed.emit(len(items))

    def _fill(self) -> None:
        lang = self.session.lang
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
        self.dismiss_button.setEnabled(bool(item and item.state == OutboxState.NEEDS_REVIEW))

    # --- actions -------------------------------------------------------------------

    def fix_selected(self) -> None:
        """Open the correction dialog (``open()``, not ``exec()``: the auto-lock hides and
        restores open dialogs); on save the correction is queued as a new operation."""
        item = self.selected()
        if item is None or not item.worker_id:
            return
        dialog = CorrectionDialog(self.core, self.runner, self.session, item.worker_id, self,
                                  resubmit_op_id=item.op_id,
                                  server_reason=item.reason(self.session.lang))
        self._dialog = dialog
        dialog.open()

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
        # ATTENTION, not only PAYMENTS: the refused payment is settled, sync at once
        run(self, self.runner, self.core.payments.void, self.session.user, item.entity_id,
            reason, on_error=self._error, changes=ATTENTION)

    def dismiss_selected(self) -> None:
        item = self.selected()
        if item is None or item.state != OutboxState.NEEDS_REVIEW:
            return
        run(self, self.runner, self.core.attention.dismiss, self.session.user, item.op_id,
            on_error=self._error, changes=ATTENTION)

    def _error(self, exc: BaseException) -> None:
        show_error(self, exc, self.tr("Needs attention"))
