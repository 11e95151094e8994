"""A counter clerk's whole shift, with the keyboard, on one laptop screen.

Sign in; register a worker; collect a contribution and save its receipt as a PDF; void it;
find the worker again; close out the cash and record the hand-over; register and collect
again (after a hand-over nothing could be saved once); leave a registration half typed and
quit; start again; finish the draft; sync with the real central server on 127.0.0.1.

At every page and dialog on the way: it fits the screen, and every button the shift
needs can be seen and reached with Tab.

Not collected with the suite on its own: ``test_day.py`` runs it at 1366x768 at 100 % and
150 %, each in a process of its own (Qt fixes the scale when the application starts).
Screenshots go to $PERISAI_SHOTS when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlmodel import select

from agent_app.app import build_main_window, start_sync
from agent_app.services.base import set_meta
from agent_app.services.centre import SERVER_URL_KEY
from agent_app.services.core import AgentCore
from agent_app.services.drafts import load_draft
from agent_app.store.models import OutboxOp, Payment
from agent_app.ui.i18n import install_translator
from agent_app.ui.login import SignInDialog
from agent_app.ui.main_window import NAV
from agent_app.ui.payment_dialog import PaymentDialog
from agent_app.ui.session import UiSession
from agent_app.ui.style import apply_style
from agent_app.ui.tasks import TaskRunner
from sync import headless
from tests.helpers.screen import cut_off, misfits, save_shot, unreachable, window_area

from .conftest import NOW, PASSWORD

pytestmark = [
    pytest.mark.skipif(not os.environ.get("PERISAI_SCREEN"),
                       reason="runs in a process of its own per screen size: test_day.py starts it"),
    pytest.mark.qt_log_ignore("This plugin does not support"),
]

USERNAME = "agen2"
FIRST = "7371014501900001"  # Mariso, a woman born 05/01/1990
SECOND = "7371010203850002"  # a man born 02/03/1985
THIRD = "7371016607920003"  # a woman born 26/07/1992
STEP = [0]
WAIT = 20000  # ms: a step waits this long at most (the suite shares two cores); never slower when it works


def key(qtbot, key_name: str, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A key, where the keyboard focus is (as a person presses it)."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    assert target is not None, "no window has the keyboard"
    qtbot.keyClick(target, getattr(Qt.Key, f"Key_{key_name}"), modifiers)


def back_to(qtbot, window) -> None:
    """A dialog closed: its window is active again (the offscreen platform has no window
    manager to give the activation back, as a desktop's does)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)


def alt(qtbot, letter: str) -> None:
    key(qtbot, letter.upper(), Qt.KeyboardModifier.AltModifier)


def ctrl(qtbot, key_name: str) -> None:
    key(qtbot, key_name, Qt.KeyboardModifier.ControlModifier)


def open_page(qtbot, window, key_name: str):
    """Ctrl+<its number>: the page opens (the list of pages on the left takes no focus)."""
    number = NAV.index(key_name) + 1
    ctrl(qtbot, str(number))
    assert window.nav.currentRow() == number - 1, f"Ctrl+{number} did not open {key_name}"
    return window.lazy.get(key_name)


def typed(qtbot, text: str) -> None:
    """Typing where the focus is, which the person must be able to see."""
    target = QApplication.focusWidget()
    problem = cut_off(target)
    assert problem is None, f"{target.objectName() or type(target).__name__} has the typing: {problem}"
    qtbot.keyClicks(target, text)


def looked_at(window, needed, name: str) -> None:
    """This page or dialog fits and its buttons can be reached; a screenshot."""
    for _ in range(3):
        QApplication.processEvents()
    STEP[0] += 1
    save_shot(window, f"day-{STEP[0]:02d}-{name}")
    problems = misfits(window) + unreachable(window, needed)
    assert not problems, f"{name}: " + "; ".join(problems)


def dialog_of(qtbot, cls):
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), cls), timeout=WAIT)
    return QApplication.activeModalWidget()


@pytest.fixture
def laptop(tmp_path, central, qapp):
    """A counter laptop whose agent signed in online once (``perisai-agent login``)."""
    from agent_app.services.base import FixedClock

    apply_style(qapp)
    install_translator(qapp, "id")
    path = tmp_path / "data" / "perisai.db"
    core = AgentCore.open(path, clock=FixedClock(NOW))
    with open(os.devnull, "w") as out:
        assert headless.login(core, central.base_url, USERNAME, PASSWORD, out=out) == 0
    with core.db.write() as s:
        set_meta(s, SERVER_URL_KEY, central.base_url)
    core.close()
    yield path
    install_translator(qapp, "en")


