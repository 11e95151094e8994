"""Follow-up list: who to remind, most urgent first, with a ready-to-copy reminder.

Rows come a page at a time from ``core.followup.page`` through the TaskRunner (the table
model fetches more as the person scrolls), so the list stays fast over 150,000 workers.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QDate, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agent_app.domain.phone import format_phone_local
from agent_app.services.followup import KINDS, FollowupQuery, FollowupRow, reminder_text
from agent_app.ui.charts import bold
from agent_app.ui.errors import error_text
from agent_app.ui.operations import run
from agent_app.ui.receipt import format_money, month_label
from agent_app.ui.widgets import Columns, IssueLabel, list_table, panel

PAGE = 100
DEFAULT_PLACE = "agen Perisai Anda atau kantor BPJS Ketenagakerjaan terdekat"
FILTERS = ("all", "grace", "ends", "inactive")
FILTER_KINDS = {"all": KINDS, "grace": ("grace3", "grace2", "grace1"), "ends": ("ends",),
                "inactive": ("inactive",)}


class FollowupModel(QAbstractTableModel):
    """Rows of the current query; ``fetchMore`` asks the runner for the next page."""

    loaded = Signal()

    def __init__(self, page, parent=None) -> None:
        super().__init__(parent)
        self.page = page
        self.rows: list[FollowupRow] = []
        self.total = 0
        self.generation = 0
        self.loading = False

    def headers(self) -> list[str]:
        return [
            QCoreApplication.translate("FollowupPage", "Urgency"),
            QCoreApplication.translate("FollowupPage", "Name"),
            QCoreApplication.translate("FollowupPage", "Kelurahan"),
            QCoreApplication.translate("FollowupPage", "Phone"),
            QCoreApplication.translate("FollowupPage", "Paid through"),
            QCoreApplication.translate("FollowupPage", "Months due"),
            QCoreApplication.translate("FollowupPage", "Amount"),
            QCoreApplication.translate("FollowupPage", "Contacted"),
        ]

    def kind_text(self, row: FollowupRow) -> str:
        if row.kind == "ends":
            return QCoreApplication.translate("FollowupPage", "Ends this month")
        if row.kind == "inactive":
            return QCoreApplication.translate("FollowupPage", "Inactive")
        text = QCoreApplication.translate("FollowupPage", "Grace: %1 month(s) unpaid")
        return text.replace("%1", str(row.unpaid))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 8

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        lang = self.page.session.lang
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                self.kind_text(row), row.full_name, row.kelurahan_name, format_phone_local(row.phone) or "–",
                month_label(row.paid_through, lang), str(len(row.months_due)),
                format_money(row.amount_due, lang),
                row.contacted_on and QDate.fromString(row.contacted_on, "yyyy-MM-dd")
                .toString("dd/MM/yyyy") or "",
            ][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def reset(self, total: int) -> None:
        self.beginResetModel()
        self.rows = []
        self.total = total
        self.generation += 1
        self.loading = False
        self.endResetModel()

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self.loading and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self.loading = True
        generation = self.generation
        p = self.page
        run(self, p.runner, p.core.followup.page, p.session.user, p.query(), len(self.rows), PAGE,
            on_done=lambda rows: self._arrived(generation, rows),
            on_error=p.show_error)

    def _arrived(self, generation: int, rows: list[FollowupRow]) -> None:
        if generation != self.generation:
            return  # an answer to an older query
        self.loading = False
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        else:
            self.total = len(self.rows)
        self.loaded.emit()

    def replace_row(self, worker_id: str, **changes) -> None:
        from dataclasses import replace

        for i, row in enumerate(self.rows):
            if row.worker_id == worker_id:
                self.rows[i] = replace(row, **changes)
                self.dataChanged.emit(self.index(i, 0), self.index(i, 7))


class FollowupPage(QWidget):
    worker_opened = Signal(str)  # worker id (Enter on a row / double-click)

    def __init__(self, core, runner, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("followupPage")
        self.core, self.runner, self.session = core, runner, session

        self.title = QLabel()
        bold(self.title, 4)
        self.filter_label = QLabel()
        self.filter = QComboBox()
        self.filter.setObjectName("followupFilter")
        for f in FILTERS:
            self.filter.addItem("", f)
        self.filter_label.setBuddy(self.filter)
        self.kelurahan = QComboBox()
        self.kelurahan.setObjectName("kelurahanFilter")
        self.kelurahan.addItem("", None)
        user = session.user
        for kel in core.ref.kelurahan:
            if user.kelurahan_code and kel.code != user.kelurahan_code:
                continue
            if user.kecamatan_code and kel.kecamatan_code != user.kecamatan_code:
                continue
            self.kelurahan.addItem(kel.name, kel.code)
        self.uncontacted = QCheckBox()
        self.uncontacted.setObjectName("onlyUncontacted")
        self.counts = QLabel()
        self.counts.setObjectName("followupCounts")
        self.counts.setWordWrap(True)
        for combo in (self.filter, self.kelurahan):  # narrow screens: shorter, whole in the list
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        filters = Columns()  # the tick box under the lists when narrow
        filters.add(panel(self.filter_label, (self.filter, 1), (self.kelurahan, 1), vertical=False))
        filters.add(self.uncontacted, 0)

        self.model = FollowupModel(self)
        self.table = list_table(QTableView())
        self.table.setObjectName("followupTable")
        self.table.setModel(self.model)
        for col, width in enumerate((235, 190, 130, 130, 90, 120, 100)):
            self.table.setColumnWidth(col, width)

        # --- reminder and contact mark of the selected worker
        self.detail = QGroupBox()
        detail = QVBoxLayout(self.detail)
        self.place_label = QLabel()
        self.place = QLineEdit(DEFAULT_PLACE)
        self.place.setObjectName("payPlace")
        self.place_label.setBuddy(self.place)
        place_row = QHBoxLayout()
        place_row.addWidget(self.place_label)
        place_row.addWidget(self.place, 1)
        self.reminder = QPlainTextEdit()
        self.reminder.setObjectName("reminderText")
        self.reminder.setReadOnly(True)
        self.reminder.setMaximumHeight(110)
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copyButton")
        self.contacted_label = QLabel()
        self.contacted_date = QDateEdit()
        self.contacted_date.setObjectName("contactedDate")
        self.contacted_date.setDisplayFormat("dd/MM/yyyy")
        self.contacted_date.setCalendarPopup(True)
        today = core.clock.today()
        self.contacted_date.setDate(QDate(today.year, today.month, today.day))
        self.contacted_date.setMaximumDate(QDate(today.year, today.month, today.day))
        self.note = QLineEdit()
        self.note.setObjectName("contactNote")
        self.mark_button = QPushButton()
        self.mark_button.setObjectName("markButton")
        action_row = Columns()  # copy | contact, one under the other when narrow
        action_row.add(self.copy_button, 0)
        action_row.add(panel(self.contacted_label, self.contacted_date, (self.note, 1),
                             self.mark_button, vertical=False))
        self.message = IssueLabel()
        detail.addLayout(place_row)
        detail.addWidget(self.reminder)
        detail.addWidget(action_row)
        detail.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(filters)
        layout.addWidget(self.counts)
        layout.addWidget(splitter, 1)

        self.filter.currentIndexChanged.connect(self.reload)
        self.kelurahan.currentIndexChanged.connect(self.reload)
        self.uncontacted.toggled.connect(self.reload)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.table.activated.connect(self._open)  # Enter or double-click
        self.place.textChanged.connect(self._update_reminder)
        self.copy_button.clicked.connect(self.copy_reminder)
        self.mark_button.clicked.connect(self.mark_contacted)
        self.note.returnPressed.connect(self.mark_contacted)
        self.model.loaded.connect(self._loaded)
        QShortcut(QKeySequence("F5"), self, self.reload)
        QShortcut(QKeySequence("Ctrl+Shift+C"), self, self.copy_reminder)
        QShortcut(QKeySequence("Ctrl+K"), self, self.mark_contacted)
        self.retranslateUi()
        self._set_detail_enabled(False)
        self._loaded_once = False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Follow-up"))
        self.filter_label.setText(self.tr("&Show"))
        names = {"all": self.tr("Everyone to follow up"), "grace": self.tr("Grace period"),
                 "ends": self.tr("Coverage ends this month"),
                 "inactive": self.tr("Newly inactive")}
        for i, f in enumerate(FILTERS):
            self.filter.setItemText(i, names[f])
        self.kelurahan.setItemText(0, self.tr("All kelurahan of my area"))
        self.uncontacted.setText(self.tr("Only not contacted this month"))
        self.detail.setTitle(self.tr("Reminder (Bahasa Indonesia)"))
        self.place_label.setText(self.tr("Where to &pay"))
        self.copy_button.setText(self.tr("&Copy reminder"))
        self.contacted_label.setText(self.tr("Contacted on"))
        self.note.setPlaceholderText(self.tr("Note (optional)"))
        self.mark_button.setText(self.tr("&Mark contacted"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 7)
        self._show_counts()

    # --- loading -------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.reload()

    def query(self) -> FollowupQuery:
        return FollowupQuery(kelurahan_code=self.kelurahan.currentData(),
                             kinds=FILTER_KINDS[self.filter.currentData()],
                             only_uncontacted=self.uncontacted.isChecked())

    def reload(self) -> None:
        self._counts: dict | None = None
        run(self, self.runner, self.core.followup.count, self.session.user, self.query(),
            on_done=self._counted, on_error=self.show_error)

    def _counted(self, counts: dict) -> None:
        self._counts = counts
        self._show_counts()
        self.model.reset(counts["total"])
        self._set_detail_enabled(False)
        self.reminder.clear()
        self.model.fetchMore()

    def _loaded(self) -> None:
        if self.table.currentIndex().row() < 0 and self.model.rows:
            self.table.selectRow(0)

    def _show_counts(self) -> None:
        c = getattr(self, "_counts", None)
        if not c:
            self.counts.setText("")
            return
        self.counts.setText(self.tr(
            "%1 to follow up: %2 in the last grace month, %3 in grace, %4 ending this month, "
            "%5 newly inactive").replace("%1", str(c["total"])).replace(
            "%2", str(c["grace3"])).replace("%3", str(c["grace2"] + c["grace1"])).replace(
            "%4", str(c["ends"])).replace("%5", str(c["inactive"])))

    def show_error(self, exc: BaseException) -> None:
        self.message.set_message(error_text(exc, self.session.lang))

    # --- selection and actions ----------------------------------------------------------

    def current_row(self) -> FollowupRow | None:
        i = self.table.currentIndex().row()
        return self.model.rows[i] if 0 <= i < len(self.model.rows) else None

    def _set_detail_enabled(self, on: bool) -> None:
        for w in (self.copy_button, self.mark_button, self.note, self.contacted_date):
            w.setEnabled(on)

    def _selected(self, *_args) -> None:
        self.message.set_message("")
        self._set_detail_enabled(self.current_row() is not None)
        self._update_reminder()

    def _update_reminder(self) -> None:
        row = self.current_row()
        if row is None:
            self.reminder.clear()
            return
        self.reminder.setPlainText(reminder_text(
            row, agent_name=self.session.user.full_name,
            place=self.place.text().strip() or DEFAULT_PLACE))

    def copy_reminder(self) -> None:
        text = self.reminder.toPlainText()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.message.set_message(self.tr("Reminder copied: paste it into SMS or WhatsApp."),
                                     "ok")

    def mark_contacted(self) -> None:
        row = self.current_row()
        if row is None:
            return
        q = self.contacted_date.date()
        from datetime import date

        on = date(q.year(), q.month(), q.day())
        run(self, self.runner, self.core.followup.mark_contacted, self.session.user, row.worker_id,
            on, self.note.text(),
            on_done=lambda c: self._marked(row.worker_id, c),
            on_error=self.show_error)

    def _marked(self, worker_id: str, contact) -> None:
        self.note.clear()
        self.model.replace_row(worker_id, contacted_on=contact.contacted_on)
        self.message.set_message(self.tr("Marked as contacted."), "ok")

    def _open(self, index) -> None:
        row = self.current_row()
        if row is not None:
            self.worker_opened.emit(row.worker_id)
