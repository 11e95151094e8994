"""Every page and dialog on one laptop screen: it fits, and every button a person needs can
be seen and reached with Tab.

Not collected with the suite on its own: ``test_screens.py`` runs this file once per
screen (1366x768 at 100 % and 150 %, 1280x720 at 125 %), each in a process of its own,
because the scale is fixed before the QApplication exists. Screenshots go to
$PERISAI_SHOTS when it is set.
"""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea
from sqlmodel import select

from agent_app.services.workers import RegistrationForm
from agent_app.store.models import OutboxOp
from agent_app.ui.worker_list import COLUMNS
from tests.helpers.gui import KELURAHAN
from tests.helpers.screen import misfits, save_shot, unreachable, window_area

pytestmark = pytest.mark.skipif(
    not os.environ.get("PERISAI_SCREEN"),
    reason="runs in a process of its own per screen size: tests/gui/test_screens.py starts it")

LONG_PROBLEM = ("Sesi sinkronisasi berakhir; masuk lagi saat online. Server pusat "
                "https://pusat-perisai.makassarkota.go.id menolak token penyegaran perangkat ini "
                "karena perangkat dicabut oleh supervisor pada 24/11/2026 09:58 WITA")


@pytest.fixture(autouse=True)
def styled(qapp):
    """The look the app starts with (its fonts decide what fits)."""
    from agent_app.ui.style import apply_style

    apply_style(qapp)


@pytest.fixture
def data(core, agent_user, supervisor_user):
    """A worker with payments (one voided), a refused registration, an open cash period."""
    worker = core.workers.register(agent_user, RegistrationForm(
        nik="7371014501900001", full_name="Sitti Rahmawati Daeng Caya binti Abdul Rahman",
        birth_date=date(1990, 1, 5), sex="F", phone="081355500001",
        address="Jl. Sultan Alauddin Lorong 4 No. 17, dekat Masjid Nurul Huda",
        kelurahan_code=KELURAHAN, occupations=["Pedagang pasar", "Ojek pangkalan"],
        declared_income=1_500_000, heir_name="Baso Rahman", heir_relation="Suami",
        consent_given=True))
    first = core.payments.collect(agent_user, worker.id, 1, "cash")
    core.payments.collect(agent_user, worker.id, 3, "qris")
    core.payments.void(agent_user, first.id, "salah pilih bulan")
    core.payments.collect(agent_user, worker.id, 1, "cash")
    with core.db.write() as s:
        op = s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker.id)).first()
        op.state = "rejected"
        op.last_error = json.dumps({"code": "worker.kelurahan_unknown", "message": {
            "id": "Kelurahan tidak dikenal oleh server pusat untuk wilayah kecamatan ini",
            "en": "The central server does not know this kelurahan for this kecamatan"}})
        s.add(op)
    return {"worker": worker.id, "payment": first.id}


@pytest.fixture
def window(qtbot, core, sync_runner, session, data):
    from agent_app.app import build_main_window

    window = build_main_window(core, sync_runner, session)
    qtbot.addWidget(window)
    window.resize(*window_area())
    window.show()
    qtbot.waitExposed(window)
    window.status.set_sync_state("signin", LONG_PROBLEM)  # the longest status bar
    window.status.set_last_sync("2026-11-24T02:05:00+00:00")
    window.notice_banner.set_notice("clock", {"id": "Jam laptop ini 3 hari lebih lambat dari jam "
                                       "server pusat. Cocokkan jam Windows.", "en": "-"})
    yield window
    window.shutdown()


def check(window, needed, shot, *, in_sight=()):
    """``needed`` can be seen (scrolled to if need be) and reached with Tab; ``in_sight``
    are seen without any scrolling (a form's Save, a report's exports)."""
    for _ in range(3):  # layouts that change with the width settle in a few passes
        QApplication.processEvents()
    save_shot(window, shot)
    problems = misfits(window)
    page = window.current_page() if hasattr(window, "current_page") else None
    slot = page.parentWidget().parentWidget() if page is not None else None
    if isinstance(slot, QScrollArea) and page.minimumSizeHint().width() > slot.viewport().width():
        problems.append(f"page needs {page.minimumSizeHint().width()} px of width, "
                        f"has {slot.viewport().width()}")
    problems += [f"{w.objectName()}: out of sight" for w in in_sight
                 if w.visibleRegion().boundingRect().size() != w.size()]
    problems += unreachable(window, needed)
    if problems and os.environ.get("PERISAI_DEBUG_WIDTH"):
        import sys
        sys.path.insert(0, "/tmp")
        from widest import widest
        widest(page or window, int(os.environ["PERISAI_DEBUG_WIDTH"]))
    assert not problems, f"{shot}: " + "; ".join(problems)


