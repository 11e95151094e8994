"""Run service calls off the GUI thread, one at a time, and hand results back by signal.

SQLite has one writer: every database call of the GUI goes through one ``TaskRunner``
(one worker thread), so calls run in the order they were asked and never block the
window. ``TaskRunner(synchronous=True)`` runs calls inline, for deterministic unit tests;
GUI tests use the threaded mode with ``qtbot.waitUntil``.

Widgets do not call ``submit`` themselves: ``agent_app.ui.operations.run`` ties a call to
its widget (cancelled with it) and shows failures nobody handles.

``changed(kind)`` is the one signal that data was written (``submit(..., changes=kind)``
after success, or ``announce(kind)`` for writes made elsewhere, e.g. a sync round): pages
listen to it and refresh what they show. It fires even when the caller has gone, since the
write happened all the same.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from agent_app.ui.errors import log_unexpected

log = logging.getLogger(__name__)


class Task:
    __slots__ = ("fn", "args", "kwargs", "on_done", "on_error", "changes", "cancelled")

    def __init__(self, fn, args, kwargs, on_done, on_error, changes) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.on_done = on_done
        self.on_error = on_error
        self.changes = changes
        self.cancelled = False

    def cancel(self) -> None:
        """The callbacks will not be called (the call itself still runs if started)."""
        self.cancelled = True


class TaskRunner(QObject):
    """One worker thread; callbacks always run on the thread that owns the runner (GUI)."""

    _finished = Signal(object, bool, object)  # task, ok, result-or-exception
    busy_changed = Signal(bool)
    changed = Signal(str)  # a write of this kind happened (see agent_app.ui.operations)

    def __init__(self, *, synchronous: bool = False, name: str = "db", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self._queue: queue.Queue[Task | None] = queue.Queue()
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
        changes: str | None = None,
        **kwargs: Any,
    ) -> Task:
        task = Task(fn, args, kwargs, on_done, on_error, changes)
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

    def _run(self, task: Task) -> None:
        try:
            result = task.fn(*task.args, **task.kwargs)
        except BaseException as exc:  # handed to the GUI thread, which decides
            log_unexpected(exc, f"task {getattr(task.fn, '__qualname__', task.fn)}")
            self._finished.emit(task, False, exc)
        else:
            self._finished.emit(task, True, result)

    @Slot(object, bool, object)
    def _deliver(self, task: Task, ok: bool, value: Any) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if ok and task.changes:
            self.changed.emit(task.changes)
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

    def announce(self, kind: str) -> None:
        """Data of ``kind`` was written outside this runner (a sync round)."""
        self.changed.emit(kind)

    def shutdown(self, timeout: float = 10.0) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
