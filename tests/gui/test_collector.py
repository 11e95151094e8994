"""Garbage is collected on the GUI thread: a worker thread never deletes a Qt object.

A Qt object in a reference cycle can only be freed by Python's cyclic collector, which
runs on whichever thread allocates past a threshold. Deleted on the database or sync
thread, a GUI-thread object can crash the app or deadlock it with the window.
"""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QObject, Qt

from agent_app.ui.collector import GuiThreadCollector


def _qt_object_in_a_cycle(deleted_on: list[str]) -> None:
    helper = QObject()  # parentless: Python owns it, and deletes it when it is collected
    helper.setProperty("cycle", helper)
    holder = {"helper": helper}
    holder["self"] = holder  # only the cyclic collector can free it now
    helper.destroyed.connect(lambda: deleted_on.append(threading.current_thread().name),
                             Qt.ConnectionType.DirectConnection)


def _worker_making_garbage_cycles() -> None:
    def work() -> None:
        for _ in range(20_000):  # far past every threshold of the automatic collector
            cycle: list = []
            cycle.append(cycle)

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()


@pytest.fixture
def automatic_collection():
    """The interpreter's default, for the control case (the suite runs GUI tests with
    the GUI-thread collector, as the app does)."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.enable()
    yield
    gc.collect()
    if not was_enabled:
        gc.disable()


def test_without_it_a_worker_thread_deletes_a_qt_object_of_the_gui_thread(qapp, automatic_collection):
    deleted_on: list[str] = []
    _qt_object_in_a_cycle(deleted_on)
    _worker_making_garbage_cycles()
    assert deleted_on == ["worker"]


def test_the_gui_thread_collects_what_the_worker_threads_leave(qtbot, automatic_collection):
    deleted_on: list[str] = []
    collector = GuiThreadCollector().start()
    try:
        _qt_object_in_a_cycle(deleted_on)
        _worker_making_garbage_cycles()
        assert deleted_on == []
        # The collector's timer collects once the garbage passes the thresholds.
        qtbot.waitUntil(lambda: deleted_on == ["MainThread"], timeout=3000)
    finally:
        collector.stop()
    assert gc.isenabled()  # stopped, the automatic collection is back


def test_stopping_collects_the_rest_and_keeps_a_collection_that_was_off(qapp):
    gc.disable()
    deleted_on: list[str] = []
    collector = GuiThreadCollector().start()
    _qt_object_in_a_cycle(deleted_on)
    collector.stop()
    assert deleted_on == ["MainThread"]
    assert not gc.isenabled()
