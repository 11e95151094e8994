"""One way for a widget to run work: on the database thread, with the outcome on the GUI
thread, tied to the widget that asked.

    run(self, self.runner, core.payments.collect, user, worker_id, months, method,
        on_done=self._saved, changes=PAYMENTS)

* ``fn(*args, **kwargs)`` runs on the runner's thread (never the GUI's);
* ``on_done(result)`` / ``on_error(exc)`` run on the GUI thread;
* the call is cancelled with ``parent``: when it is destroyed, or, for a dialog, when it
  closes, its callbacks are dropped (the call itself still finishes: a write is never cut
  in half);
* without ``on_error``, a failure is shown over ``parent`` in the person's language
  (``agent_app.ui.errors``: never an internal code; a bug says where the log is);
* ``changes`` names what a successful call wrote: ``runner.changed`` tells every page
  that listens (lists, counters, the status bar refresh themselves), even when ``parent``
  has gone in the meantime.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Slot
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from agent_app.ui.errors import error_text
from agent_app.ui.i18n import current_language
from agent_app.ui.tasks import Task, TaskRunner
from agent_app.ui.widgets import breakable

# What a write changed (``runner.changed``); pages pick the kinds they show.
WORKERS = "workers"  # registrations, corrections, imports, deletion requests
PAYMENTS = "payments"  # collections and voids
CLOSEOUT = "closeout"  # close-outs and hand-overs
ATTENTION = "attention"  # an item of "Perlu perhatian" resolved (resubmitted, dismissed)
SYNCED = "synced"  # a sync round ended: anything may have arrived


class _Tether(QObject):
    """A child of the widget: dies with it, and drops the callbacks of its calls."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("operationsTether")
        tasks: list[Task] = []
        self.tasks = tasks

        def forget(*_args: Any) -> None:
            for task in tasks:
                task.cancel()

        # Bound to the list, not to self: the Python wrapper is gone when destroyed fires.
        self.destroyed.connect(forget)
        if isinstance(parent, QDialog):
            # A slot of this QObject, not a lambda: PySide 6 cannot disconnect a dialog's
            # other signals on deletion once a lambda hangs on its ``finished``.
            parent.finished.connect(self.cancel_all)

    @Slot(int)
    def cancel_all(self, _result: int = 0) -> None:
        for task in self.tasks:
            task.cancel()
        self.tasks.clear()

    def keep(self, task: Task) -> None:
        self.tasks[:] = [t for t in self.tasks if not t.cancelled][-50:]
        self.tasks.append(task)


def _tether(parent: QObject) -> _Tether:
    for child in parent.children():
        if isinstance(child, _Tether):
            return child
    return _Tether(parent)


def run(parent: QObject, runner: TaskRunner, fn: Callable[..., Any], *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        changes: str | None = None, **kwargs: Any) -> Task:
    """Run ``fn`` for ``parent`` (see the module's docstring); returns the task."""
    if on_error is None:
        def on_error(exc: BaseException) -> None:
            show_error(parent if isinstance(parent, QWidget) else None, exc)
    task = runner.submit(fn, *args, on_done=on_done, on_error=on_error, changes=changes,
                         **kwargs)
    _tether(parent).keep(task)
    return task


def show_error(parent: QWidget | None, exc: BaseException, title: str = "") -> QMessageBox:
    """The default display of a failure: a window-modal box over ``parent``'s window that
    does not block the caller."""
    box = QMessageBox(parent.window() if parent is not None else None)
    box.setObjectName("errorMessage")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or QCoreApplication.translate("Errors", "Perisai Agent"))
    box.setText(breakable(error_text(exc, current_language())))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
