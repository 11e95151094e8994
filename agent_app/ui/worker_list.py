"""Find a worker: search-as-you-type over a lazy, block-cached table model.

``WorkerListModel`` never loads every row: it asks ``core.workers.count(query)`` once per
query, then fetches ``BLOCK`` rows at a time (``core.workers.search(query, offset, limit)``
on the TaskRunner) only for the blocks the view actually paints. Rows of a block still in
flight show "…" and fill in with ``dataChanged`` when it arrives. Every query bumps a
generation number so a slow answer to an old query never overwrites a newer one.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agent_app.domain.coverage import coverage_status, unpaid_months
from agent_app.domain.messages import render
from agent_app.domain.phone import format_phone_local
from agent_app.services.workers import FirstPage, WorkerQuery, WorkerRow
from agent_app.ui.operations import run
from agent_app.ui.widgets import list_table

BLOCK = 200
MAX_CACHED_BLOCKS = 30  # ~6,000 rows kept; older blocks are dropped (LRU)
PLACEHOLDER = "…"
ID_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

COLUMNS = ("name", "nik", "kelurahan", "phone", "coverage", "sync", "kpj")
COVERAGE_STATES = ("active", "grace", "inactive", "never")
SYNC_STATES = ("pending", "synced", "rejected", "review")


def mask_nik(nik: str) -> str:
    """Lists show only the region prefix and the last 4 digits: 7371********0001."""
    if len(nik) < 8:
        return nik
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def group_number(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", "." if lang == "id" else ",")


def header_texts() -> dict[str, str]:
    return {
        "name": QCoreApplication.translate("WorkerListModel", "Name"),
        "nik": QCoreApplication.translate("WorkerListModel", "NIK"),
        "kelurahan": QCoreApplication.translate("WorkerListModel", "Kelurahan"),
        "phone": QCoreApplication.translate("WorkerListModel", "Phone"),
        "coverage": QCoreApplication.translate("WorkerListModel", "Coverage"),
        "sync": QCoreApplication.translate("WorkerListModel", "Sync"),
        "kpj": QCoreApplication.translate("WorkerListModel", "KPJ"),
    }


def sync_texts() -> dict[str, str]:
    return {
        "pending": QCoreApplication.translate("WorkerListModel", "Not sent yet"),
        "synced": QCoreApplication.translate("WorkerListModel", "Sent"),
        "rejected": QCoreApplication.translate("WorkerListModel", "Rejected"),
        "review": QCoreApplication.translate("WorkerListModel", "Needs review"),
    }


class WorkerListModel(QAbstractTableModel):
    count_changed = Signal(int)  # total rows of the current query (after the count arrives)
    block_loaded = Signal(int)  # block number, for tests and busy indicators

    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.query = WorkerQuery()
        self.generation = 0
        self.total = 0
        self.counted = False
        self.capped = False  # a typed search matched more than the list counts
        self.loading = False  # a query's count is on its way
        self.blocks: OrderedDict[int, list[WorkerRow]] = OrderedDict()
        self.in_flight: set[int] = set()
        self.block_requests = 0  # how many block queries were made (tests assert laziness)
        self.count_requests = 0
        self._headers = header_texts()
        self._sync = sync_texts()
        self.full_nik = session.can("view_full_nik")  # supervisors; others see 7371****0001

    # --- queries -------------------------------------------------------------------------

    def set_query(self, query: WorkerQuery) -> None:
        """Show the rows of ``query``: the count and the first block in one database call
        (a keystroke's whole answer), the other blocks as they are painted."""
        self.generation += 1
        generation = self.generation
        self.query = replace(query, today=query.today or self.core.clock.today())
        self.count_requests += 1
        self.loading = True
        run(self, self.runner,
            self.core.workers.first_page, self.query, BLOCK,
            on_done=lambda page: self._counted(generation, page),
            on_error=lambda exc: self._counted(generation, FirstPage(0, False, [])))

    def refresh(self) -> None:
        self.set_query(self.query)

    def _counted(self, generation: int, page: FirstPage) -> None:
        if generation != self.generation:
            return  # an older query: its answer is stale
        self.loading = False
        self.beginResetModel()
        self.total = page.total
        self.capped = page.capped
        self.counted = True
        self.blocks.clear()
        self.blocks[0] = page.rows
        self.in_flight.clear()
        self.endResetModel()
        self.count_changed.emit(page.total)

    def _request_block(self, block: int) -> None:
        if block in self.in_flight:
            return
        self.in_flight.add(block)
        self.block_requests += 1
        generation = self.generation
        run(self, self.runner,
            self.core.workers.search, self.query, block * BLOCK, BLOCK,
            on_done=lambda rows: self._block_arrived(generation, block, rows),
            on_error=lambda exc: self._block_arrived(generation, block, []))

    def _block_arrived(self, generation: int, block: int, rows: list[WorkerRow]) -> None:
        if generation != self.generation:
            return
        self.in_flight.discard(block)
        self.blocks[block] = rows
        while len(self.blocks) > MAX_CACHED_BLOCKS:
            self.blocks.popitem(last=False)
        first = block * BLOCK
        last = min(first + BLOCK, self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.block_loaded.emit(block)

    def row_at(self, row: int) -> WorkerRow | None:
        """The loaded row, or None while its block is on its way (and then asks for it)."""
        if not 0 <= row < self.total:
            return None
        block, offset = divmod(row, BLOCK)
        rows = self.blocks.get(block)
        if rows is None:
            self._request_block(block)
            return None
        self.blocks.move_to_end(block)
        return rows[offset] if offset < len(rows) else None

    def worker_id(self, row: int) -> str | None:
        item = self.row_at(row)
        return item.id if item else None

    # --- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return self._headers[COLUMNS[section]]
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < self.total:
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, ID_ROLE, ROW_ROLE):
            return None
        item = self.row_at(index.row())
        if role == ID_ROLE:
            return item.id if item else None
        if role == ROW_ROLE:
            return item
        if item is None:
            return PLACEHOLDER if role == Qt.ItemDataRole.DisplayRole else None
        return self._cell(item, COLUMNS[index.column()])

    def _cell(self, item: WorkerRow, column: str) -> str:
        if column == "name":
            return item.full_name
        if column == "nik":
            return item.nik if self.full_nik else mask_nik(item.nik)
        if column == "kelurahan":
            kel = self.core.ref.kelurahan_for(item.kelurahan_code)
            return kel.name if kel else item.kelurahan_code
        if column == "phone":
            return format_phone_local(item.phone)
        if column == "coverage":
            today = self.query.today or self.core.clock.today()
            return render(f"coverage.{coverage_status(item.paid_through, today)}",
                          self.session.lang, months=unpaid_months(item.paid_through, today))
        if column == "sync":
            return self._sync.get(item.sync_state, item.sync_state)
        if column == "kpj":
            return item.kpj or ""
        return ""

    def fixed_texts(self, column: str) -> list[str]:
        """The texts ``column`` shows whatever the data (a masked NIK, each status): the
        table keeps room for them whole, since "Belum pernah …" says nothing."""
        if column == "nik":
            sample = "7371010101900001"
            return [sample if self.full_nik else mask_nik(sample)]
        if column == "coverage":
            return [render(f"coverage.{state}", self.session.lang, months=3)
                    for state in COVERAGE_STATES]
        if column == "sync":
            return list(self._sync.values())
        return []

    def retranslate(self) -> None:
        self._headers = header_texts()
        self._sync = sync_texts()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.total:
            self.dataChanged.emit(self.index(0, 0), self.index(self.total - 1, len(COLUMNS) - 1))


# Each column's (share of the room left, least width it needs in logical pixels); on a
# narrow screen the columns a worker's page shows anyway give way, so the table never
# scrolls sideways and the coverage status stays in sight.
COLUMN_WIDTHS = {"name": (40, 140), "nik": (5, 135), "kelurahan": (15, 110),
                 "phone": (10, 115), "coverage": (10, 110), "sync": (10, 105), "kpj": (10, 100)}
HIDDEN_FIRST = ("kpj", "phone")
CELL_PADDING = 12  # a cell's margins and grid line around its text


class WorkerTable(QTableView):
    """Enter (or double-click) opens the current worker; Up on the first row goes back to
    the search field. Its columns fill its width."""

    open_requested = Signal(QModelIndex)
    leave_up = Signal()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        header = self.horizontalHeader()
        model = self.model()
        # The room inside the frame, a vertical scroll bar's width kept (a long list has one)
        width = (self.width() - 2 * self.frameWidth()
                 - self.verticalScrollBar().sizeHint().width())

        def least(key: str) -> int:
            if not isinstance(model, WorkerListModel):
                return COLUMN_WIDTHS[key][1]
            title = str(model.headerData(COLUMNS.index(key), Qt.Orientation.Horizontal))
            return max(COLUMN_WIDTHS[key][1], header.fontMetrics().horizontalAdvance(title) + CELL_PADDING,
                       *(self.fontMetrics().horizontalAdvance(text) + CELL_PADDING
                         for text in model.fixed_texts(key)))

        needs = {key: least(key) for key in COLUMNS}
        shown = list(COLUMNS)
        for key in HIDDEN_FIRST:
            if sum(needs[k] for k in shown) <= width:
                break
            shown.remove(key)
        spare = max(width - sum(needs[k] for k in shown), 0)  # shared out by the shares
        shares = sum(COLUMN_WIDTHS[k][0] for k in shown)
        for column, key in enumerate(COLUMNS):
            self.setColumnHidden(column, key not in shown)
            if key in shown:
                header.resizeSection(column, needs[key] + spare * COLUMN_WIDTHS[key][0] // shares)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.currentIndex().isValid():
                self.open_requested.emit(self.currentIndex())
                return
        if event.key() == Qt.Key.Key_Up and self.currentIndex().row() <= 0:
            self.leave_up.emit()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid():
            self.open_requested.emit(index)
            return
        super().mouseDoubleClickEvent(event)


class WorkerListPage(QWidget):
    """Search field + filters + count + lazy table; emits ``worker_opened(id)``."""

    worker_opened = Signal(str)
    DEBOUNCE_MS = 150

    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.model = WorkerListModel(core, runner, session, self)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_query)

        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self.search.textEdited.connect(self._schedule)
        self.search.returnPressed.connect(self._open_from_search)

        self.kecamatan = QComboBox()
        self.kecamatan.setObjectName("kecamatan")
        self.kelurahan = QComboBox()
        self.kelurahan.setObjectName("kelurahan")
        self.status = QComboBox()
        self.status.setObjectName("status")
        self.sync = QComboBox()
        self.sync.setObjectName("sync")
        for combo in (self.kecamatan, self.kelurahan, self.status, self.sync):
            # Long kelurahan names must not make the window wider than a 150 % screen.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.kecamatan.addItem("", None)
        for code, name in core.ref.kecamatan:
            self.kecamatan.addItem(name, code)
        self._fill_kelurahan()
        self.status.addItem("", None)
        for state in COVERAGE_STATES:
            self.status.addItem("", state)
        self.sync.addItem("", None)
        for state in SYNC_STATES:
            self.sync.addItem("", state)
        self.kecamatan.currentIndexChanged.connect(self._kecamatan_changed)
        for combo in (self.kelurahan, self.status, self.sync):
            combo.currentIndexChanged.connect(self.apply_query)

        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.count_label.setProperty("role", "muted")

        self.table = list_table(WorkerTable())
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.model.headerDataChanged.connect(lambda *_: self.table.fit_columns())  # a language
        self.table.open_requested.connect(self._open_index)
        self.table.leave_up.connect(self.search.setFocus)
        self.model.count_changed.connect(self._count_changed)

        # No separate labels: the first item names the filter ("Semua kecamatan"), which
        # keeps the row narrow enough for 1366x768 at 150 %.
        filters = QHBoxLayout()
        for combo in (self.kecamatan, self.kelurahan, self.status, self.sync):
            filters.addWidget(combo, 1)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.setFocusProxy(self.search)
        self.retranslateUi()

    # --- language ------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Find a worker"))
        self.search.setPlaceholderText(self.tr("Type a name, NIK or phone number (Ctrl+F)"))
        self.kecamatan.setItemText(0, self.tr("All kecamatan"))
        self.kelurahan.setItemText(0, self.tr("All kelurahan"))
        self.status.setItemText(0, self.tr("Any coverage"))
        self.sync.setItemText(0, self.tr("Any sync state"))
        self.kecamatan.setToolTip(self.tr("Kecamatan"))
        self.kelurahan.setToolTip(self.tr("Kelurahan"))
        self.status.setToolTip(self.tr("Coverage status"))
        self.sync.setToolTip(self.tr("Sync state"))
        for combo in (self.kecamatan, self.kelurahan, self.status, self.sync):
            combo.setAccessibleName(combo.toolTip())
        states = {"active": self.tr("Active"), "grace": self.tr("In arrears (1–3 months)"),
                  "inactive": self.tr("Inactive"), "never": self.tr("Never paid")}
        for i, state in enumerate(COVERAGE_STATES, start=1):
            self.status.setItemText(i, states[state])
        texts = sync_texts()
        for i, state in enumerate(SYNC_STATES, start=1):
            self.sync.setItemText(i, texts[state])
        self.model.retranslate()
        self._show_count()

    # --- querying ------------------------------------------------------------------------

    def _fill_kelurahan(self) -> None:
        code = self.kecamatan.currentData()
        self.kelurahan.blockSignals(True)
        self.kelurahan.clear()
        self.kelurahan.addItem(self.tr("All kelurahan"), None)
        for kel in self.core.ref.kelurahan:
            if code is None or kel.kecamatan_code == code:
                self.kelurahan.addItem(kel.name, kel.code)
        self.kelurahan.blockSignals(False)

    def _kecamatan_changed(self) -> None:
        self._fill_kelurahan()
        self.apply_query()

    def _schedule(self) -> None:
        self.session.touch()
        self._debounce.start()

    def current_query(self) -> WorkerQuery:
        return WorkerQuery(
            text=self.search.text().strip(),
            kecamatan_code=self.kecamatan.currentData(),
            kelurahan_code=self.kelurahan.currentData(),
            status=self.status.currentData(),
            sync_state=self.sync.currentData(),
        )

    def apply_query(self) -> None:
        self._debounce.stop()
        self.model.set_query(self.current_query())

    def refresh(self) -> None:
        self.model.refresh()

    def _count_changed(self, total: int) -> None:
        self._show_count()

    def _show_count(self) -> None:
        if not self.model.counted:
            self.count_label.setText("")
            return
        number = group_number(self.model.total, self.session.lang)
        if self.model.capped:
            self.count_label.setText(
                self.tr("More than %1 workers: type more to narrow the search").replace("%1", number))
        else:
            self.count_label.setText(self.tr("%1 workers").replace("%1", number))

    # --- keyboard and opening ------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down and self.model.total:
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.table.currentIndex().isValid():
                    self.table.setCurrentIndex(self.model.index(0, 0))
                    self.table.selectRow(0)
                return True
        # Not super().eventFilter(): in PySide6 6.12 that call corrupts the refcount of
        # None/False and, after enough events, aborts the interpreter.
        return False

    def _open_from_search(self) -> None:
        # Enter in the search field: a pending search runs first; with exactly one match
        # (typical after typing a full NIK) that worker opens.
        if self._debounce.isActive():
            self.apply_query()
            return
        if self.model.total == 1:
            worker_id = self.model.worker_id(0)
            if worker_id:
                self.worker_opened.emit(worker_id)

    def _open_index(self, index: QModelIndex) -> None:
        worker_id = self.model.worker_id(index.row())
        if worker_id:
            self.worker_opened.emit(worker_id)

    def selected_worker_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.worker_id(index.row()) if index.isValid() else None