PAGES = {
    "workers": lambda w: [w.worker_list.search, w.worker_list.table, w.status.signin_button],
    "register": lambda w: [w.registration.nik_edit, w.registration.consent_check,
                           w.registration.clear_button, w.registration.save_button],
    "followup": lambda w: [w.lazy["followup"].table, w.lazy["followup"].copy_button,
                           w.lazy["followup"].mark_button],
    "dashboard": lambda w: [w.lazy["dashboard"].refresh_button],
    "closeout": lambda w: [w.lazy["closeout"].counted, w.lazy["closeout"].explanation,
                           w.lazy["closeout"].close_button, w.lazy["closeout"].received_by,
                           w.lazy["closeout"].handover_button, w.lazy["closeout"].pdf_button],
    "reports": lambda w: [w.lazy["reports"].kind, w.lazy["reports"].date,
                          w.lazy["reports"].run_button, w.lazy["reports"].xlsx_button,
                          w.lazy["reports"].csv_button, w.lazy["reports"].pdf_button],
    "attention": lambda w: [w.lazy["attention"].table, w.lazy["attention"].fix_button,
                            w.lazy["attention"].void_button, w.lazy["attention"].dismiss_button],
    "import": lambda w: [w.import_page.button],
    "settings": lambda w: [w.settings_page.language, w.settings_page.lock_minutes,
                           w.settings_page.printer, w.settings_page.paper],
}


IN_SIGHT = {  # what must show without scrolling
    "register": lambda w: [w.registration.clear_button, w.registration.save_button],
    "reports": lambda w: [w.lazy["reports"].run_button, w.lazy["reports"].xlsx_button,
                          w.lazy["reports"].csv_button, w.lazy["reports"].pdf_button],
}


@pytest.mark.parametrize("key", list(PAGES))
def test_every_page_fits_and_its_buttons_are_reachable(qtbot, window, key):
    window.go(key)
    if key == "reports":
        window.lazy["reports"].kind.setCurrentIndex(1)  # the month: three tables and a chart
        window.lazy["reports"].run()
    in_sight = IN_SIGHT.get(key, lambda w: [])(window)
    check(window, PAGES[key](window), key, in_sight=in_sight)


def test_the_worker_list_shows_the_coverage_status_without_scrolling_sideways(qtbot, window):
    window.go("workers")
    QApplication.processEvents()
    table = window.worker_list.table
    assert table.horizontalScrollBar().maximum() == 0, "the list scrolls sideways"
    coverage = table.model().index(0, COLUMNS.index("coverage"))
    assert not table.isColumnHidden(coverage.column())
    assert table.visualRect(coverage).right() <= table.viewport().width()
    for text in [coverage.data(), *table.model().fixed_texts("coverage")]:  # every status whole
        assert table.columnWidth(coverage.column()) > table.fontMetrics().horizontalAdvance(text), text


def test_the_worker_page_fits(qtbot, window, data):
    window.open_worker(data["worker"])
    page = window.worker_page
    page.payments.selectRow(0)
    check(window, [page.back_button, page.pay_button, page.payments, page.void_button,
                   page.reprint_button, page.correct_button, page.copy_button,
                   page.delete_button], "worker")


def test_the_lock_page_fits(qtbot, window):
    window.lock.lock()
    check(window, [window.lock.page.password, window.lock.page.button], "lock")
    window.lock.unlock()


def open_dialog(qtbot, dialog):
    dialog.show()  # a child of the window: deleted with it
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    return dialog


