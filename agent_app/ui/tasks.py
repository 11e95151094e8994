"""Run service calls off the GUI thread, one at a time, and hand results back by signal.

SQLite has one writer: every database call of the GUI goes through one ``TaskRunner``
(one worker thread), so calls run in the order they were asked and never block the
window. ``TaskRunner(synchronous=True)`` runs calls inline, for deterministic unit tests;
GUI tests use the threaded mode with ``qtbot.waitUntil``.

Usage::

    runner.submit(core.workers.register, actor, form,
                  on_done=self._saved, on_error=self._show_error)
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class _Task:
    __slots__ = ("fn", "args", "kwargs", "on_done", "on_error", "cancelled")

    def __init__(self, fn, args, kwargs, on_done, on_error) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.on_done = on_done
        self.on_error = on_error
        self.cancelled = False

    def cancel(self) -> None:
        """The callbacks will not be called (the call itself still runs if started)."""
        self.cancelled = True


class TaskRunner(QObject):
    """One worker thread; callbacks always run on the thread that owns the runner (GUI)."""

    _finished = Signal(object, bool, object)  # task, ok, result-or-exception
    busy_changed = Signal(bool)

    def __init__(self, *, synchronous: bool = False, name: str = "db", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self._queue: queue.Queue[_Task | None] = queue.Queue()
        self._pending = 0
        self._finished.connect(self._deliver)
        self._thread: threading.Thread | None = None
        if not synchronous:
            self._thread = threading.Thread(target=self._loop, name=f"perisai-{name}", daemon=True)
            self._thread.start()

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> _Task:
        task = _Task(fn, args, kwargs, on_done, on_error)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        if self.synchronous:
            self._run(task)
        else:
            self._queue.put(task)
        return task

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def _loop(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            self._run(task)

    def _run(self, task: _Task) -> None:
        try:
            result = task.fn(*task.args, **task.kwargs)
        except BaseException as exc:  # handed to the GUI thread, which decides
            if not _is_expected(exc):
                log.error("task %s failed:\n%s", getattr(task.fn, "__qualname__", task.fn),
                          "".join(traceback.format_exception(exc)))
            self._finished.emit(task, False, exc)
        else:
            self._finished.emit(task, True, result)

    @Slot(object, bool, object)
    def _deliver(self, task: _Task, ok: bool, value: Any) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if task.cancelled:
            return
        if ok:
            if task.on_done is not None:
                task.on_done(value)
        elif task.on_error is not None:
            task.on_error(value)
        else:
            # No handler: a bug. Re-raise on the GUI thread so the crash handler shows it.
            raise value

    def shutdown(self, timeout: float = 10.0) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)


def _is_expected(exc: BaseException) -> bool:
    """Refusals a person reads (ServiceError, StoreError) are not bugs: no traceback."""
    from agent_app.services.base import ServiceError
    from agent_app.store.db import StoreError

    return isinstance(exc, (ServiceError, StoreError))
