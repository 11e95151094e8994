"""Keyboard first: what a counter clerk does without the mouse.

Ctrl+N puts the NIK under the fingers at the top of the form, Enter saves a registration,
Tab leaves a table, every Alt+letter on a screen means one thing, and the receipt's paper
is remembered (Settings chooses the printer and the paper).
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from agent_app.settings import get_setting
from tests.gui.test_registration import NIK, fill_valid, worker_count
from tests.helpers.gui import show_active

MNEMONIC = re.compile(r"&([^&\s])")


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Alt+letter -> the visible controls it would reach (menu titles included)."""
    found: dict[str, list[str]] = {}

    def add(text: str, name: str) -> None:
        match = MNEMONIC.search(text or "")
        if match:
            found.setdefault(match.group(1).lower(), []).append(f"{name} {text!r}")

    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.window() is not window:
            continue
        if isinstance(w, QAbstractButton):
            add(w.text(), type(w).__name__)
        elif isinstance(w, QLabel) and w.buddy() is not None and w.buddy().isVisible():
            add(w.text(), "QLabel")
    if hasattr(window, "menuBar"):
        for action in window.menuBar().actions():
            add(action.text(), "menu")
    return found


def clashes(window: QWidget) -> dict[str, list[str]]:
    """Alt+letters that mean two things, or that lead to a field that takes no focus."""
    found = {k: v for k, v in mnemonics(window).items() if len(v) > 1}
    for label in window.findChildren(QLabel):
        buddy = label.buddy()
        if (label.isVisible() and buddy is not None and MNEMONIC.search(label.text())
                and buddy.focusPolicy() == Qt.FocusPolicy.NoFocus):
            found[f"{label.text()!r} (to a field that takes no focus)"] = [buddy.objectName()]
    return found


@pytest.fixture
def window(main_window):
    main_window.resize(1366, 700)
    return main_window


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_alt_letter_on_a_screen_means_one_thing(qtbot, window, session, lang):
    """Alt+C was both "Ekspor CSV" and "Cetak ke PDF" on Laporan; Alt+K on "Kunci tutup kas"
    did nothing beside "Kembali"."""
    from agent_app.ui.main_window import NAV

    session.set_language(lang)
    problems = {}
    for key in NAV:
        window.go(key)
        qtbot.wait(20)
        problems.update({f"{key}: Alt+{k}": v for k, v in clashes(window).items()})
    closeout = window.lazy["closeout"]
    window.go("closeout")
    closeout.confirm.show()  # the lock confirmation is on screen with the rest
    problems.update({f"closeout (confirm): Alt+{k}": v for k, v in clashes(window).items()})
    closeout.confirm.hide()
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
    session.set_language("id")


def test_alt_k_locks_the_close_out(qtbot, window, core, agent_user, workers_factory):
    worker = workers_factory(1)[0]
    core.payments.collect(agent_user, worker, 1, "cash")
    window.go("closeout")
    page = window.lazy["closeout"]
    qtbot.waitUntil(lambda: page.preview is not None and page.close_button.isEnabled(),
                    timeout=5000)
    page.counted.setFocus()
    qtbot.keyClicks(page.counted, str(page.preview.expected_cash))
    qtbot.keyClick(page.counted, Qt.Key.Key_Return)  # to the explanation
    qtbot.keyClick(page.explanation, Qt.Key.Key_Return)  # close out: asks to confirm
    assert page.confirm.isVisible()
    with qtbot.waitSignal(page.closed, timeout=5000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)


def test_ctrl_n_puts_the_typing_into_the_nik_at_the_top(qtbot, window):
    window.new_registration()
    page = window.registration
    page.scroll_area.verticalScrollBar().setValue(page.scroll_area.verticalScrollBar().maximum())
    window.slots["register"].verticalScrollBar().setValue(200)
    window.show_list()
    qtbot.keyClick(window.worker_list.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.scroll_area.verticalScrollBar().value() == 0
    assert window.slots["register"].verticalScrollBar().value() == 0
    qtbot.keyClicks(QApplication.focusWidget(), "7371")
    assert page.nik_edit.text() == "7371"


def test_enter_saves_a_registration(qtbot, window, core):
    window.new_registration()
    page = window.registration
    fill_valid(qtbot, page)
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=3000)
    page.address_edit.setFocus()
    with qtbot.waitSignal(page.worker_saved, timeout=5000):
        qtbot.keyClick(page.address_edit, Qt.Key.Key_Return)
    assert worker_count(core) == 1
    assert core.workers.find_by_nik(NIK) is not None


