"""Reports screen: run, read the tables, export XLSX/CSV/PDF and read them back; cancel."""

from __future__ import annotations

import csv
import threading

from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlmodel import select

from agent_app.services.reports import Cancelled
from agent_app.store.models import AuditEntry, Payment
from agent_app.ui.progress import ProgressDialog
from agent_app.ui.reports_page import ReportsPage


def rp(n: int) -> str:
    return f"Rp {n:,}".replace(",", ".")


def make_page(qtbot, core, runner, session, tmp_path):
    page = ReportsPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1176, 700)
    page.path_chooser = lambda _p, _t, suggested, _f: str(tmp_path / suggested)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    return page


def test_monthly_collections_and_exports(qtbot, core, runner, session, agent_user,
                                         workers_factory, tmp_path, clock):
    a, b = workers_factory(2)
    p1 = core.payments.collect(agent_user, a, 1, "cash")
    p2 = core.payments.collect(agent_user, b, 3, "qris")
    clock.advance(days=-3)
    p3 = core.payments.collect(agent_user, a, 1, "cash")
    core.payments.void(agent_user, p3.id, "salah orang")
    page = make_page(qtbot, core, runner, session, tmp_path)

    page.kind.setFocus()
    qtbot.keyClick(page.kind, Qt.Key.Key_Down)  # "Iuran bulanan"
    assert page.kind.currentData() == "month"
    qtbot.keyClick(page, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: page.report is not None or page.message.isVisible(), timeout=10000)
    assert page.message.plain_text() == ""
    net = p1.amount + p2.amount
    assert page.summary.text() == f"01/11/2026 – 30/11/2026: 3 kuitansi, bersih {rp(net)}"
    assert page.main_table.rowCount() == 1
    row = [page.main_table.item(0, c).text() for c in range(7)]
    assert row == ["Mariso", "Bontorannu", "3", "1", rp(p1.amount), rp(p2.amount), rp(net)]
    assert page.second_table.item(0, 0).text() == "Besse Agen"
    assert page.chart.isVisible() and ("21", 0) in page.chart.items

    # XLSX: one sheet per table under the report's name and period, money as numbers.
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    xlsx = tmp_path / "setoran-2026-11.xlsx"
    qtbot.waitUntil(lambda: page.last_path == xlsx, timeout=10000)
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Per kelurahan", "Per petugas", "Per hari"]
    sheet = wb["Per kelurahan"]
    assert [sheet.cell(r, 1).value for r in (1, 2)] == [
        "Iuran bulanan", "Periode: 01/11/2026 – 30/11/2026"]  # a file says what it holds
    assert sheet.cell(4, 1).value == "Dibuat 21/11/2026 10:00 WITA oleh Besse Agen"
    assert [c.value for c in sheet[6]][:2] == ["Kecamatan", "Kelurahan"]
    assert [c.value for c in sheet[7]] == ["Mariso", "Bontorannu", 3, 1, p1.amount, p2.amount, net]
    days = {r[0].value: r[2].value for r in wb["Per hari"].iter_rows(min_row=7)}
    assert days == {"2026-11-21": 0, "2026-11-24": net}

    # CSV: every table (it held only the first), under the report's name and period.
    qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    csv_path = tmp_path / "setoran-2026-11.csv"
    qtbot.waitUntil(lambda: page.last_path == csv_path, timeout=10000)
    with open(csv_path, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[:2] == [["Iuran bulanan"], ["Periode: 01/11/2026 – 30/11/2026"]]
    assert ["Mariso", "Bontorannu", "3", "1", str(p1.amount), str(p2.amount), str(net)] in rows
    assert [["Per kelurahan"], ["Per petugas"], ["Per hari"]] == [r for r in rows if r in (
        ["Per kelurahan"], ["Per petugas"], ["Per hari"])]
    assert ["Besse Agen", "3", "1", str(net)] in rows and ["2026-11-24", "2", str(net)] in rows

    # PDF: printable, readable.
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    pdf = tmp_path / "setoran-2026-11.pdf"
    qtbot.waitUntil(lambda: page.last_path == pdf, timeout=10000)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Iuran bulanan" in text and "Bontorannu" in text and rp(net) in text
    # Exports are logged (UU PDP).
    qtbot.waitUntil(lambda: _exports(core) == 3)


def _exports(core) -> int:
    with core.db.read() as s:
        return len(list(s.exec(select(AuditEntry).where(AuditEntry.action == "export"))))


def test_registrations_and_flagged(qtbot, core, runner, session, agent_user, workers_factory,
                                   tmp_path):
    [a] = workers_factory(1)
    pay = core.payments.collect(agent_user, a, 1, "cash")
    with core.db.write() as s:
        row = s.get(Payment, pay.id)
        row.server_flag = "possible_double_collection"
        s.add(row)
    page = make_page(qtbot, core, runner, session, tmp_path)
    page.kind.setCurrentIndex(2)
    with qtbot.waitSignal(page.report_ready, timeout=10000):
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    rows = {page.main_table.item(r, 0).text(): page.main_table.item(r, 1).text()
            for r in range(page.main_table.rowCount())}
    assert rows["Mariso"] == "1" and len(rows) == len(core.ref.kecamatan)
    page.kind.setCurrentIndex(3)
    assert not page.date.isEnabled()
    with qtbot.waitSignal(page.report_ready, timeout=10000):
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.main_table.rowCount() == 1
    assert page.main_table.item(0, 0).text() == pay.receipt_no
    assert page.main_table.item(0, 5).text() == "possible_double_collection"
    # The list names participants: only a supervisor may export it.
    assert not page.xlsx_button.isEnabled() and not page.csv_button.isEnabled()


def test_progress_dialog_cancels_long_work(qtbot, runner, session):
    """Long work reports progress, the window stays live, Escape cancels it."""
    started = threading.Event()

    def long_work(*, progress, cancel):
        for i in range(1000):
            if cancel.cancelled:
                raise Cancelled()
            progress(i, 1000)
            started.set()
            threading.Event().wait(0.01)
        return "done"

    dialog = ProgressDialog(runner, "Bekerja…", delay_ms=50)
    qtbot.addWidget(dialog)
    cancelled = []
    dialog.start(long_work, on_done=lambda r: cancelled.append(r),
                 on_cancel=lambda: cancelled.append("cancelled"))
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.bar.value() > 5)
    assert dialog.bar.maximum() == 1000
    assert dialog.cancel_button.text() == "Batal"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: cancelled == ["cancelled"])
    assert not dialog.isVisible()
