"""A cancellable progress dialog for long work run through the TaskRunner.

The service function must accept ``progress(done, total)`` and ``cancel`` keyword
arguments (see ``agent_app.services.reports``): it reports from the worker thread (the
bridge re-emits on the GUI thread) and stops with ``Cancelled`` when the token is set.

    dialog = ProgressDialog(runner, self.tr("Exporting…"), parent=self)
    dialog.start(core.reports.registrations, month, on_done=self._shown)

The dialog only appears when the work takes longer than ``delay_ms``, so quick runs do
not flash; Escape or the Cancel button cancel. The window stays responsive throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from agent_app.services.reports import Cancelled, CancelToken
from agent_app.ui.operations import run


class _Bridge(QObject):
    progressed = Signal(int, int)

    def report(self, done: int, total: int) -> None:  # called on the worker thread
        self.progressed.emit(int(done), int(total))


class ProgressDialog(QDialog):
    finished_ok = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, runner, label: str | Callable[[], str] = "",
                 parent: QWidget | None = None, *, delay_ms: int = 300) -> None:
        super().__init__(parent)
        self.setObjectName("progressDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.runner = runner
        self.token = CancelToken()
        self.running = False
        self._bridge = _Bridge(self)
        self._bridge.progressed.connect(self._progressed)
        # A callable label is re-read on a language change (pass a lambda around self.tr).
        self._label = label
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.request_cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(420)
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(delay_ms)
        self._show_timer.timeout.connect(self._maybe_show)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Please wait"))
        self.label.setText(self._label() if callable(self._label) else self._label)
        self.cancel_button.setText(self.tr("Cancel") if not self.token.cancelled
                                   else self.tr("Cancelling…"))

    def start(self, fn: Callable[..., Any], *args: Any,
              on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None,
              on_cancel: Callable[[], None] | None = None, **kwargs: Any) -> CancelToken:
        self.running = True
        self._on_done, self._on_error, self._on_cancel = on_done, on_error, on_cancel
        run(self, self.runner, fn, *args, progress=self._bridge.report, cancel=self.token,
            on_done=self._done, on_error=self._error, **kwargs)
        if self.running:  # a synchronous runner may already have finished
            self._show_timer.start()
        return self.token

    def _maybe_show(self) -> None:
        if self.running:
            self.show()
            self.cancel_button.setFocus()

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def request_cancel(self) -> None:
        if self.running and not self.token.cancelled:
            self.token.cancel()
            self.cancel_button.setEnabled(False)
            self.retranslateUi()

    def reject(self) -> None:  # Escape and the close button cancel the work
        self.request_cancel()

    def _finish(self) -> None:
        self.running = False
        self._show_timer.stop()
        self.hide()

    def _done(self, result: Any) -> None:
        self._finish()
        self.finished_ok.emit(result)
        if self._on_done is not None:
            self._on_done(result)

    def _error(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.cancelled.emit()
            if self._on_cancel is not None:
                self._on_cancel()
            return
        self.failed.emit(exc)
        if self._on_error is not None:
            self._on_error(exc)
