"""Payment dialog: amounts from the fee engine, months shown, saved once, receipt output."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from sqlmodel import select

from agent_app.store.models import AuditEntry, OutboxOp, Payment
from agent_app.ui.payment_dialog import PaymentDialog
from tests.helpers.gui import make_worker, pdf_text


def open_dialog(qtbot, core, runner, session, worker_id) -> PaymentDialog:
    dialog = PaymentDialog(core, runner, session, worker_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=5000)
    return dialog


def test_amounts_follow_the_fee_engine_and_the_discount(qtbot, core, runner, session, agent_user):
    # Nov 2026 (FixedClock): PP 50/2025 halves JKK+JKM for transport and other sectors.
    transport = make_worker(core, agent_user, occupation="Ojek pangkalan")
    dialog = open_dialog(qtbot, core, runner, session, transport)
    assert dialog.worker_name.text() == "Budi Santoso"
    assert "7371********0001" in dialog.worker_info.text()
    assert "7371010101900001" not in dialog.worker_info.text()
    assert dialog.period_spans[1].text() == "Nov 2026"
    assert dialog.period_spans[3].text() == "Nov 2026 – Jan 2027"
    assert dialog.amount_labels["total"].text() == "Rp 8.400"
    assert dialog.amount_labels["jkk"].text() == "Rp 5.000"
    assert dialog.amount_labels["jkm"].text() == "Rp 3.400"
    assert not dialog.amount_labels["jht"].isVisible()
    assert "PP 50/2025" in dialog.discount_note.text()
    # Changing the choice updates the total at once: transport keeps the discount to Mar 2027.
    dialog.period_buttons[3].click()
    assert dialog.amount_labels["total"].text() == "Rp 25.200"
    quote = core.payments.quote(transport, core.payments.options(transport).choices[12])
    dialog.period_buttons[12].click()
    assert dialog.amount_labels["total"].text() == f"Rp {quote.total:,}".replace(",", ".")


def test_city_funded_worker_pays_full_rate(qtbot, core, runner, session, agent_user):
    # APBD-funded JKK/JKM are excluded from the PP 50/2025 discount: Rp 16.800 a month.
    worker = make_worker(core, agent_user, programmes={"jkk": "apbd", "jkm": "apbd"})
    dialog = open_dialog(qtbot, core, runner, session, worker)
    assert dialog.amount_labels["total"].text() == "Rp 16.800"
    assert dialog.amount_labels["jkk"].text() == "Rp 10.000"
    assert dialog.amount_labels["jkm"].text() == "Rp 6.800"
    assert dialog.discount_note.isHidden()


def test_other_sector_discount_ends_in_december(qtbot, core, runner, session, agent_user):
    worker = make_worker(core, agent_user, occupation="Pedagang pasar")
    dialog = open_dialog(qtbot, core, runner, session, worker)
    assert dialog.period_totals[1].text() == "Rp 8.400"
    # Nov + Dec discounted (8.400 each), Jan 2027 full (16.800).
    assert dialog.period_totals[3].text() == "Rp 33.600"


def test_save_with_keys_then_pdf_receipt(qtbot, core, runner, session, agent_user, tmp_path):
    worker = make_worker(core, agent_user, occupation="Ojek pangkalan")
    dialog = open_dialog(qtbot, core, runner, session, worker)
    assert dialog.period_buttons[1].hasFocus()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Down)  # 1 -> 3 months
    assert dialog.months_ahead() == 3
    with qtbot.waitSignal(dialog.payment_saved, timeout=5000) as saved:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)  # a nervous double Enter
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=5000)
    payment_id = saved.args[0]
    with core.db.read() as s:
        payments = list(s.exec(select(Payment)))
        assert [p.id for p in payments] == [payment_id]  # collected once
        assert json.loads(payments[0].months) == ["2026-11", "2026-12", "2027-01"]
        assert payments[0].amount == 25_200 and payments[0].method == "cash"
        assert s.exec(select(OutboxOp).where(OutboxOp.entity_id == payment_id)).one().kind == "payment.collect"
        assert s.exec(select(AuditEntry).where(AuditEntry.entity_id == payment_id)).one().action == "payment.collect"
    receipt_no = dialog.receipt_label.text()
    assert receipt_no.startswith("PA-") and receipt_no == payments[0].receipt_no
    assert dialog.print_button.hasFocus() and dialog.print_button.isDefault()
    # All in Bahasa Indonesia (these four stayed English: lupdate could not see them).
    assert [dialog.layout_caption.text(), dialog.print_button.text(), dialog.pdf_button.text(),
            dialog.layout_combo.itemText(1)] == ["&Kertas:", "Cetak kuitansi", "Simpan PDF",
                                                 "Termal 80 mm"]

    target = tmp_path / "out" / "kuitansi.pdf"
    dialog.pdf_path_chooser = lambda parent, suggested: str(target)
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("80mm"))
    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    text = pdf_text(target)
    assert receipt_no in text and "Rp 25.200" in text and "7371********0001" in text
    assert "7371010101900001" not in text
    assert dialog.output_status.plain_text() == f"Tersimpan: {target}"

    printed = []
    dialog.print_handler = lambda parent, data, layout, lang, copy: printed.append(
        (data.receipt_no, layout, copy)) or True
    qtbot.keyClick(dialog.print_button, Qt.Key.Key_Return)
    assert printed == [(receipt_no, "80mm", False)]
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_arrears_are_shown_and_included(qtbot, core, runner, session, agent_user, clock):
    worker = make_worker(core, agent_user)
    # Registered in Nov 2026; three months later nothing is paid yet.
    clock.moment = clock.moment.replace(year=2027, month=2, day=10)
    dialog = open_dialog(qtbot, core, runner, session, worker)
    assert dialog.arrears_note.isVisible()
    assert "Nov 2026 – Jan 2027" in dialog.arrears_note.text()
    assert dialog.period_spans[3].text() == "Nov 2026 – Jan 2027"
    assert dialog.period_spans[6].text() == "Nov 2026 – Apr 2027"
