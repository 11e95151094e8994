"""A worker's page: full NIK, paid months, payments with voids, history, processing log."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlmodel import select

from agent_app.services.workers import RegistrationForm
from agent_app.store.models import AuditEntry
from agent_app.ui.worker_page import WorkerPage
from tests.helpers.gui import KELURAHAN, show_active

SITI_NIK = "7371014501900001"


@pytest.fixture
def siti(core, agent_user):
    form = RegistrationForm(
        nik=SITI_NIK, full_name="Siti Aminah", birth_date=date(1990, 1, 5), sex="F",
        phone="0813-5550-0001", address="Jl. Nuri No. 5", kelurahan_code=KELURAHAN,
        occupations=["Pedagang pasar"], declared_income=1_000_000, consent_given=True,
    )
    worker = core.workers.register(agent_user, form)
    core.payments.collect(agent_user, worker.id, 3, "cash")  # Nov 2026 - Jan 2027
    second = core.payments.collect(agent_user, worker.id, 1, "cash")  # Feb 2027
    core.payments.void(agent_user, second.id, "salah bulan")
    return worker.id


def views(core, worker_id) -> int:
    with core.db.read() as s:
        return len(list(s.exec(select(AuditEntry.id).where(
            AuditEntry.action == "worker.view", AuditEntry.entity_id == worker_id))))


@pytest.fixture
def page(qtbot, core, runner, session, siti):
    page = WorkerPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    show_active(qtbot, page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.load(siti)
    return page


def table_rows(table):
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_profile_shows_the_full_nik_and_coverage(page, core, siti):
    assert page.title.text() == "Siti Aminah"
    assert page.fields["nik"].text() == SITI_NIK  # the agent needs the whole NIK here
    assert page.fields["kpj"].text() == "belum ada (setelah sinkron)"
    assert page.fields["sex"].text() == "Perempuan"
    assert page.fields["phone"].text() == "0813-5550-0001"
    assert page.fields["region"].text() == "Bontorannu, Mariso"
    assert page.fields["income"].text() == "Rp 1.000.000"
    assert page.fields["coverage"].text() == "Aktif · lunas s.d. Jan 2027"
    assert views(core, siti) == 1  # UU PDP: the opening is logged


def test_payments_newest_first_with_the_void_as_a_reversal_row(page):
    rows = table_rows(page.payments)
    assert len(rows) == 3
    void, voided, first = rows
    assert void[3] == "-Rp 16.800"
    assert void[5].startswith("Pembatalan " + voided[1]) and void[5].endswith("salah bulan")
    assert voided[2] == "Feb 2027" and voided[3] == "Rp 16.800" and voided[5] == "Dibatalkan"
    assert first[2] == "Nov 2026 – Jan 2027"
    assert first[1] != voided[1] != void[1]  # every row its own receipt number
    assert all(row[4] == "Tunai" for row in rows)


def test_paid_months_strip(page):
    strip = page.strip
    assert strip.state_of("2026-11") == "paid"
    assert strip.state_of("2027-01") == "paid"
    assert strip.state_of("2027-02") == "future"  # its payment voided: not due yet, hatched
    assert "2027-02" in strip.voided
    assert strip.state_of("2027-03") == "future"
    assert strip.state_of("2026-10") == "before"  # registered in Nov 2026
    assert page.legend["paid"].text() == "Lunas"


def test_a_voided_month_is_owed_again(qtbot, core, runner, session, agent_user, workers_factory):
    """The strip once showed a voided month as "Dibatalkan", as if nothing were owed."""
    worker = workers_factory(1, registration_month="2026-11")[0]
    payment = core.payments.collect(agent_user, worker, 1, "cash")  # Nov 2026, this month
    core.payments.void(agent_user, payment.id, "salah orang")
    page = WorkerPage(core, runner, session)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.load(worker)
    assert page.strip.state_of("2026-11") == "unpaid"
    assert "Nov 2026: Belum bayar (pembayaran dibatalkan)" in page.strip.toolTip()
    assert "Dibatalkan" not in [label.text() for label in page.legend.values()]


def test_history_says_who_did_what(page):
    rows = table_rows(page.history)
    assert ["Besse Agen", "Didaftarkan di perangkat ini"] in [row[1:] for row in rows]


def test_void_button_only_for_a_payment_not_yet_voided(qtbot, page):
    assert not page.void_button.isEnabled()
    page.payments.selectRow(0)  # the reversal row
    assert not page.void_button.isEnabled()
    assert page.reprint_button.isEnabled()
    page.payments.selectRow(1)  # already voided
    assert not page.void_button.isEnabled()
    page.payments.selectRow(2)
    assert page.void_button.isEnabled()


def test_reprint_opens_the_receipt_copy_dialog(qtbot, page):
    page.payments.selectRow(2)  # the first payment
    qtbot.mouseClick(page.reprint_button, Qt.MouseButton.LeftButton)
    dialog = page._dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(100)  # the receipt loads through the runner
    dialog.reject()


def test_enter_in_the_list_opens_the_page_and_ctrl_p_collects(qtbot, main_window, siti, core):
    window = main_window
    window.focus_search()
    qtbot.keyClicks(window.worker_list.search, "aminah")
    model = window.worker_list.model
    qtbot.waitUntil(lambda: model.total == 1 and not model.loading
                    and model.data(model.index(0, 0)) == "Siti Aminah")
    qtbot.keyClick(window.worker_list.search, Qt.Key.Key_Down)
    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        qtbot.keyClick(window.worker_list.table, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.worker_page
    assert window.worker_page.fields["nik"].text() == SITI_NIK
    qtbot.waitUntil(lambda: views(core, siti) == 1)

    qtbot.keyClick(window.worker_page, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.worker_page._dialog
    qtbot.waitUntil(dialog.isVisible)
    assert type(dialog).__name__ == "PaymentDialog"
    dialog.reject()

    window.worker_page.back_button.click()
    assert window.pages.currentWidget() is window.worker_list


@pytest.mark.parametrize("button, cls", [
    ("correct_button", "CorrectionDialog"),
    ("copy_button", "DataCopyDialog"),
    ("delete_button", "DeletionRequestDialog"),
])
def test_participant_rights_buttons_open_their_dialogs(qtbot, page, button, cls):
    qtbot.mouseClick(getattr(page, button), Qt.MouseButton.LeftButton)
    dialog = page._dialog
    assert type(dialog).__name__ == cls
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(100)  # its data arrives through the runner
    dialog.reject()


def test_an_agent_cannot_void_someone_elses_payment(qtbot, core, runner, session, siti,
                                                     supervisor_user):
    core.payments.collect(supervisor_user, siti, 1, "cash")  # the supervisor's own
    page = WorkerPage(core, runner, session)  # signed in as the agent
    qtbot.addWidget(page)
    show_active(qtbot, page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.load(siti)
    page.payments.selectRow(0)  # newest: the supervisor's payment
    assert not page.void_button.isEnabled()
    assert page.void_button.toolTip().startswith("Hanya supervisor")
    page.payments.selectRow(3)  # the agent's own payment of today
    assert page.void_button.isEnabled()


def test_voiding_through_the_dialog_updates_the_page_and_the_status_bar(qtbot, main_window, siti):
    window = main_window
    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        window.open_worker(siti)
    page = window.worker_page
    page.payments.selectRow(2)  # Nov 2026 - Jan 2027, not voided yet
    qtbot.mouseClick(page.void_button, Qt.MouseButton.LeftButton)
    dialog = page._dialog
    assert type(dialog).__name__ == "VoidDialog"
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.reason_edit, "uang dikembalikan")
    qtbot.waitUntil(dialog.confirm_button.isEnabled)  # once the payment has loaded
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    rows = table_rows(page.payments)
    assert len(rows) == 4  # the new reversal row on top
    assert rows[0][3] == "-" + rows[3][3]
    assert rows[3][5] == "Dibatalkan"
    assert page.strip.state_of("2026-11") == "unpaid"  # owed again
    qtbot.waitUntil(lambda: window.status.pending_label.text() == "Menunggu dikirim: 5")
    dialog.reject()


def test_ctrl_p_in_the_list_opens_the_selected_worker_and_the_payment(qtbot, main_window, siti):
    window = main_window
    window.focus_search()
    qtbot.keyClicks(window.worker_list.search, "aminah")
    model = window.worker_list.model
    qtbot.waitUntil(lambda: model.total == 1 and not model.loading
                    and model.data(model.index(0, 0)) == "Siti Aminah")
    qtbot.keyClick(window.worker_list.search, Qt.Key.Key_Down)
    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        qtbot.keyClick(window.worker_list.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.worker_page._dialog
    assert type(dialog).__name__ == "PaymentDialog"
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(100)
    dialog.reject()


def test_a_payment_made_at_the_counter_shows_paid_but_is_read_only_here(
        qtbot, core, runner, supervisor_session, siti, tmp_path):
    """Pulled from the centre: the kelurahan counter collected Feb-Mar 2027 for Siti."""
    import perisai_protocol as protocol
    from sync.engine import SyncEngine
    from tests.helpers.samples import payment_payload

    paid = payment_payload(siti, ["2027-02", "2027-03"], device_id="counter-laptop",
                           collected_by="counter-clerk", collected_at=core.clock.stamp())
    change = protocol.Change(seq=1, entity="payment", id=paid["id"], op="upsert", data={
        **paid, "kind": "payment", "participant_id": siti, "voids_payment_id": None,
        "voided_by": None, "flag": None})
    user = supervisor_session.user
    engine = SyncEngine(core.db, None, None, user_id=user.id, device_id=core.device_id,
                        username=user.username, clock=core.clock, data_dir=tmp_path)
    with core.db.write() as s:
        engine.puller.apply_page(s, protocol.PullResponse(changes=[change], cursor=1, has_more=False))
    page = WorkerPage(core, runner, supervisor_session)  # even a supervisor
    qtbot.addWidget(page)
    show_active(qtbot, page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.load(siti)
    rows = table_rows(page.payments)
    assert rows[0][1] == paid["receipt_no"] and rows[0][2] == "Feb 2027 – Mar 2027"
    assert page.strip.state_of("2027-02") == "paid" and page.strip.state_of("2027-03") == "paid"
    page.payments.selectRow(0)
    assert not page.void_button.isEnabled()
    # Its receipt was printed and signed on the counter's laptop: no copy from here.
    assert not page.reprint_button.isEnabled()
    assert page.void_button.toolTip() == "Dicatat di perangkat lain: di sini hanya bisa dilihat."
    page.payments.selectRow(3)  # the supervisor may void the agent's own payment
    assert page.void_button.isEnabled() and page.reprint_button.isEnabled()


def test_a_phone_is_written_one_way_on_every_page(qtbot, main_window, core, workers_factory):
    """The follow-up list showed +6281…, the worker page 0812…: one person, two numbers."""
    worker = workers_factory(1, phone="+6281355500001", paid_through="2026-11")[0]
    window = main_window
    window.refresh()
    model = window.worker_list.model
    qtbot.waitUntil(lambda: model.total == 1 and model.row_at(0) is not None)
    column = next(c for c in range(model.columnCount()) if model.headerData(
        c, Qt.Orientation.Horizontal) == "Telepon")
    shown = {"list": model.data(model.index(0, column))}
    window.go("followup")
    followup = window.lazy["followup"]
    qtbot.waitUntil(lambda: followup.model.rowCount() == 1, timeout=5000)
    f_column = next(c for c in range(followup.model.columnCount()) if followup.model.headerData(
        c, Qt.Orientation.Horizontal) == "Telepon")
    shown["followup"] = followup.model.data(followup.model.index(0, f_column))
    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        window.open_worker(worker)
    shown["worker page"] = window.worker_page.fields["phone"].text()
    assert set(shown.values()) == {"0813-5550-0001"}, shown
