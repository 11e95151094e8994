"""Reports: collections per day/month by kelurahan and user, registrations per kecamatan,
payments the server flagged; export to XLSX/CSV and print to PDF.

Reports and exports run through the TaskRunner behind a cancellable ProgressDialog. The
screen and the exported files are built from the same ``exports.Table`` objects, so what
the person saw is what the file holds.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QMarginsF, Qt, Signal
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_app.domain import coverage
from agent_app.files import atomic_path
from agent_app.services import exports
from agent_app.services.access import can
from agent_app.services.exports import Table
from agent_app.services.reports import Collections, Registrations
from agent_app.ui import operations
from agent_app.ui.charts import BarChart, bold
from agent_app.ui.errors import error_text
from agent_app.ui.progress import ProgressDialog
from agent_app.ui.receipt import format_money, format_stamp
from agent_app.ui.widgets import Columns, IssueLabel, list_table, panel

KINDS = ("day", "month", "registrations", "flagged")


def ask_save_path(parent, title: str, suggested: str, file_filter: str) -> str:
    """The OS save dialog (pages keep this as ``path_chooser`` so tests can answer it)."""
    start = Path.home() / "Documents"
    path, _ = QFileDialog.getSaveFileName(parent, title, str(start / suggested), file_filter)
    return path


def write_pdf(document_html: str, path: Path, *, landscape: bool = False) -> None:
    """Render HTML to an A4 PDF atomically (temp file in the same folder, then rename)."""
    from PySide6.QtGui import QPdfWriter, QTextDocument

    with atomic_path(path) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape
                                  else QPageLayout.Orientation.Portrait)
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
        writer.setResolution(150)
        doc = QTextDocument()
        doc.setHtml(document_html)
        doc.print_(writer)
        del writer  # the PDF is finished when the writer goes away


def table_html(title: str, subtitle: str, tables: list[Table], lang: str) -> str:
    esc = html.escape
    parts = [f"<html><body style='font-family:sans-serif; font-size:9pt'><h2>{esc(title)}</h2>"
             f"<p>{esc(subtitle)}</p>"]
    for t in tables:
        head = "".join(f"<th align='left'>{esc(h)}</th>" for h in t.headers)
        body = []
        for row in t.rows:
            cells = []
            for i, v in enumerate(row):
                text = format_money(v, lang) if i in t.money_columns and v is not None else \
                    ("" if v is None else str(v))
                align = " align='right'" if isinstance(v, int) else ""
                cells.append(f"<td{align}>{esc(text)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        parts.append(f"<h3>{esc(t.title)}</h3><table width='100%' border='1' cellspacing='0' "
                     f"cellpadding='2'><tr>{head}</tr>{''.join(body)}</table>")
    parts.append("</body></html>")
    return "".join(parts)


class ReportsPage(QWidget):
    report_ready = Signal(str)  # kind

    def __init__(self, core, runner, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.core, self.runner, self.session = core, runner, session
        self.path_chooser = ask_save_path
        self.report: Collections | Registrations | list[dict] | None = None
        self.report_kind: str | None = None
        self.tables: list[Table] = []
        self.dialog: ProgressDialog | None = None
        self.last_path: Path | None = None

        self.title = QLabel()
        bold(self.title, 4)
        self.kind_label = QLabel()
        self.kind = QComboBox()
        self.kind.setObjectName("reportKind")
        self.kind_label.setBuddy(self.kind)
        for k in KINDS:
            self.kind.addItem("", k)
        self.date_label = QLabel()
        self.date = QDateEdit()
        self.date.setObjectName("reportDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        today = core.clock.today()
        self.date.setDate(QDate(today.year, today.month, today.day))
        self.date_label.setBuddy(self.date)
        self.run_button = QPushButton()
        self.run_button.setObjectName("runButton")
        self.run_button.setDefault(True)
        self.xlsx_button = QPushButton()
        self.xlsx_button.setObjectName("xlsxButton")
        self.csv_button = QPushButton()
        self.csv_button.setObjectName("csvButton")
        self.pdf_button = QPushButton()
        self.pdf_button.setObjectName("pdfButton")
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(16)
        controls = Columns()  # the exports under the choice on a narrow screen
        controls.add(panel(self.kind_label, (self.kind, 1), self.date_label, self.date,
                           self.run_button, vertical=False))
        controls.add(panel(self.xlsx_button, self.csv_button, self.pdf_button, vertical=False), 0)

        self.summary = QLabel()
        self.summary.setObjectName("reportSummary")
        self.summary.setWordWrap(True)
        self.message = IssueLabel()
        self.chart = BarChart()
        self.chart.setMaximumHeight(170)
        self.chart.hide()
        self.main_title, self.second_title = QLabel(), QLabel()
        bold(self.main_title)
        bold(self.second_title)
        self.main_table = self._table("mainTable")
        self.second_table = self._table("secondTable")
        tables = Columns()
        tables.add(panel(self.main_title, (self.main_table, 1)), 3)
        tables.add(panel(self.second_title, (self.second_table, 1)), 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(controls)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart)
        layout.addWidget(tables, 1)

        self.run_button.clicked.connect(self.run)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        QShortcut(QKeySequence("F5"), self, self.run)
        self._set_export_enabled(False)
        self.retranslateUi()
        self._kind_changed()

    @staticmethod
    def _table(name: str) -> QTableWidget:
        t = list_table(QTableWidget(0, 0), fit_columns=True)
        t.setObjectName(name)
        return t

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Reports"))
        self.kind_label.setText(self.tr("&Report"))
        names = {"day": self.tr("Collections of a day"),
                 "month": self.tr("Collections of a month"),
                 "registrations": self.tr("Registrations per kecamatan"),
                 "flagged": self.tr("Payments flagged by the server")}
        for i, k in enumerate(KINDS):
            self.kind.setItemText(i, names[k])
        self.date_label.setText(self.tr("&Date"))
        self.run_button.setText(self.tr("Show (F5)"))
        self.xlsx_button.setText(self.tr("Export &XLSX…"))
        self.csv_button.setText(self.tr("Export &CSV…"))
        self.pdf_button.setText(self.tr("&Print to PDF…"))
        if self.report is not None and self.report_kind is not None:
            self._show(self.report_kind, self.report)

    def _kind_changed(self) -> None:
        self.date.setEnabled(self.kind.currentData() != "flagged")

    def _set_export_enabled(self, on: bool) -> None:
        for b in (self.xlsx_button, self.csv_button, self.pdf_button):
            b.setEnabled(on)

    # --- running -------------------------------------------------------------------------

    def selected_date(self) -> date:
        q = self.date.date()
        return date(q.year(), q.month(), q.day())

    def run(self) -> None:
        kind = self.kind.currentData()
        day = self.selected_date()
        self.message.set_message("")
        self.run_button.setEnabled(False)
        self.dialog = self._new_dialog(lambda: self.tr("Preparing the report…"))
        if kind in ("day", "month"):
            self.dialog.start(self.core.reports.collections, kind, day,
                              on_done=lambda r: self._show(kind, r), on_error=self._failed,
                              on_cancel=self._cancelled)
        elif kind == "registrations":
            self.dialog.start(self.core.reports.registrations, coverage.month_of(day),
                              on_done=lambda r: self._show(kind, r), on_error=self._failed,
                              on_cancel=self._cancelled)
        else:
            self.dialog = None
            operations.run(self, self.runner, self.core.reports.flagged,
                           on_done=lambda r: self._show(kind, r), on_error=self._failed)

    def _new_dialog(self, label) -> ProgressDialog:
        if self.dialog is not None and not self.dialog.running:
            self.dialog.deleteLater()  # one finished dialog at a time, not one per run
        return ProgressDialog(self.runner, label, self)

    def _cancelled(self) -> None:
        self.run_button.setEnabled(True)
        self.message.set_message(self.tr("Cancelled."), "warning")

    def _failed(self, exc: BaseException) -> None:
        self.run_button.setEnabled(True)
        self.message.set_message(error_text(exc, self.session.lang))

    def _show(self, kind: str, report) -> None:
        self.run_button.setEnabled(True)
        self.report_kind, self.report = kind, report
        self.tables = self.build_tables(kind, report)
        lang = self.session.lang
        self._fill(self.main_table, self.main_title, self.tables[0] if self.tables else None)
        second = self.tables[1] if len(self.tables) > 1 else None
        self._fill(self.second_table, self.second_title, second)
        self.second_table.setVisible(second is not None)
        self.second_title.setVisible(second is not None)
        if kind in ("day", "month"):
            self.summary.setText(self.tr("%1 – %2: %3 receipts, net %4").replace(
                "%1", report.first.strftime("%d/%m/%Y")).replace(
                "%2", report.last.strftime("%d/%m/%Y")).replace(
                "%3", str(report.receipts)).replace("%4", format_money(report.total, lang)))
        elif kind == "registrations":
            self.summary.setText(self.tr("New registrations in %1: %2 · workers on this "
                                         "device: %3").replace("%1", report.month).replace(
                "%2", str(sum(r["new"] for r in report.by_kecamatan))).replace(
                "%3", str(sum(r["total"] for r in report.by_kecamatan))))
        else:
            self.summary.setText(self.tr("%1 payments flagged by the server.").replace(
                "%1", str(len(report))))
        if kind == "month" and report.by_day:
            self.chart.set_data([(r["day"][8:], r["net"]) for r in report.by_day],
                                fmt=lambda v: format_money(int(v), lang))
            self.chart.show()
        else:
            self.chart.hide()
        # Aggregates may be exported by anyone who sees reports; the flagged list names
        # participants, so it follows the "export participant lists" permission.
        self._set_export_enabled(bool(self.tables) and (
            kind != "flagged" or can(self.session.user, "export")))
        self.report_ready.emit(kind)

    def _fill(self, widget: QTableWidget, title: QLabel, table: Table | None) -> None:
        if table is None:
            widget.setRowCount(0)
            return
        title.setText(table.title)
        widget.setColumnCount(len(table.headers))
        widget.setHorizontalHeaderLabels(table.headers)
        widget.setRowCount(len(table.rows))
        lang = self.session.lang
        for r, row in enumerate(table.rows):
            for c, v in enumerate(row):
                text = format_money(v, lang) if c in table.money_columns and v is not None \
                    else ("" if v is None else str(v))
                item = QTableWidgetItem(text)
                if isinstance(v, int):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight |
                                          Qt.AlignmentFlag.AlignVCenter)
                widget.setItem(r, c, item)

    def build_tables(self, kind: str, report) -> list[Table]:
        if kind in ("day", "month"):
            kel = Table(self.tr("Per kelurahan"),
                        [self.tr("Kecamatan"), self.tr("Kelurahan"), self.tr("Receipts"), self.tr("Voids"),
                         self.tr("Cash"), self.tr("QRIS / transfer"), self.tr("Net")],
                        [[r["kecamatan"], r["name"], r["receipts"], r["voids"], r["cash"],
                          r["noncash"], r["net"]] for r in report.by_kelurahan], (4, 5, 6))
            users = Table(self.tr("Per user"),
                          [self.tr("User"), self.tr("Receipts"), self.tr("Voids"), self.tr("Net")],
                          [[r["name"], r["receipts"], r["voids"], r["net"]]
                           for r in report.by_user], (3,))
            tables = [kel, users]
            if kind == "month":
                tables.append(Table(self.tr("Per day"), [self.tr("Date"), self.tr("Receipts"), self.tr("Net")],
                                    [[r["day"], r["receipts"], r["net"]] for r in report.by_day],
                                    (2,)))
            return tables
        if kind == "registrations":
            return [Table(self.tr("Registrations per kecamatan"),
                          [self.tr("Kecamatan"), self.tr("New this month"), self.tr("All workers"),
                           self.tr("Active"), self.tr("Grace period"), self.tr("Inactive")],
                          [[r["name"], r["new"], r["total"], r["active"], r["grace"],
                            r["inactive"]] for r in report.by_kecamatan])]
        return [Table(self.tr("Flagged payments"),
                      [self.tr("Receipt"), self.tr("Collected at"), self.tr("Participant"), self.tr("Amount"),
                       self.tr("Method"), self.tr("Flag"), self.tr("Collected by")],
                      [[r["receipt_no"], format_stamp(r["collected_at"]), r["worker"],
                        r["amount"], r["method"], r["flag"], r["collected_by"]] for r in report],
                      (3,))]

    # --- exporting -----------------------------------------------------------------------

    def _file_stem(self) -> str:
        kind = self.report_kind
        day = self.selected_date()
        return {"day": f"setoran-{day.isoformat()}", "month": f"setoran-{day.isoformat()[:7]}",
                "registrations": f"registrasi-{day.isoformat()[:7]}",
                "flagged": "pembayaran-ditandai"}.get(kind or "", "laporan")

    def export(self, fmt: str) -> None:
        if not self.tables:
            return
        filters = {"xlsx": "Excel (*.xlsx)", "csv": "CSV (*.csv)", "pdf": "PDF (*.pdf)"}
        path = self.path_chooser(self, self.tr("Save report"), f"{self._file_stem()}.{fmt}",
                                 filters[fmt])
        if not path:
            return
        target = Path(path)
        rows = sum(len(t.rows) for t in self.tables)
        heading = self.heading()
        if fmt == "pdf":
            write_pdf(table_html(heading[0], " · ".join(heading[1:]), self.tables,
                                 self.session.lang), target, landscape=True)
            self._exported(target, rows)
            return
        self.dialog = self._new_dialog(lambda: self.tr("Exporting…"))
        writer = exports.write_xlsx if fmt == "xlsx" else exports.write_csv
        self.dialog.start(writer, target, list(self.tables), heading=heading,
                          on_done=lambda n: self._exported(target, n),
                          on_error=self._failed, on_cancel=self._cancelled)

    def heading(self) -> list[str]:
        """What an exported file is: the report, its period, who made it and when."""
        report = self.report
        if isinstance(report, Collections):  # a day or a month
            period = self.tr("Period: %1 – %2").replace(
                "%1", report.first.strftime("%d/%m/%Y")).replace("%2", report.last.strftime("%d/%m/%Y"))
        elif isinstance(report, Registrations):
            period = self.tr("Month: %1").replace("%1", f"{report.month[5:]}/{report.month[:4]}")
        else:
            period = self.tr("All payments flagged so far")
        made = self.tr("Made %1 by %2").replace(
            "%1", format_stamp(self.core.clock.stamp())).replace("%2", self.session.user.full_name)
        name = self.kind.itemText(self.kind.findData(self.report_kind))
        return [name, period, self.summary.text(), made]

    def _exported(self, path: Path, rows: int) -> None:
        self.last_path = path
        self.message.set_message(self.tr("Saved: %1").replace("%1", str(path)), "ok")
        operations.run(self, self.runner, self.core.reports.record_export, self.session.user,
                       self.report_kind or "", str(path), rows, on_error=self._failed)
