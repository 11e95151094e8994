"""Void dialog: a reason is required, the original stays, a reversal entry appears."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlmodel import select

from agent_app.store.models import Payment
from agent_app.ui.void_dialog import VoidDialog
from tests.helpers.gui import make_worker


def open_void(qtbot, core, runner, session, payment_id) -> VoidDialog:
    dialog = VoidDialog(core, runner, session, payment_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.original is not None, timeout=5000)
    return dialog


def test_void_with_reason_keeps_original_and_adds_reversal(qtbot, core, runner, session, agent_user):
    worker = make_worker(core, agent_user)
    payment = core.payments.collect(agent_user, worker, 1, "cash")
    dialog = open_void(qtbot, core, runner, session, payment.id)
    assert dialog.values["receipt"].text() == payment.receipt_no
    assert dialog.values["amount"].text() == "Rp 8.400"
    assert "7371********0001" in dialog.values["worker"].text()
    assert dialog.reason_edit.hasFocus()
    qtbot.keyClicks(dialog.reason_edit, "Sala")  # 4 characters: not enough
    assert not dialog.confirm_button.isEnabled()
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.reason_edit, "h bulan")
    assert dialog.confirm_button.isEnabled()
    with qtbot.waitSignal(dialog.payment_voided, timeout=5000) as voided:
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.void_receipt is not None, timeout=5000)
    with core.db.read() as s:
        rows = {p.id: p for p in s.exec(select(Payment))}
    assert set(rows) == {payment.id, voided.args[0]}
    assert rows[payment.id].amount == 8_400  # the original is untouched
    reversal = rows[voided.args[0]]
    assert reversal.kind == "void" and reversal.amount == -8_400
    assert reversal.voids_payment_id == payment.id and reversal.void_reason == "Salah bulan"
    assert dialog.void_receipt.receipt_no in dialog.message.plain_text()
    printed = []
    dialog.print_handler = lambda parent, data, layout, lang, copy: printed.append(data) or True
    qtbot.keyClick(dialog.print_button, Qt.Key.Key_Return)
    assert printed and printed[0].is_void and printed[0].void_reason == "Salah bulan"


def test_already_voided_is_explained(qtbot, core, runner, session, agent_user):
    worker = make_worker(core, agent_user)
    payment = core.payments.collect(agent_user, worker, 1, "cash")
    dialog = open_void(qtbot, core, runner, session, payment.id)
    core.payments.void(agent_user, payment.id, "voided elsewhere first")
    qtbot.keyClicks(dialog.reason_edit, "Dobel input")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=5000)
    assert dialog.message.plain_text() == f"Kuitansi {payment.receipt_no} sudah dibatalkan"
    assert dialog.message.severity == "error"
    with core.db.read() as s:
        assert len(list(s.exec(select(Payment)))) == 2  # the first void only


def test_agent_may_not_void_an_older_payment(qtbot, core, runner, session, agent_user, clock):
    worker = make_worker(core, agent_user)
    payment = core.payments.collect(agent_user, worker, 1, "cash")
    clock.advance(days=1)  # the next day: a supervisor's decision now
    dialog = open_void(qtbot, core, runner, session, payment.id)
    assert dialog.message.plain_text().startswith(
        "Anda hanya boleh membatalkan pembayaran yang Anda terima sendiri hari ini")
    assert not dialog.reason_edit.isEnabled() and not dialog.confirm_button.isEnabled()