def dialogs(core, runner, session, supervisor_session, parent, data):
    from agent_app.ui.import_dialog import ImportDialog
    from agent_app.ui.login import FirstUserDialog, SignInDialog
    from agent_app.ui.payment_dialog import PaymentDialog, ReprintDialog
    from agent_app.ui.privacy_dialogs import CorrectionDialog, DataCopyDialog, DeletionRequestDialog
    from agent_app.ui.server_signin import ServerSignInDialog
    from agent_app.ui.settings_dialog import SettingsDialog
    from agent_app.ui.sync_controller import SyncController
    from agent_app.ui.void_dialog import VoidDialog

    controller = SyncController(core, session, "https://pusat-perisai.makassarkota.go.id/sinkron",
                                parent=parent)
    worker, payment = data["worker"], data["payment"]
    return {
        "sign_in": (lambda: SignInDialog(core, runner, parent, lang="id"),
                    lambda d: [d.username, d.password, d.submit_button]),
        "first_user": (lambda: FirstUserDialog(core, runner, parent, lang="id"),
                       lambda d: [d.username, d.kelurahan, d.submit_button]),
        "settings": (lambda: SettingsDialog(core, runner, session, parent),
                     lambda d: [d.page.language, d.page.lock_minutes]),
        "payment": (lambda: PaymentDialog(core, runner, session, worker, parent),
                    lambda d: [*d.period_buttons.values(), *d.method_buttons.values(),
                               d.cancel_button, d.save_button]),
        "reprint": (lambda: ReprintDialog(core, runner, session, payment, parent),
                    lambda d: [d.layout_combo, d.print_button, d.pdf_button, d.close_button]),
        "void": (lambda: VoidDialog(core, runner, session, payment, parent),
                 lambda d: [d.reason_edit, d.cancel_button, d.confirm_button]),
        "import": (lambda: ImportDialog(core, runner, supervisor_session, parent),
                   lambda d: [d.choose_button, d.table, d.save_report_button, d.import_button,
                              d.close_button]),
        "correction": (lambda: CorrectionDialog(core, runner, supervisor_session, worker, parent),
                       lambda d: [*d.inputs.values(), d.reason, d.cancel_button, d.save_button]),
        "resubmit": (lambda: CorrectionDialog(core, runner, session, worker, parent,
                                              resubmit_op_id="op", server_reason=LONG_PROBLEM),
                     lambda d: [*d.inputs.values(), d.cancel_button, d.save_button]),
        "data_copy": (lambda: DataCopyDialog(core, runner, session, worker, parent),
                      lambda d: [d.save_button, d.cancel_button]),
        "deletion": (lambda: DeletionRequestDialog(core, runner, session, worker, parent),
                     lambda d: [d.reason, d.confirm, d.cancel_button, d.send_button]),
        "server_signin": (lambda: ServerSignInDialog(controller, session, parent),
                          lambda d: [d.password, d.cancel_button, d.submit_button]),
    }


DIALOGS = ("sign_in", "first_user", "settings", "payment", "reprint", "void", "import",
           "correction", "resubmit", "data_copy", "deletion", "server_signin")


@pytest.mark.parametrize("name", DIALOGS)
def test_every_dialog_fits_and_its_buttons_are_reachable(qtbot, window, core, sync_runner,
                                                          session, supervisor_session, data, name):
    make, needed = dialogs(core, sync_runner, session, supervisor_session, window, data)[name]
    dialog = open_dialog(qtbot, make())
    if name == "import":
        from agent_app.paths import resources_dir

        dialog.load_file(resources_dir() / "samples" / "daftar_pekerja_apbd_contoh.csv")
    check(dialog, needed(dialog), f"dialog-{name}")
    dialog.reject()


def test_the_payment_dialogs_receipt_step_fits(qtbot, window, core, sync_runner, session, data):
    from agent_app.ui.payment_dialog import PaymentDialog

    dialog = open_dialog(qtbot, PaymentDialog(core, sync_runner, session, data["worker"], window))
    dialog.save()
    assert dialog.stack.currentIndex() == 1
    check(dialog, [dialog.layout_combo, dialog.print_button, dialog.pdf_button,
                   dialog.close_button], "dialog-payment-receipt")
    dialog.accept()
