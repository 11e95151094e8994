"""The shell: sign-in, first user, auto-lock, shortcuts, language, size on a small screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agent_app.services.base import FixedClock
from agent_app.services.core import AgentCore
from agent_app.settings import get_setting
from agent_app.ui.login import FirstUserDialog, SignInDialog
from tests.helpers.gui import AGENT_PASSWORD, NOW, show_active


def _type_and_enter(qtbot, widget, text):
    widget.setFocus()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_sign_in_wrong_password_then_right(qtbot, core, runner, session):
    dialog = SignInDialog(core, runner, lang="id")
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    qtbot.keyClicks(dialog.username, "agen")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    assert dialog.password.hasFocus()
    _type_and_enter(qtbot, dialog.password, "salah-sekali")
    qtbot.waitUntil(lambda: dialog.error.text() != "")
    assert dialog.error.text() == "Nama pengguna atau kata sandi salah"
    assert dialog.password.text() == ""  # typed again from scratch
    assert dialog.result() != dialog.DialogCode.Accepted

    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        _type_and_enter(qtbot, dialog.password, AGENT_PASSWORD)
    assert dialog.user.username == "agen"
    assert dialog.user.full_name == "Besse Agen"


def test_sign_in_throttled_after_repeated_failures_says_how_long(qtbot, core, runner, session):
    dialog = SignInDialog(core, runner, lang="id")
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    qtbot.keyClicks(dialog.username, "agen")
    for _attempt in range(3):
        dialog.error.setText("")
        _type_and_enter(qtbot, dialog.password, "bukan-ini")
        qtbot.waitUntil(lambda: dialog.error.text() != "")
    dialog.error.setText("")
    _type_and_enter(qtbot, dialog.password, AGENT_PASSWORD)  # right, but too soon
    qtbot.waitUntil(lambda: dialog.error.text() != "")
    assert "31 detik" in dialog.error.text()
    assert dialog.user is None


def test_sign_in_in_english(qtbot, core, runner, session):
    session.set_language("en")
    dialog = SignInDialog(core, runner, lang="en")
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    assert dialog.submit_button.text() == "Sign in"
    qtbot.keyClicks(dialog.username, "nobody")
    _type_and_enter(qtbot, dialog.password, "whatever-1")
    qtbot.waitUntil(lambda: dialog.error.text() != "")
    assert dialog.error.text() == "Wrong username or password"


@pytest.fixture
def empty_core(tmp_path):
    core = AgentCore.open(tmp_path / "fresh.db", clock=FixedClock(NOW))
    yield core
    core.close()


def test_first_user_is_created_with_a_scope(qtbot, empty_core, runner, qapp):
    from agent_app.ui.i18n import install_translator

    install_translator(qapp, "id")
    dialog = FirstUserDialog(empty_core, runner, lang="id")
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    assert dialog.title.text() == "Buat pengguna pertama"
    qtbot.keyClicks(dialog.username, "Daeng")
    qtbot.keyClicks(dialog.full_name, "Daeng Supervisor")
    dialog.kecamatan.setCurrentIndex(dialog.kecamatan.findText("Mariso"))
    assert dialog.kelurahan.findText("Bontorannu") > 0
    assert dialog.kelurahan.findText("Bitowa") < 0  # only Mariso's kelurahan are offered
    qtbot.keyClicks(dialog.password, "kata-sandi-1")
    qtbot.keyClicks(dialog.password2, "kata-sandi-2")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Kedua kata sandi tidak sama."

    qtbot.keyClicks(dialog.password2, "kata-sandi-1")
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, "pendek")
    dialog.password2.clear()
    qtbot.keyClicks(dialog.password2, "pendek")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.text() != "")
    assert "8" in dialog.error.text() and "kata sandi" in dialog.error.text().lower()

    dialog.password.clear()
    dialog.password2.clear()
    qtbot.keyClicks(dialog.password, "kata-sandi-1")
    qtbot.keyClicks(dialog.password2, "kata-sandi-1")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.user.username == "daeng"
    assert dialog.user.role == "supervisor"
    assert dialog.user.kecamatan_code == "7371010"
    assert not empty_core.users.needs_first_user()
    assert empty_core.users.authenticate("daeng", "kata-sandi-1").full_name == "Daeng Supervisor"


def test_window_opens_on_the_list_with_user_and_pending_count(qtbot, main_window, workers_factory):
    status = main_window.status
    assert "Besse Agen" in status.user_label.text()
    qtbot.waitUntil(lambda: status.pending is not None)
    assert status.pending_label.text() == "Menunggu dikirim: 0"
    assert status.sync_label.text() == "Belum pernah sinkron"
    status.set_sync_state("up_to_date", "")
    assert status.sync_label.text() == "Sudah sinkron"
    assert main_window.pages.currentWidget() is main_window.worker_list


def test_auto_lock_keeps_what_was_typed_and_unlocks_with_the_password(qtbot, main_window):
    search = main_window.worker_list.search
    main_window.focus_search()
    qtbot.keyClicks(search, "Siti Amin")
    main_window.lock.set_timeout_ms(300)
    qtbot.waitUntil(lambda: main_window.lock.locked, timeout=10000)  # 300 ms of idle, however busy the machine
    page = main_window.lock.page
    assert main_window.outer.currentWidget() is page
    assert not search.isVisible()  # hidden behind the lock, not readable
    assert not main_window.act_new.isEnabled()  # no shortcuts past the lock

    _type_and_enter(qtbot, page.password, "bukan-kata-sandi")
    qtbot.waitUntil(lambda: page.error.text() != "")
    assert page.error.text() == "Kata sandi salah."
    assert main_window.lock.locked

    _type_and_enter(qtbot, page.password, AGENT_PASSWORD)
    qtbot.waitUntil(lambda: not main_window.lock.locked)
    assert search.isVisible()
    assert search.text() == "Siti Amin"
    assert page.password.text() == ""


def test_input_resets_the_inactivity_timer(qtbot, main_window):
    main_window.lock.set_timeout_ms(400)
    search = main_window.worker_list.search
    main_window.focus_search()
    for _ in range(6):  # 6 x 150 ms of typing: longer than the timeout, never idle
        qtbot.keyClicks(search, "a")
        qtbot.wait(150)
        assert not main_window.lock.locked
    qtbot.waitUntil(lambda: main_window.lock.locked, timeout=3000)


def test_ctrl_l_locks_at_once(qtbot, main_window):
    main_window.focus_search()
    qtbot.keyClick(main_window.worker_list.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert main_window.lock.locked
    assert main_window.worker_list.search.text() == ""  # the shortcut typed nothing


def test_shortcuts_navigate(qtbot, main_window):
    qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_page() is main_window.registration
    qtbot.keyClick(QApplication.focusWidget() or main_window, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier)
    assert main_window.pages.currentWidget() is main_window.worker_list
    assert main_window.worker_list.search.hasFocus()


def test_settings_switch_language_live_and_remember_it(qtbot, main_window, core, session):
    main_window.go("settings")
    settings = main_window.settings_page
    assert main_window.nav.item(0).text() == "Cari Pekerja"
    settings.language.setCurrentIndex(settings.language.findData("en"))
    assert session.lang == "en"
    qtbot.waitUntil(lambda: main_window.nav.item(0).text() == "Find worker")
    assert main_window.worker_list.search.placeholderText().startswith("Type a name")
    assert settings.title.text() == "Settings"
    qtbot.waitUntil(lambda: core.users.authenticate("agen", AGENT_PASSWORD).language == "en")

    settings.language.setCurrentIndex(settings.language.findData("id"))
    qtbot.waitUntil(lambda: main_window.nav.item(0).text() == "Cari Pekerja")
    assert settings.title.text() == "Pengaturan"


def test_settings_lock_minutes_persist_and_apply(qtbot, main_window, core):
    main_window.go("settings")
    spin = main_window.settings_page.lock_minutes
    qtbot.waitUntil(spin.isEnabled)
    assert spin.value() == 10
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    assert main_window.lock.timer.interval() == 3 * 60_000
    qtbot.waitUntil(lambda: get_setting(core.db, "lock_minutes") == 3)


def test_every_navigation_page_opens(qtbot, main_window):
    from agent_app.ui.main_window import LAZY_PAGES, NAV

    for key in NAV:
        main_window.go(key)
        page = main_window.current_page()
        assert page.isVisible(), key
        if key in LAZY_PAGES:
            assert isinstance(page, LAZY_PAGES[key]), key
        qtbot.keyClick(page, Qt.Key.Key_F5)  # one F5 per page: never an ambiguous shortcut
    qtbot.wait(200)  # let the pages' first loads finish before the database closes


def test_fits_1366x768_at_150_percent(qtbot, main_window):
    from agent_app.ui.main_window import NAV

    for key in NAV:  # every page, including the other engineers'
        main_window.go(key)
    hint = main_window.minimumSizeHint()
    assert hint.width() <= 1366 / 1.5, hint
    assert hint.height() <= 768 / 1.5, hint


def test_lock_hides_open_dialogs_and_brings_them_back_intact(qtbot, main_window):
    from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

    dialog = QDialog(main_window)
    field = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(field)
    dialog.open()
    qtbot.keyClicks(field, "setengah diketik")
    main_window.lock.lock()
    assert not dialog.isVisible()
    main_window.lock.unlock()
    assert dialog.isVisible()
    assert field.text() == "setengah diketik"
    dialog.reject()


def test_registration_page_is_wired(qtbot, main_window, workers_factory):
    main_window.go("register")
    page = main_window.registration
    worker_id = workers_factory(1)[0]
    with qtbot.waitSignal(main_window.worker_page.loaded, timeout=5000):
        page.worker_saved.emit(worker_id)  # what the page says after saving
    assert main_window.pages.currentWidget() is main_window.worker_page
    assert main_window.worker_page.worker_id == worker_id
    main_window.go("register")
    with qtbot.waitSignal(main_window.worker_page.loaded, timeout=5000):
        page.open_existing.emit(worker_id)  # "this NIK is already here: open it"
    assert main_window.pages.currentWidget() is main_window.worker_page


def _drive_modal(qtbot, action):
    """Run ``action(dialog)`` on the modal dialog once it is up (exec() blocks the test)."""
    from PySide6.QtCore import QTimer

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
            return
        action(dialog)

    QTimer.singleShot(0, poll)


def _create_first_user(qtbot, dialog):
    qtbot.keyClicks(dialog.username, "pertama")
    qtbot.keyClicks(dialog.full_name, "Pengguna Pertama")
    qtbot.keyClicks(dialog.password, "kata-sandi-1")
    qtbot.keyClicks(dialog.password2, "kata-sandi-1")
    dialog.submit()


def test_app_first_start_creates_the_first_user(qtbot, empty_core, runner, qapp):
    from agent_app.app import OpeningCore, sign_in

    def fill(dialog):
        assert type(dialog).__name__ == "FirstUserDialog"
        _create_first_user(qtbot, dialog)

    _drive_modal(qtbot, fill)
    user = sign_in(OpeningCore(lambda: empty_core), runner, "id", at_once=False)
    assert user.username == "pertama"


def test_a_database_without_users_turns_the_sign_in_window_into_the_first_user_one(
        qtbot, empty_core, runner, qapp):
    from agent_app.app import OpeningCore, sign_in

    seen = []

    def fill(dialog):
        seen.append(type(dialog).__name__)
        if isinstance(dialog, FirstUserDialog):
            _create_first_user(qtbot, dialog)
        else:
            _drive_modal(qtbot, fill)  # the sign-in window closes itself once the store says so

    _drive_modal(qtbot, fill)
    user = sign_in(OpeningCore(lambda: empty_core), runner, "id")
    assert user.username == "pertama"
    assert seen[0] == "SignInDialog" and seen[-1] == "FirstUserDialog"


def test_app_signs_in_an_existing_user(qtbot, core, runner, session):
    from agent_app.app import OpeningCore, sign_in

    def fill(dialog):
        assert type(dialog).__name__ == "SignInDialog"
        qtbot.keyClicks(dialog.username, "agen")
        qtbot.keyClicks(dialog.password, AGENT_PASSWORD)
        dialog.submit()

    _drive_modal(qtbot, fill)
    assert sign_in(OpeningCore(lambda: core), runner, "id").full_name == "Besse Agen"


def test_the_sign_in_window_shows_before_the_store_is_open_and_a_quick_sign_in_waits_for_it(
        qtbot, core, runner, session):
    import threading

    from agent_app.app import OpeningCore, sign_in

    store_may_open = threading.Event()

    def slow_open():  # a big encrypted store on a slow laptop
        assert store_may_open.wait(10)
        return core

    def fill(dialog):
        assert type(dialog).__name__ == "SignInDialog" and dialog.isVisible()
        qtbot.keyClicks(dialog.username, "agen")
        qtbot.keyClicks(dialog.password, AGENT_PASSWORD)
        dialog.submit()  # before the store is open: it waits its turn
        qtbot.wait(100)
        assert dialog.isVisible() and not dialog.submit_button.isEnabled()
        store_may_open.set()

    _drive_modal(qtbot, fill)
    assert sign_in(OpeningCore(slow_open), runner, "id").full_name == "Besse Agen"


def test_a_store_that_cannot_be_opened_is_explained_and_the_app_ends(qtbot, qapp, session):
    from agent_app.app import run_gui
    from agent_app.store.db import StoreError

    said = {}

    def no_key():
        raise StoreError("key_missing", "perisai.db")

    def read_and_close(dialog):
        if dialog.objectName() != "openFailed":
            _drive_modal(qtbot, read_and_close)  # the sign-in window closes by itself
            return
        said["text"] = dialog.text()
        dialog.accept()

    _drive_modal(qtbot, read_and_close)
    assert run_gui(no_key, lang="id") == 1
    assert said["text"].startswith("Kunci basis data laptop ini tidak ada")
    assert "Traceback" not in said["text"]


def test_sync_controller_drives_the_status_bar_and_attention_badge(qtbot, main_window):
    from PySide6.QtCore import QObject, Signal

    class StubSync(QObject):  # the SyncController's interface, without a network
        status_changed = Signal(str, str)
        round_finished = Signal(object)
        attention_changed = Signal(int)
        pending_changed = Signal(int)
        last_sync_changed = Signal(str)
        progress = Signal(int, int)
        update_available = Signal(str, str)
        notice = Signal(str, object)

        def __init__(self):
            super().__init__()
            self.calls = []
            self.state = "never"

        def sync_now(self):
            self.calls.append("now")

        def request_sync(self):
            self.calls.append("request")

        def shutdown(self):
            self.calls.append("shutdown")

        def cancel(self):
            self.calls.append("cancel")

    stub = StubSync()
    main_window.attach_sync(stub)
    stub.status_changed.emit("syncing", "Mengirim…")
    assert main_window.status.sync_label.text() == "Sedang sinkron…"
    stub.status_changed.emit("problem", "Server menolak 2 data")
    assert main_window.status.sync_label.text() == "Masalah sinkron: Server menolak 2 data"
    assert main_window.status.sync_label.toolTip() == "Masalah sinkron: Server menolak 2 data"
    stub.attention_changed.emit(2)
    assert main_window.nav.item(NAV_ATTENTION()).text() == "Perlu Perhatian (2)"
    qtbot.keyClick(main_window.worker_list.search, Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stub.calls == ["now"]
    stub.pending_changed.emit(1234)
    assert main_window.status.pending_label.text() == "Menunggu dikirim: 1.234"
    stub.round_finished.emit(object())  # after a round the window re-counts itself
    qtbot.waitUntil(lambda: main_window.status.pending == 0)


def NAV_ATTENTION():
    from agent_app.ui.main_window import NAV

    return NAV.index("attention")


def test_what_a_role_may_not_do_is_not_offered(qtbot, core, runner, supervisor_user, session):
    from agent_app.app import build_main_window
    from agent_app.ui.main_window import NAV
    from agent_app.ui.session import UiSession

    agent_window = build_main_window(core, runner, session)
    qtbot.addWidget(agent_window)
    assert agent_window.nav.item(NAV.index("import")).isHidden()  # agents don't import lists
    assert not agent_window.nav.item(NAV.index("reports")).isHidden()
    agent_window.shutdown()

    supervisor_window = build_main_window(core, runner, UiSession(supervisor_user, "id"))
    qtbot.addWidget(supervisor_window)
    assert not supervisor_window.nav.item(NAV.index("import")).isHidden()
    supervisor_window.shutdown()
    qtbot.wait(100)  # the windows' first loads


def test_run_gui_signs_in_and_shows_the_window(qtbot, core, qapp, session):
    from PySide6.QtCore import QTimer

    from agent_app.app import run_gui
    from agent_app.ui.main_window import MainWindow

    seen = {}

    def sign_in(dialog):
        qtbot.keyClicks(dialog.username, "agen")
        qtbot.keyClicks(dialog.password, AGENT_PASSWORD)
        dialog.submit()
        QTimer.singleShot(50, look_at_window)

    def look_at_window():
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(50, look_at_window)
            return
        window = windows[0]
        seen["title"] = window.windowTitle()
        seen["user"] = window.status.user_label.text()
        window.close()  # as a person would: the last window closes, the app ends

    _drive_modal(qtbot, sign_in)
    assert run_gui(lambda: core, lang="id") == 0
    assert seen["title"].startswith("Perisai Agent")
    assert "Besse Agen" in seen["user"]


def test_settings_office_proxy_is_kept_and_a_wrong_one_is_explained(qtbot, main_window, core):
    main_window.go("settings")
    page = main_window.settings_page
    qtbot.waitUntil(page.proxy.isEnabled)
    assert page.proxy.text() == "" and page.proxy_label.text() == "Pro&xy kantor"
    page.proxy.setText("proxy kantor")
    page.proxy.editingFinished.emit()
    qtbot.waitUntil(page.proxy_problem.isVisible)
    assert page.proxy_problem.text().startswith("Bukan alamat proxy")
    assert get_setting(core.db, "proxy_url") == ""
    page.proxy.setText("proxy.kantor:8080")
    page.proxy.editingFinished.emit()
    qtbot.waitUntil(lambda: get_setting(core.db, "proxy_url") == "http://proxy.kantor:8080")
    qtbot.waitUntil(page.proxy_problem.isHidden)  # the save's answer reaches the page after the write