def start(qtbot, path: Path):
    """The app starting: sign in with the keyboard, then the main window and its sync."""
    from agent_app.services.base import FixedClock

    core = AgentCore.open(path, clock=FixedClock(NOW))
    runner = TaskRunner()
    dialog = SignInDialog(core, runner, lang="id")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.username.hasFocus() or QApplication.activeWindow() is dialog,
                    timeout=WAIT)
    dialog.username.setFocus()
    looked_at(dialog, [dialog.username, dialog.password, dialog.submit_button], "sign-in")
    dialog.username.setFocus()
    typed(qtbot, USERNAME)
    key(qtbot, "Tab")
    typed(qtbot, PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        key(qtbot, "Return")
    session = UiSession(dialog.user, "id")
    session.set_language("id")
    window = build_main_window(core, runner, session)
    qtbot.addWidget(window)
    window.resize(*window_area())  # maximised on the laptop
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    with core.db.read() as s:
        from agent_app.services.base import get_meta

        url = get_meta(s, SERVER_URL_KEY)
    controller = start_sync(window, core, session, url)
    return core, runner, window, controller


def stop(window, controller, runner, core) -> None:
    controller.shutdown()
    window.shutdown()
    runner.shutdown()
    core.close()


def register(qtbot, window, nik: str, name: str, *, finish: bool = True) -> None:
    """Ctrl+N and the form filled with its Alt+letters, as a clerk does with a KTP."""
    ctrl(qtbot, "N")
    page = window.registration
    assert page.nik_edit.hasFocus()
    if page.nik_edit.text() != nik:
        typed(qtbot, nik)
    assert page.birth_edit.value() is not None  # filled from the NIK
    alt(qtbot, "m")  # Nama lengkap
    if page.name_edit.text() != name:
        typed(qtbot, name)
    if not finish:
        return
    alt(qtbot, "h")  # Nomor HP
    typed(qtbot, "081234567890")
    alt(qtbot, "a")  # Alamat
    typed(qtbot, "Jl. Nuri No. 5")
    alt(qtbot, "u")  # Kelurahan
    typed(qtbot, "Bontoranu")  # as people spell it; the suggestions open
    popup = page.kelurahan.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # picks the suggestion (Enter does not save)
    assert page.kelurahan.code == "73710101001"
    alt(qtbot, "j")  # Pekerjaan
    typed(qtbot, "Ojek")
    key(qtbot, "Space")
    assert page.occupations.selected == ["Ojek pangkalan"]
    alt(qtbot, "g")  # Penghasilan
    typed(qtbot, "1500000")
    alt(qtbot, "y")  # Peserta menyetujui: ticks it (a button's Alt+letter clicks it)
    qtbot.waitUntil(page.consent_check.isChecked, timeout=WAIT)
    looked_at(window, [page.nik_edit, page.consent_check, page.clear_button, page.save_button],
              "registration")
    page.income_edit.setFocus()
    with qtbot.waitSignal(window.worker_page.loaded, timeout=WAIT):
        key(qtbot, "Return")  # Enter saves; the new worker's page opens


def collect(qtbot, window, tmp_path: Path) -> str:
    """Ctrl+P, Enter, then the receipt as a PDF; returns its receipt number."""
    ctrl(qtbot, "P")
    dialog = dialog_of(qtbot, PaymentDialog)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT)
    looked_at(dialog, [*dialog.period_buttons.values(), *dialog.method_buttons.values(),
                       dialog.cancel_button, dialog.save_button], "payment")
    key(qtbot, "Return")
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=WAIT)
    looked_at(dialog, [dialog.layout_combo, dialog.print_button, dialog.pdf_button,
                       dialog.close_button], "receipt")
    assert dialog.print_button.hasFocus()
    key(qtbot, "Tab")
    assert dialog.pdf_button.hasFocus()
    key(qtbot, "Space")
    number = dialog.receipt.receipt_no
    pdf = tmp_path / f"Kuitansi-{number}.pdf"
    qtbot.waitUntil(pdf.exists, timeout=WAIT)
    assert number in PdfReader(pdf).pages[0].extract_text()
    key(qtbot, "Escape")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    back_to(qtbot, window)
    return number


