"""The TaskRunner on its own: calls in order off the GUI thread, results on the GUI thread,
cancelled callbacks, failures without a handler, the ``changed`` signal."""

from __future__ import annotations

import threading

import pytest

from agent_app.ui.tasks import TaskRunner


@pytest.fixture
def threaded(qapp):
    runner = TaskRunner(name="test")
    yield runner
    runner.shutdown()


def test_synchronous_mode_runs_inline_and_answers_at_once(qapp):
    runner = TaskRunner(synchronous=True)
    got, threads = [], []
    runner.submit(lambda a, b=0: threads.append(threading.current_thread()) or a + b, 2, b=3,
                  on_done=got.append)
    assert got == [5]
    assert threads == [threading.main_thread()]
    assert not runner.busy


def test_threaded_mode_runs_off_the_gui_thread_in_order_and_answers_on_it(qtbot, threaded):
    ran_on, answered_on, order = [], [], []
    busy = []
    threaded.busy_changed.connect(busy.append)
    for i in range(5):
        threaded.submit(lambda i=i: ran_on.append(threading.current_thread()) or i,
                        on_done=lambda r: (order.append(r),
                                           answered_on.append(threading.current_thread())))
    assert threaded.busy
    qtbot.waitUntil(lambda: len(order) == 5)
    assert order == [0, 1, 2, 3, 4]
    assert threading.main_thread() not in ran_on
    assert set(answered_on) == {threading.main_thread()}
    qtbot.waitUntil(lambda: not threaded.busy)
    assert busy == [True, False]


def test_a_cancelled_task_still_runs_but_calls_nobody_back(qtbot, threaded):
    gate = threading.Event()
    ran, answered = [], []
    task = threaded.submit(lambda: gate.wait(5) and ran.append(1),
                           on_done=answered.append, on_error=answered.append)
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not threaded.busy)
    assert ran == [1] and answered == []


def test_an_error_goes_to_its_handler_on_the_gui_thread(qtbot, threaded):
    errors = []

    def fail():
        raise ValueError("boom")

    threaded.submit(fail, on_error=lambda exc: errors.append((exc, threading.current_thread())))
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0][0], ValueError) and errors[0][1] is threading.main_thread()


def test_an_error_without_a_handler_is_raised_on_the_gui_thread_and_logged(qtbot, threaded, caplog):
    """A failure nobody handles is a bug: it reaches the crash handler (sys.excepthook on the
    GUI thread), with its traceback in the log."""
    def fail():
        raise KeyError("nobody handles me")

    with qtbot.capture_exceptions() as raised:
        threaded.submit(fail)
        qtbot.waitUntil(lambda: bool(raised), timeout=5000)
    assert isinstance(raised[0][1], KeyError)
    assert "nobody handles me" in caplog.text and "Traceback" in caplog.text


def test_changed_fires_after_a_successful_write_even_when_cancelled(qtbot, threaded):
    kinds = []
    threaded.changed.connect(kinds.append)
    task = threaded.submit(lambda: None, changes="payments")
    task.cancel()  # the caller went away; the write happened all the same
    threaded.submit(lambda: 1 / 0, on_error=lambda exc: None, changes="workers")
    qtbot.waitUntil(lambda: not threaded.busy)
    assert kinds == ["payments"]  # a failed write changed nothing
    threaded.announce("synced")
    assert kinds == ["payments", "synced"]
