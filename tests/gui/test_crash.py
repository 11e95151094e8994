"""agent_app.crash: a bug in a slot is logged and explained to the person, once."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QPushButton

from agent_app import crash, logs

NIK = "7371010101900001"

# pytest-qt's own exception capture would swallow the exception before our hook sees it.
# The offscreen platform (no display here) warns on every QMessageBox; real platforms don't.
pytestmark = [
    pytest.mark.qt_no_exception_capture,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def log_path(tmp_path: Path):
    path = logs.setup_logging(tmp_path / "logs")
    yield path
    logs.shutdown_logging()


@pytest.fixture
def handler(qapp, log_path: Path):
    window_holder: dict[str, QMainWindow] = {}
    h = crash.install_excepthook(log_path, parent_getter=lambda: window_holder.get("w"))
    h.window_holder = window_holder  # type: ignore[attr-defined]
    yield h
    h.uninstall()


def crash_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "crashDialog" and w.isVisible()
    ]


def read_log(path: Path) -> str:
    for h in logging.getLogger().handlers:
        h.flush()
    return path.read_text(encoding="utf-8")


def test_exception_in_slot_shows_dialog_with_log_path(qtbot, handler, log_path: Path) -> None:
    window = QMainWindow()
    button = QPushButton("Daftar", window)
    window.setCentralWidget(button)
    qtbot.addWidget(window)
    window.show()
    handler.window_holder["w"] = window

    def buggy_slot() -> None:
        raise RuntimeError(f"bug while registering NIK {NIK}")

    button.clicked.connect(buggy_slot)
    button.click()

    qtbot.waitUntil(lambda: len(crash_boxes()) == 1, timeout=5000)
    box = crash_boxes()[0]
    assert box.parent() is window
    assert "Something went wrong" in box.text()
    assert str(log_path) in box.informativeText()
    assert "not yet synced is safe" in box.informativeText()
    assert "RuntimeError" in box.detailedText()
    assert NIK not in box.detailedText()  # the details a person may copy are masked too

    text = read_log(log_path)
    assert "Uncaught exception" in text
    assert "RuntimeError: bug while registering NIK [NIK]" in text
    assert NIK not in text

    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not crash_boxes(), timeout=5000)
    assert handler.dialog is None

    # the app keeps running: a second bug later shows the dialog again
    button.click()
    qtbot.waitUntil(lambda: len(crash_boxes()) == 1, timeout=5000)
    crash_boxes()[0].button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not crash_boxes(), timeout=5000)
    assert handler.crash_count == 2


def test_exceptions_while_dialog_is_open_do_not_stack_dialogs(qtbot, handler, log_path) -> None:
    calls = {"n": 0}

    def failing_timer() -> None:
        calls["n"] += 1
        raise ValueError(f"tick {calls['n']}")

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(failing_timer)
    timer.start()
    try:
        qtbot.waitUntil(lambda: calls["n"] >= 10, timeout=5000)
    finally:
        timer.stop()
    qtbot.wait(50)
    assert len(crash_boxes()) == 1  # one dialog, not ten
    assert handler.crash_count >= 10  # every one of them was logged
    assert read_log(log_path).count("ValueError: tick") >= 10
    crash_boxes()[0].close()
    qtbot.waitUntil(lambda: not crash_boxes(), timeout=5000)


def test_exception_raised_inside_the_dialog_does_not_loop(qtbot, handler, log_path, monkeypatch):
    def broken_texts(path: Path):
        raise KeyError("translation table broken")

    monkeypatch.setattr(crash, "crash_texts", broken_texts)
    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.waitUntil(lambda: handler.crash_count == 1, timeout=5000)
    qtbot.wait(100)
    assert not crash_boxes()
    assert handler.crash_count == 1
    text = read_log(log_path)
    assert "ZeroDivisionError" in text
    assert "could not show the crash dialog" in text and "KeyError" in text

    # and once the dialog works again, the next bug is shown normally
    monkeypatch.undo()
    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.waitUntil(lambda: len(crash_boxes()) == 1, timeout=5000)
    crash_boxes()[0].close()


def test_exception_in_worker_thread_is_shown_in_gui_thread(qtbot, handler, log_path) -> None:
    def work() -> None:
        raise OSError("disk exploded in worker")

    t = threading.Thread(target=work, name="db-worker")
    t.start()
    t.join(5)
    qtbot.waitUntil(lambda: len(crash_boxes()) == 1, timeout=5000)
    text = read_log(log_path)
    assert "Uncaught exception in thread db-worker" in text
    assert "OSError: disk exploded in worker" in text
    crash_boxes()[0].close()
    qtbot.waitUntil(lambda: not crash_boxes(), timeout=5000)


def test_uninstall_restores_previous_hooks(qapp, tmp_path: Path) -> None:
    import sys

    before_sys, before_thread = sys.excepthook, threading.excepthook
    h = crash.install_excepthook(tmp_path / "x.log", fatal_log=False)
    assert sys.excepthook == h.excepthook
    h.uninstall()
    assert sys.excepthook is before_sys and threading.excepthook is before_thread


def test_early_crash_without_logging_writes_the_file_itself(qapp, tmp_path: Path) -> None:
    import sys

    path = tmp_path / "early" / "perisai-agent.log"
    h = crash.CrashHandler(path, fatal_log=False)  # not installed: no dialog notifier
    try:
        raise LookupError(f"early bug {NIK}")
    except LookupError:
        h.handle(sys.exc_info())  # type: ignore[arg-type]
    text = path.read_text(encoding="utf-8")
    assert "LookupError: early bug [NIK]" in text


def test_dialog_strings_are_translatable(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    title, text, informative = crash.crash_texts(Path("C:/Users/ana/log.txt"))
    assert "C:/Users/ana/log.txt" in informative
    assert "%1" not in informative
    # pyside6-lupdate (what the lead runs to refresh the .ts) must find every string
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    lupdate_path = str(lupdate) if lupdate.exists() else shutil.which("pyside6-lupdate")
    if lupdate_path is None:
        pytest.skip("pyside6-lupdate not installed")
    ts = tmp_path / "crash.ts"
    subprocess.run([lupdate_path, crash.__file__, "-ts", str(ts)], check=True,
                   capture_output=True, timeout=60)
    extracted = ts.read_text(encoding="utf-8")
    assert extracted.count("<name>Crash</name>") == 1
    assert extracted.count("<source>") == 5
    for part in (title, text, "not yet synced is safe", "send that file to your supervisor"):
        assert part in extracted


def test_indonesian_translation_of_the_dialog_is_complete() -> None:
    """Every crash-dialog string is in resources/translations/perisai_id.ts, translated."""
    import xml.etree.ElementTree as ET

    ts = Path(__file__).resolve().parents[2] / "resources" / "translations" / "perisai_id.ts"
    contexts = {c.findtext("name"): c for c in ET.parse(ts).getroot().iter("context")}
    if "Crash" not in contexts:
        pytest.skip("the Crash context is not in perisai_id.ts yet (strings listed in crash.py)")
    translated = {
        m.findtext("source"): m.find("translation")
        for m in contexts["Crash"].iter("message")
    }
    sources = [
        "Perisai Agent: unexpected error",
        "Something went wrong and Perisai Agent could not finish what it was doing.",
        "Your data that is not yet synced is safe: it is stored on this laptop and will be "
        "sent at the next sync.",
        "The details were written to the log file:\n%1",
        "If this happens again, please send that file to your supervisor.",
    ]
    for source in sources:
        assert source in translated, source
        element = translated[source]
        assert element is not None and (element.text or "").strip(), source
        assert element.get("type") not in ("unfinished", "obsolete"), source
    assert "%1" in translated[sources[3]].text
