"""Import a list of workers (CSV or XLSX): preview every row, import the valid ones.

The preview (``core.importer.preview``) and the commit (``core.importer.commit``, short
transactions) run on a thread of their own, not the database thread: the clerk keeps
registering and collecting while a 45,000-row list imports (SQLite queues the writes of
both threads). Progress comes back by signal; Cancel stops the preview, or the commit
until it is decided. File dialogs are injectable (``file_chooser``,
``report_path_chooser``) so tests never open a native one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agent_app.services.access import require
from agent_app.services.base import ServiceError
from agent_app.services.importer import ImportReport, describe
from agent_app.services.reports import Cancelled, CancelToken
from agent_app.ui.errors import error_text
from agent_app.ui.operations import WORKERS, run
from agent_app.ui.tasks import TaskRunner
from agent_app.ui.widgets import (
    ERROR_COLOR,
    OK_COLOR,
    WARNING_COLOR,
    ElidedLabel,
    IssueLabel,
    TaskDialog,
    fit_to_screen,
    list_table,
)

STATUS_COLORS = {"valid": OK_COLOR, "invalid": ERROR_COLOR,
                 "duplicate_file": WARNING_COLOR, "duplicate_store": WARNING_COLOR}


class _Progress(QObject):
    """Emitted on the database thread, delivered on the GUI thread (queued)."""

    changed = Signal(int, int)


class ImportReportModel(QAbstractTableModel):
    COLUMNS = ("row", "nik", "name", "status", "details")

    def __init__(self, lang: str = "id", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.report: ImportReport | None = None
        self.lang = lang

    def set_report(self, report: ImportReport | None, lang: str | None = None) -> None:
        self.beginResetModel()
        self.report = report
        if lang:
            self.lang = lang
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid() or self.report is None:
            return 0
        return len(self.report.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def status_text(self, status: str) -> str:
        return {
            "valid": self.tr("Valid"),
            "invalid": self.tr("Invalid"),
            "duplicate_file": self.tr("Duplicate in file"),
            "duplicate_store": self.tr("Already on this device"),
        }.get(status, status)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (self.tr("Row"), self.tr("NIK"), self.tr("Name"), self.tr("Status"),
                self.tr("Details"))[section]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.report is None:
            return None
        row = self.report.rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "row":
                return row.number
            if column == "nik":
                return row.raw.get("nik", "")
            if column == "name":
                return row.raw.get("nama", "")
            if column == "status":
                return self.status_text(row.status)
            return row.messages(self.lang)
        if role == Qt.ItemDataRole.ForegroundRole and column == "status":
            return QBrush(QColor(STATUS_COLORS.get(row.status, "#000")))
        if role == Qt.ItemDataRole.ToolTipRole and column == "details":
            return row.messages(self.lang)
        return None


class ImportDialog(TaskDialog):
    imported = Signal(int)  # how many workers were registered

    def __init__(self, core, runner, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        # The preview and the commit run here; a synchronous runner (unit tests) is used as is.
        self.import_runner = runner if runner.synchronous else TaskRunner(name="import", parent=self)
        if self.import_runner is not runner:  # pages listen to the database runner's changes
            self.import_runner.changed.connect(runner.announce)
        self.cancel_token: CancelToken | None = None
        self.report: ImportReport | None = None
        self.imported_count: int | None = None
        # Injectable: (parent) -> path or None; (parent, suggested name) -> path or None
        self.file_chooser: Callable[[QWidget], str | None] | None = None
        self.report_path_chooser: Callable[[QWidget, str], str | None] | None = None
        self._progress = _Progress(self)
        self._progress.changed.connect(self._progressed)
        self.setObjectName("importDialog")

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.choose_button = QPushButton()
        self.choose_button.setObjectName("chooseFileButton")
        self.choose_button.clicked.connect(self.choose_file)
        self.path_label = ElidedLabel()  # a long path never widens the dialog
        self.path_label.setObjectName("importPath")
        top.addWidget(self.choose_button)
        top.addWidget(self.path_label, 1)
        layout.addLayout(top)
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        self.help_label.setProperty("role", "muted")
        layout.addWidget(self.help_label)
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.summary = IssueLabel()
        self.summary.setObjectName("importSummary")
        layout.addWidget(self.summary)
        self.model = ImportReportModel(session.lang, self)
        # Fixed widths: ResizeToContents would measure every row of a 10,000-row list.
        self.table = list_table(QTableView())
        self.table.setObjectName("importTable")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        for column, width in enumerate((55, 180, 200, 190)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.save_report_button = QPushButton()
        self.save_report_button.setObjectName("saveReportButton")
        self.save_report_button.setEnabled(False)
        self.save_report_button.setAutoDefault(False)
        self.save_report_button.clicked.connect(self.save_report)
        buttons.addWidget(self.save_report_button)
        buttons.addStretch(1)
        self.import_button = QPushButton()
        self.import_button.setObjectName("importButton")
        self.import_button.setProperty("primary", True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.commit)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelImportButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        fit_to_screen(self, 860, 500)
        self.retranslateUi()
        self.session.language_changed.connect(self._language_changed)
        self.denied: ServiceError | None = None
        try:
            require(session.user, "import")  # the service checks again on commit
        except ServiceError as exc:
            self.denied = exc
            self.choose_button.setEnabled(False)
            self.summary.set_message(exc.text(session.lang))

    def done(self, result: int) -> None:
        super().done(result)
        if self.import_runner is not self.runner:
            self.import_runner.shutdown(timeout=0)  # its thread ends after any work under way

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def _language_changed(self, lang: str) -> None:
        self.model.set_report(self.report, lang)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Import workers"))
        self.choose_button.setText(self.tr("&Choose file…"))
        if self.report is None and not self.busy:
            self.path_label.setText(self.tr("No file chosen (CSV or XLSX)"))
        self.help_label.setText(self.tr(
            "Columns: nik, nama, tanggal_lahir, jenis_kelamin, alamat, kelurahan, pekerjaan, "
            "penghasilan, persetujuan (and optional ones). Every row is checked like the "
            "registration form; only valid rows are imported, all in one go."))
        self.save_report_button.setText(self.tr("Save &report (CSV)…"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.close_button.setText(self.tr("Close"))
        self._update_buttons()
        self._show_summary()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.COLUMNS) - 1)

    # --- preview ------------------------------------------------------------------------
    def choose_file(self) -> None:
        chooser = self.file_chooser or _ask_open_path
        path = chooser(self)
        if path:
            self.load_file(path)

    def load_file(self, path: str | Path) -> None:
        if self.busy or self.denied is not None:
            return
        self.busy = True
        self.report = None
        self.imported_count = None
        self.model.set_report(None)
        self.path_label.setText(str(path))
        self.summary.set_message(self.tr("Checking the rows…"), "warning")
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.progress.show()
        self._update_buttons()
        run(self, self.import_runner, self.core.importer.preview, Path(path),
            progress=self._progress.changed.emit, cancel=self._new_cancel_token(),
            on_done=self._previewed, on_error=self._failed)

    def _new_cancel_token(self) -> CancelToken:
        self.cancel_token = CancelToken()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        return self.cancel_token

    def cancel(self) -> None:
        """Stop the preview, or the commit while it is still undone (nothing is kept)."""
        if self.busy and self.cancel_token is not None:
            self.cancel_token.cancel()
            self.cancel_button.setEnabled(False)

    def _progressed(self, done: int, total: int) -> None:
        if total <= 0:  # the preview: rows checked so far, the total comes at the end
            self.summary.set_message(self.tr("Checking the rows… %1").replace("%1", f"{done:,}"),
                                     "warning")
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if done * 2 > total:  # publishing: decided, past cancelling
            self.cancel_button.setEnabled(False)

    def _previewed(self, report: ImportReport) -> None:
        self.busy = False
        self.cancel_button.hide()
        self.report = report
        self.progress.hide()
        self.model.set_report(report, self.session.lang)
        self._show_summary()
        self._update_buttons()
        if self.import_button.isEnabled():
            self.import_button.setDefault(True)
            self.import_button.setFocus()

    def _show_summary(self) -> None:
        if self.report is None:
            return
        text = describe(self.report, self.session.lang)
        if self.imported_count is not None:
            text = self.tr("%1 workers imported.").replace("%1", str(self.imported_count)) + " " + text
            self.summary.set_message(text, "ok")
        elif self.report.file_issues or not self.report.valid:
            self.summary.set_message(text, "error")
        else:
            self.summary.set_message(text, "warning" if self.report.refused else "ok")

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.progress.hide()
        self.cancel_button.hide()
        if isinstance(exc, Cancelled):
            self.summary.set_message(self.tr("Cancelled: nothing was imported."))
        else:
            self.summary.set_message(error_text(exc, self.session.lang))
        self._update_buttons()

    def _update_buttons(self) -> None:
        valid = len(self.report.valid) if self.report is not None else 0
        self.import_button.setText(self.tr("&Import %1 valid rows").replace("%1", str(valid)))
        self.import_button.setEnabled(valid > 0 and not self.busy and self.imported_count is None)
        self.save_report_button.setEnabled(self.report is not None and not self.busy)
        self.choose_button.setEnabled(not self.busy and getattr(self, "denied", None) is None)

    # --- commit -------------------------------------------------------------------------
    def commit(self) -> None:
        if self.busy or self.report is None or self.imported_count is not None:
            return
        self.busy = True
        self.progress.setRange(0, 0)
        self.progress.show()
        self.summary.set_message(self.tr("Importing…"), "warning")
        self._update_buttons()
        run(self, self.import_runner, self.core.importer.commit, self.session.user, self.report,
            progress=self._progress.changed.emit, cancel=self._new_cancel_token(),
            on_done=self._committed, on_error=self._failed, changes=WORKERS)

    def _committed(self, count: int) -> None:
        self.busy = False
        self.imported_count = count
        self.progress.hide()
        self.cancel_button.hide()
        self._show_summary()
        self._update_buttons()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.imported.emit(count)

    # --- report -------------------------------------------------------------------------
    def save_report(self) -> None:
        if self.report is None:
            return
        suggested = f"{Path(self.report.path).stem}-laporan-impor.csv"
        chooser = self.report_path_chooser or _ask_save_path
        path = chooser(self, suggested)
        if not path:
            return
        try:
            self.report.write_csv(Path(path), self.session.lang)
        except OSError as exc:
            self.summary.set_message(error_text(exc, self.session.lang))
            return
        self.summary.set_message(self.tr("Report saved: %1").replace("%1", str(path)), "ok")



def _ask_open_path(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, QCoreApplication.translate("ImportDialog", "Choose the list to import"), "",
        QCoreApplication.translate("ImportDialog", "Worker lists (*.csv *.xlsx)"))
    return path or None


def _ask_save_path(parent: QWidget, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, QCoreApplication.translate("ImportDialog", "Save the import report"), suggested,
        QCoreApplication.translate("ImportDialog", "CSV files (*.csv)"))
    return path or None
