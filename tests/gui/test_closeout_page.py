"""Cash close-out screen: count, explain a variance, lock, hand over, print to PDF."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlmodel import select

from agent_app.store.models import Closeout, Payment
from agent_app.ui.closeout_page import CloseoutPage


def test_close_out_with_variance_handover_and_pdf(qtbot, core, runner, session, agent_user,
                                                 workers_factory, tmp_path):
    a, b = workers_factory(2)
    p1 = core.payments.collect(agent_user, a, 1, "cash")
    p2 = core.payments.collect(agent_user, b, 3, "cash")
    core.payments.collect(agent_user, b, 1, "qris")
    core.payments.void(agent_user, p2.id, "salah jumlah bulan")
    expected = p1.amount

    page = CloseoutPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1176, 700)
    page.path_chooser = lambda *args: str(tmp_path / "tutup-kas.pdf")
    page.show()
    qtbot.waitUntil(lambda: page.preview is not None)
    assert page.expected.text() == f"Rp {expected:,}".replace(",", ".")
    assert page.entries.rowCount() == 4
    assert "QRIS" in page.noncash.text()

    # Counted Rp 1.000 short: Enter moves on, the variance asks for an explanation.
    page.counted.setFocus()
    qtbot.keyClicks(page.counted, str(expected - 1000))
    assert "-Rp 1.000" in page.variance.text()
    qtbot.keyClick(page.counted, Qt.Key.Key_Return)
    assert page.explanation.hasFocus()
    qtbot.keyClick(page.explanation, Qt.Key.Key_Return)
    assert page.error.isVisible() and "5" in page.error.plain_text()
    assert not page.confirm.isVisible()
    qtbot.keyClicks(page.explanation, "uang kembalian kurang")
    qtbot.keyClick(page.explanation, Qt.Key.Key_Return)
    assert page.confirm.isVisible() and page.lock_button.hasFocus()
    with qtbot.waitSignal(page.closed, timeout=5000):
        qtbot.keyClick(page.lock_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.history_table.rowCount() == 1 and page.preview.entries == [])
    with core.db.read() as s:
        c = s.exec(select(Closeout)).one()
        assert (c.expected_cash, c.variance, c.explanation) == (expected, -1000,
                                                                "uang kembalian kurang")
        assert all(p.closeout_id == c.id for p in s.exec(select(Payment)))
    assert page.received_by.hasFocus()

    # Handover, once.
    qtbot.keyClicks(page.received_by, "Hj. Salmah")
    with qtbot.waitSignal(page.handed_over, timeout=5000):
        qtbot.keyClick(page.received_by, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Hj. Salmah" in page.history_table.item(0, 4).text())
    assert not page.handover_button.isEnabled()
    assert core.closeouts.get(c.id).handed_to == "Hj. Salmah"

    # Printable: the PDF holds the figures.
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (tmp_path / "tutup-kas.pdf").exists())
    pages = PdfReader(tmp_path / "tutup-kas.pdf").pages
    text = " ".join(" ".join(pg.extract_text() for pg in pages).split())
    assert "Tutup kas" in text
    assert f"Rp {expected:,}".replace(",", ".") in text
    assert "uang kembalian kurang" in text and "Hj. Salmah" in text
    assert p1.receipt_no in text


def test_nothing_to_close(qtbot, core, runner, session):
    page = CloseoutPage(core, runner, session)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.preview is not None)
    assert not page.close_button.isEnabled()
    assert page.expected.text() == "Rp 0"
