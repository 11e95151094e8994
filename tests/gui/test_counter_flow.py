"""The counter clerk's keyboard-only flow, from the main window, with key events only:

type the NIK in search, Enter opens the worker, Ctrl+P opens the payment, arrow keys pick
3 months, Enter saves, Enter prints (to a PDF, the injected printer), Esc closes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlmodel import select

from agent_app.store.models import Payment
from agent_app.ui import receipt
from agent_app.ui.payment_dialog import PaymentDialog
from tests.helpers.gui import make_worker

NIK = "7371010101900001"


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key on whatever has the keyboard focus, as the person's keyboard would."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClick(widget, key, modifier)


def type_text(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_keyboard_only_counter_flow(qtbot, core, agent_user, main_window, tmp_path, monkeypatch):
    worker_id = make_worker(core, agent_user, occupation="Ojek pangkalan")
    make_worker(core, agent_user, nik="7371010101900002")  # someone else on the list

    printed: list[Path] = []

    def print_to_pdf(parent, data, layout, lang, copy):
        printed.append(receipt.save_receipt_pdf(tmp_path / f"{data.receipt_no}.pdf", data,
                                                layout=layout, lang=lang, copy=copy))
        return True

    monkeypatch.setattr(PaymentDialog, "default_print_handler", print_to_pdf)

    main_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main_window, timeout=3000)

    # Ctrl+F, type the NIK, wait for the single match, Enter opens the worker.
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is main_window.worker_list.search
    type_text(qtbot, NIK)
    # The one matching row is on screen (the list loads rows lazily, after the count).
    model = main_window.worker_list.model
    qtbot.waitUntil(lambda: model.total == 1 and model.worker_id(0) == worker_id, timeout=5000)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: main_window.worker_page.detail is not None
                    and main_window.worker_page.worker_id == worker_id, timeout=5000)

    # Ctrl+P: the payment dialog, focus on the month choice.
    press(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), PaymentDialog), timeout=3000)
    dialog: PaymentDialog = QApplication.activeModalWidget()
    qtbot.waitUntil(lambda: dialog.view is not None
                    and QApplication.focusWidget() is dialog.period_buttons[1], timeout=5000)
    press(qtbot, Qt.Key.Key_Down)  # 1 -> 3 months
    assert dialog.months_ahead() == 3
    assert dialog.amount_labels["total"].text() == "Rp 25.200"

    # Enter saves; then the print button has the focus and Enter prints.
    with qtbot.waitSignal(dialog.payment_saved, timeout=5000):
        press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.print_button, timeout=5000)
    receipt_no = dialog.receipt_label.text()
    press(qtbot, Qt.Key.Key_Return)
    assert len(printed) == 1

    # Esc closes; the worker page shows the payment.
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)

    with core.db.read() as s:
        payments = list(s.exec(select(Payment).where(Payment.worker_id == worker_id)))
    assert len(payments) == 1
    assert payments[0].receipt_no == receipt_no
    assert json.loads(payments[0].months) == ["2026-11", "2026-12", "2027-01"]
    assert payments[0].amount == 25_200 and payments[0].collected_by == agent_user.id

    assert printed[0].is_file()
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(str(printed[0])).pages)
    assert receipt_no in text and "Rp 25.200" in text and "7371********0001" in text
