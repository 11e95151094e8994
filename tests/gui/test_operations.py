"""One way for the GUI to run work (``agent_app.ui.operations``): tied to its widget,
failures shown in the person's language and never as an internal code."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from sqlalchemy import text

from agent_app.logs import setup_logging, shutdown_logging
from agent_app.services.base import ServiceError
from agent_app.ui.operations import PAYMENTS, run


def message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "errorMessage" and w.isVisible()]


@pytest.fixture
def logged(tmp_path):
    path = setup_logging(tmp_path / "logs")
    yield path
    shutdown_logging()


def test_success_comes_back_on_the_gui_thread_and_tells_the_pages(qtbot, runner):
    widget = QWidget()
    qtbot.addWidget(widget)
    ran_on, answered_on, kinds = [], [], []
    runner.changed.connect(kinds.append)
    run(widget, runner, lambda: ran_on.append(threading.current_thread()),
        on_done=lambda _r: answered_on.append(threading.current_thread()), changes=PAYMENTS)
    qtbot.waitUntil(lambda: bool(answered_on))
    assert ran_on[0] is not threading.main_thread()
    assert answered_on == [threading.main_thread()]
    assert kinds == [PAYMENTS]


def test_a_closed_dialog_hears_nothing_more_but_the_write_is_announced(qtbot, runner):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    gate = threading.Event()
    got, kinds = [], []
    runner.changed.connect(kinds.append)
    run(dialog, runner, lambda: gate.wait(5), on_done=got.append, changes=PAYMENTS)
    dialog.reject()
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy)
    assert got == [] and kinds == [PAYMENTS]


def test_a_hidden_dialog_still_gets_its_answer(qtbot, runner):
    """The auto-lock hides open dialogs: their work must go on."""
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    gate = threading.Event()
    got = []
    run(dialog, runner, lambda: gate.wait(5) and "done", on_done=got.append)
    dialog.hide()
    gate.set()
    qtbot.waitUntil(lambda: got == ["done"])


def test_a_destroyed_widget_hears_nothing_more(qtbot, runner):
    widget = QWidget()
    gate = threading.Event()
    got = []
    run(widget, runner, lambda: gate.wait(5), on_done=got.append, on_error=got.append)
    with qtbot.waitSignal(widget.destroyed):
        widget.deleteLater()
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy)
    assert got == []


def test_a_refusal_without_a_handler_is_shown_in_the_persons_language(qtbot, runner, session):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()

    def refuse():
        raise ServiceError("worker.not_found")

    run(widget, runner, refuse)
    qtbot.waitUntil(lambda: bool(message_boxes()))
    (box,) = message_boxes()
    assert box.text() == "Pekerja tidak ditemukan"
    box.close()


def test_a_database_error_is_never_shown_as_its_code(qtbot, runner, session, core, logged):
    """An IntegrityError once reached a person as a bare "gkpj" (SQLAlchemy's code)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()

    def clash():
        with core.db.write() as s:
            s.execute(text("INSERT INTO meta (key, value) VALUES ('x', '1')"))
            s.execute(text("INSERT INTO meta (key, value) VALUES ('x', '2')"))

    run(widget, runner, clash)
    qtbot.waitUntil(lambda: bool(message_boxes()))
    (box,) = message_boxes()
    shown = box.text().replace("\u200b", "")  # wrap marks inside the long path
    assert "gkpj" not in shown and "IntegrityError" not in shown and "UNIQUE" not in shown
    assert shown.startswith("Terjadi kesalahan")  # in Bahasa Indonesia
    assert str(logged) in shown  # where the details are
    box.close()
    log = logged.read_text(encoding="utf-8")
    assert "IntegrityError" in log and "Traceback" in log