def test_a_whole_day_at_the_counter(qtbot, tmp_path, laptop, central):
    PaymentDialog.default_pdf_path_chooser = lambda _parent, name: str(tmp_path / name)
    core, runner, window, controller = start(qtbot, laptop)
    qtbot.waitUntil(lambda: controller.state == "up_to_date", timeout=WAIT)
    looked_at(window, [window.worker_list.search, window.worker_list.table], "start")

    # Morning: a new participant, her first contribution, its receipt as a PDF.
    register(qtbot, window, FIRST, "Sitti Rahmawati")
    page = window.worker_page
    looked_at(window, [page.back_button, page.pay_button, page.payments, page.void_button,
                       page.reprint_button, page.correct_button], "worker")
    collect(qtbot, window, tmp_path)

    # A mistake: the payment is voided, from the table with the keyboard only.
    qtbot.waitUntil(lambda: page.payments.rowCount() == 1, timeout=WAIT)
    page.payments.setFocus()
    page.payments.selectRow(0)
    key(qtbot, "Tab")
    assert page.void_button.hasFocus()
    key(qtbot, "Space")
    from agent_app.ui.void_dialog import VoidDialog

    void = dialog_of(qtbot, VoidDialog)
    qtbot.waitUntil(lambda: void.original is not None and void.reason_edit.hasFocus(),
                    timeout=WAIT)  # the payment it voids is shown
    looked_at(void, [void.reason_edit, void.cancel_button, void.confirm_button], "void")
    typed(qtbot, "salah pilih bulan")
    key(qtbot, "Return")
    qtbot.waitUntil(lambda: void.void_receipt is not None or not void.busy, timeout=WAIT)
    assert void.void_receipt is not None, f"not voided: {void.message.text()!r}"
    qtbot.waitUntil(lambda: void.close_button.isVisible(), timeout=WAIT)
    key(qtbot, "Escape")
    back_to(qtbot, window)

    # She comes back: found by name, paid again.
    ctrl(qtbot, "F")
    typed(qtbot, "rahmawati")
    model = window.worker_list.model
    qtbot.waitUntil(lambda: model.total == 1 and model.row_at(0) is not None, timeout=WAIT)
    key(qtbot, "Down")
    with qtbot.waitSignal(window.worker_page.loaded, timeout=WAIT):
        key(qtbot, "Return")
    collect(qtbot, window, tmp_path)

    # Noon: cash close-out and hand-over.
    closeout = open_page(qtbot, window, "closeout")
    qtbot.waitUntil(lambda: closeout.preview is not None and closeout.close_button.isEnabled(),
                    timeout=WAIT)
    looked_at(window, [closeout.counted, closeout.explanation, closeout.close_button],
              "closeout")
    closeout.counted.setFocus()
    typed(qtbot, str(closeout.preview.expected_cash))
    key(qtbot, "Return")  # to the explanation
    key(qtbot, "Return")  # close out: it asks to confirm
    assert closeout.confirm.isVisible()
    looked_at(window, [closeout.lock_button, closeout.back_button], "closeout-confirm")
    with qtbot.waitSignal(closeout.closed, timeout=WAIT):
        alt(qtbot, "k")  # Kunci tutup kas
    qtbot.waitUntil(lambda: closeout.received_by.hasFocus(), timeout=WAIT)
    looked_at(window, [closeout.received_by, closeout.handover_button, closeout.pdf_button],
              "handover")
    typed(qtbot, "Wati Bendahara")
    with qtbot.waitSignal(closeout.handed_over, timeout=WAIT):
        key(qtbot, "Return")

    # Afternoon: after the hand-over, saving goes on (it once failed with "gkpj").
    register(qtbot, window, SECOND, "Baso Daeng Tika")
    collect(qtbot, window, tmp_path)

    # Evening: a registration half typed, then Ctrl+Q; the draft is kept.
    register(qtbot, window, THIRD, "Nurhayati Hamzah", finish=False)
    ctrl(qtbot, "Q")
    box = dialog_of(qtbot, QMessageBox)
    looked_at(box, box.buttons(), "quit-question")
    key(qtbot, "Return")  # the default: quit, keep the draft
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
    stop(window, controller, runner, core)

    # Next morning: the app again; the draft is back and finished.
    core, runner, window, controller = start(qtbot, laptop)
    user_id = window.session.user.id
    assert load_draft(core.db, user_id, "registration")["values"]["nik"] == THIRD
    register(qtbot, window, THIRD, "Nurhayati Hamzah")
    qtbot.waitUntil(lambda: load_draft(core.db, user_id, "registration") is None, timeout=WAIT)

    # Everything reaches the centre, once; nothing is left behind.
    key(qtbot, "S", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: controller.state == "up_to_date" and window.status.pending == 0,
                    timeout=60000)
    assert window.status.sync_label.text() == "Sudah sinkron"
    assert window.status.sync_label.shown_text() == "Sudah sinkron"  # read whole
    last = window.status.last_sync_label  # its day, hour and minutes can be read
    when = last.text().split(": ", 1)[1]
    assert when[:len("DD/MM HH:MM")] in last.shown_text(), last.shown_text()
    open_page(qtbot, window, "workers")  # the list, as the day ends
    looked_at(window, [window.worker_list.search, window.worker_list.table], "synced")
    with core.db.read() as s:
        ops = list(s.exec(select(OutboxOp)))
        payments = list(s.exec(select(Payment).where(Payment.origin == "local")))
    assert {op.state for op in ops} == {"acked"}
    assert len(payments) == 4  # three collections and one void
    applied = central.query("SELECT count(*) FROM applied_ops WHERE device_id = :d",
                            d=core.device_id)[0][0]
    assert applied == len(ops)  # every operation applied, none twice
    stop(window, controller, runner, core)
