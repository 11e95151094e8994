"""Follow-up screen: urgency order, reminder text to copy, contacted mark, paging."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from sqlmodel import select

from agent_app.store.models import AuditEntry, FollowupContact
from agent_app.ui.followup_page import PAGE, FollowupPage


def test_list_reminder_and_contacted(qtbot, core, runner, session, workers_factory):
    # Today 24/11/2026: Oct = grace 1 month, Aug = last grace month, Nov = ends this month.
    workers_factory(2, paid_through="2026-11", registration_month="2025-01", start=0)
    workers_factory(1, paid_through="2026-08", registration_month="2025-01", start=10,
                    full_name="Sitti Tenggang")
    workers_factory(1, paid_through="2026-10", registration_month="2025-01", start=20)
    # Paid ahead: not listed.
    workers_factory(1, paid_through="2027-02", registration_month="2025-01", start=30)
    page = FollowupPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1176, 700)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    assert "4 perlu dihubungi" in page.counts.text()
    first = page.model.rows[0]
    assert first.full_name == "Sitti Tenggang"
    assert page.model.index(0, 0).data() == "Tenggang: 3 bulan belum bayar"
    assert page.model.index(3, 0).data() == "Berakhir bulan ini"
    # The first row is selected: its reminder is ready, in Bahasa Indonesia.
    qtbot.waitUntil(lambda: "Sitti Tenggang" in page.reminder.toPlainText())
    text = page.reminder.toPlainText()
    assert "September 2026 s.d. November 2026 (3 bulan)" in text and "Rp " in text
    # Where to pay is part of the message.
    page.place.selectAll()
    qtbot.keyClicks(page.place, "Koperasi Mariso")
    assert "Pembayaran dapat dilakukan di Koperasi Mariso" in page.reminder.toPlainText()
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == page.reminder.toPlainText()

    # Mark contacted with a note; the mark shows at once and is stored and audited.
    qtbot.keyClicks(page.note, "ditelepon, bayar Jumat")
    qtbot.keyClick(page.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.index(0, 7).data() == "24/11/2026")
    with core.db.read() as s:
        contact = s.exec(select(FollowupContact)).one()
        assert contact.note == "ditelepon, bayar Jumat" and contact.worker_id == first.worker_id
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "followup.contacted")).one()

    # Enter on a row opens the worker.
    page.table.setFocus()
    with qtbot.waitSignal(page.worker_opened, timeout=2000) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [first.worker_id]

    # Only the uncontacted ones.
    page.uncontacted.setFocus()
    qtbot.keyClick(page.uncontacted, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert all(r.full_name != "Sitti Tenggang" for r in page.model.rows)


def test_pages_as_the_view_scrolls(qtbot, core, runner, session, workers_factory):
    workers_factory(PAGE + 30, paid_through="2026-10", registration_month="2025-01")
    page = FollowupPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1176, 700)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == PAGE)
    assert page.model.total == PAGE + 30
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == PAGE + 30)
    assert len({r.worker_id for r in page.model.rows}) == PAGE + 30
