"""Typed data is never lost without a warning: the open registration is kept as a draft in
the encrypted store, comes back after a restart, and is thrown away only when the person
says so (Ctrl+Q, closing the window, "Kosongkan formulir")."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from PySide6.QtCore import Qt

from agent_app.services.drafts import load_draft, save_draft
from tests.gui.conftest import answer, open_main_window, question
from tests.gui.test_registration import NIK, type_into


def half_fill(qtbot, page) -> None:
    type_into(qtbot, page.nik_edit, NIK)
    type_into(qtbot, page.name_edit, "Budi Santoso")
    type_into(qtbot, page.address_edit, "Jl. Nuri No. 5")
    page.consent_check.setChecked(True)


def new_window(qtbot, core, runner, session):
    return open_main_window(qtbot, core, runner, session, (1366, 700))


@contextmanager
def database_thread_busy(qtbot, runner):
    """The database thread is busy (a sync round, an import) while the person works on: the
    stored draft is read only after they have typed, and maybe thrown it away."""
    release = threading.Event()
    runner.submit(release.wait)
    try:
        yield
    finally:
        release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)


def test_quit_keeps_the_draft_and_a_restart_brings_it_back(qtbot, core, runner, session, agent_user):
    window = new_window(qtbot, core, runner, session)
    window.new_registration()
    half_fill(qtbot, window.registration)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    box = question(qtbot)
    assert window.isVisible()  # nothing closes before the answer
    answer(qtbot, box, "keep")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: load_draft(core.db, agent_user.id, "registration") is not None,
                    timeout=3000)
    window.shutdown()

    again = new_window(qtbot, core, runner, session)  # the next start
    again.new_registration()
    page = again.registration
    qtbot.waitUntil(lambda: page.nik_edit.text() == NIK, timeout=3000)
    assert page.name_edit.text() == "Budi Santoso"
    assert page.address_edit.text() == "Jl. Nuri No. 5" and page.consent_check.isChecked()
    assert "dipulihkan" in page.status.plain_text()
    again.shutdown()


def test_back_to_the_form_cancels_the_quit_and_discard_forgets_it(qtbot, core, runner, session,
                                                                agent_user):
    window = new_window(qtbot, core, runner, session)
    window.new_registration()
    half_fill(qtbot, window.registration)
    window.registration.save_draft()  # as the typing pause would have
    qtbot.waitUntil(lambda: load_draft(core.db, agent_user.id, "registration") is not None,
                    timeout=3000)
    window.close()
    answer(qtbot, question(qtbot), "stay")
    assert window.isVisible() and window.current_page() is window.registration
    assert window.registration.nik_edit.text() == NIK
    window.close()
    answer(qtbot, question(qtbot), "discard")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: load_draft(core.db, agent_user.id, "registration") is None,
                    timeout=3000)
    window.shutdown()


def test_clear_form_asks_first(qtbot, core, runner, session, agent_user):
    window = new_window(qtbot, core, runner, session)
    window.new_registration()
    page = window.registration
    half_fill(qtbot, page)
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    answer(qtbot, question(qtbot), "keep")
    assert page.nik_edit.text() == NIK
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    answer(qtbot, question(qtbot), "clear")
    assert page.nik_edit.text() == "" and page.is_blank()
    qtbot.waitUntil(lambda: load_draft(core.db, agent_user.id, "registration") is None,
                    timeout=3000)
    window.shutdown()


def test_a_locked_window_closing_keeps_the_draft_without_asking(qtbot, core, runner, session,
                                                               agent_user):
    window = new_window(qtbot, core, runner, session)
    window.new_registration()
    half_fill(qtbot, window.registration)
    window.lock.lock()  # the person walked away; the laptop is shut down
    window.close()
    assert not window.isVisible()
    qtbot.waitUntil(lambda: load_draft(core.db, agent_user.id, "registration") is not None,
                    timeout=3000)
    assert load_draft(core.db, agent_user.id, "registration")["values"]["nik"] == NIK
    window.shutdown()


def test_discard_on_quit_forgets_the_draft_while_the_database_thread_is_busy(
        qtbot, core, runner, session, agent_user):
    window = new_window(qtbot, core, runner, session)
    with database_thread_busy(qtbot, runner):
        window.new_registration()
        half_fill(qtbot, window.registration)
        window.registration.save_draft()  # the typing pause: queued behind the busy thread
        window.close()
        answer(qtbot, question(qtbot), "discard")
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert load_draft(core.db, agent_user.id, "registration") is None
    window.shutdown()


def test_a_draft_read_late_does_not_come_back_over_a_form_the_person_cleared(
        qtbot, core, runner, session, agent_user):
    save_draft(core.db, agent_user.id, "registration", {"nik": "7371014105850002",
                                                        "full_name": "Draft Lama"},
               "2026-01-05T08:00:00+08:00")  # left by an earlier shift
    window = new_window(qtbot, core, runner, session)
    with database_thread_busy(qtbot, runner):
        window.new_registration()
        page = window.registration
        half_fill(qtbot, page)
        page.save_draft()
        qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
        answer(qtbot, question(qtbot), "clear")
    assert page.is_blank() and page.name_edit.text() == ""
    assert load_draft(core.db, agent_user.id, "registration") is None
    window.shutdown()


def test_an_untouched_form_leaves_an_unread_draft_alone(qtbot, core, runner, session, agent_user):
    save_draft(core.db, agent_user.id, "registration", {"nik": NIK, "full_name": "Budi Santoso"},
               "2026-01-05T08:00:00+08:00")
    window = new_window(qtbot, core, runner, session)
    with database_thread_busy(qtbot, runner):
        window.new_registration()
        window.registration.save_draft()  # a blank form's pause: nothing of its own to keep
    page = window.registration
    assert page.name_edit.text() == "Budi Santoso"  # the draft came back
    assert load_draft(core.db, agent_user.id, "registration")["values"]["nik"] == NIK
    window.shutdown()