def test_tab_leaves_the_payments_table_for_the_void_button(qtbot, core, runner, session,
                                                          agent_user, workers_factory):
    from agent_app.ui.worker_page import WorkerPage

    worker = workers_factory(1)[0]
    core.payments.collect(agent_user, worker, 1, "cash")
    page = WorkerPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    show_active(qtbot, page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.load(worker)
    page.payments.selectRow(0)  # the payment
    page.payments.setFocus()
    assert page.void_button.isEnabled()
    qtbot.keyClick(page.payments, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.void_button


def test_the_receipt_paper_is_remembered(qtbot, core, runner, session, workers_factory):
    from agent_app.ui.payment_dialog import PaymentDialog

    worker = workers_factory(1)[0]
    dialog = PaymentDialog(core, runner, session, worker)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(dialog.payment_saved, timeout=5000):
        qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=5000)
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("58mm"))
    qtbot.waitUntil(lambda: get_setting(core.db, "receipt_layout") == "58mm", timeout=5000)
    dialog.accept()

    again = PaymentDialog(core, runner, session, worker)
    qtbot.addWidget(again)
    assert again.layout_key() == "58mm"  # no three extra keys per receipt on a 58 mm printer


def test_settings_choose_the_printer_and_the_paper(qtbot, core, runner, session):
    from agent_app.ui.settings_dialog import SettingsPage

    page = SettingsPage(core, runner, session)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.paper.isEnabled(), timeout=5000)
    assert page.printer.itemText(0) == "Printer bawaan sistem"
    page.paper.setCurrentIndex(page.paper.findData("80mm"))
    qtbot.waitUntil(lambda: get_setting(core.db, "receipt_layout") == "80mm", timeout=5000)
    assert session.receipt_layout == "80mm"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_alt_letter_in_a_dialog_means_one_thing(qtbot, core, runner, session,
                                                      supervisor_session, agent_user,
                                                      workers_factory, lang):
    from agent_app.ui.import_dialog import ImportDialog
    from agent_app.ui.login import FirstUserDialog, SignInDialog
    from agent_app.ui.payment_dialog import PaymentDialog, ReprintDialog
    from agent_app.ui.privacy_dialogs import CorrectionDialog, DataCopyDialog, DeletionRequestDialog
    from agent_app.ui.void_dialog import VoidDialog

    session.set_language(lang)
    supervisor_session.set_language(lang)
    worker = workers_factory(1)[0]
    payment = core.payments.collect(agent_user, worker, 1, "cash")
    dialogs = [SignInDialog(core, runner, lang=lang), FirstUserDialog(core, runner, lang=lang),
               PaymentDialog(core, runner, session, worker),
               ReprintDialog(core, runner, session, payment.id),
               VoidDialog(core, runner, session, payment.id),
               ImportDialog(core, runner, supervisor_session),
               CorrectionDialog(core, runner, supervisor_session, worker),
               DataCopyDialog(core, runner, session, worker),
               DeletionRequestDialog(core, runner, session, worker)]
    problems = {}
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        problems.update({f"{dialog.objectName()}: Alt+{k}": v for k, v in clashes(dialog).items()})
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
    session.set_language("id")


def test_ctrl_and_a_number_opens_every_page(qtbot, window):
    """The page list on the left takes no focus: without these, a keyboard could not reach
    Tutup Kas or Laporan."""
    from agent_app.ui.main_window import NAV

    hidden = 0
    for number, key in enumerate(NAV, start=1):
        before = window.nav.currentRow()
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        if window.nav.item(number - 1).isHidden():  # not for this role: nothing opens
            hidden += 1
            assert window.nav.currentRow() == before, key
            continue
        assert window.nav.currentRow() == number - 1, key
        assert window.isAncestorOf(QApplication.focusWidget()), key
    assert hidden  # the agent's window has a page it may not open
