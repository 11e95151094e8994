"""Last line of defence for bugs: log the traceback, tell the person calmly, keep going.

``install_excepthook(log_path, parent_getter)`` is called once by the GUI bootstrap, after
``agent_app.logs.setup_logging`` and after the ``QApplication`` exists. From then on an
uncaught exception (in a slot, in a Python thread, or at top level) is:

1. written to the log with its traceback (masked by ``agent_app.logs``);
2. shown in a non-blocking ``QMessageBox`` in the user's language (strings are marked with
   ``QCoreApplication.translate("Crash", ...)``), saying that something went wrong, where
   the log file is, and that unsynced data is safe on this laptop.

Reentrancy: while a crash dialog is open, further exceptions (including one raised while
building or showing the dialog) are only logged, never shown in a second dialog, so a
failing paint or timer cannot loop. Exceptions from other threads are handed to the GUI
thread by a queued signal. Hard crashes (segfaults in native code) are written by
``faulthandler`` to ``fatal.log`` next to the log file.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from agent_app.logs import is_configured, mask

log = logging.getLogger("agent_app.crash")

FATAL_LOG_NAME = "fatal.log"
# A dialog that keeps coming back is worse than none: after this many, only log.
MAX_DIALOGS_PER_RUN = 5

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def crash_texts(log_path: Path) -> tuple[str, str, str]:
    """(title, text, informative text) of the crash dialog, translated.

    Each string is a literal inside ``QCoreApplication.translate("Crash", ...)`` so that
    pyside6-lupdate extracts it into the .ts file (a helper taking a variable would hide it).
    """
    translate = QCoreApplication.translate
    title = translate("Crash", "Perisai Agent: unexpected error")
    text = translate("Crash", "Something went wrong and Perisai Agent could not finish what it was doing.")  # noqa: E501
    safe = translate("Crash", "Your data that is not yet synced is safe: it is stored on this laptop and will be sent at the next sync.")  # noqa: E501
    where = translate("Crash", "The details were written to the log file:\n%1").replace("%1", str(log_path))
    again = translate("Crash", "If this happens again, please send that file to your supervisor.")
    return title, text, f"{safe}\n\n{where}\n\n{again}"


class _GuiNotifier(QObject):
    """Lives in the GUI thread; a signal emitted from any thread reaches it queued."""

    crashed = Signal(str)


class CrashHandler:
    """The installed hook. Keep the returned object; ``uninstall()`` restores the old hooks."""

    def __init__(
        self,
        log_path: Path,
        parent_getter: Callable[[], QWidget | None] | None = None,
        *,
        fatal_log: bool = True,
    ) -> None:
        self.log_path = Path(log_path)
        self.parent_getter = parent_getter
        self.dialog: QMessageBox | None = None
        self.dialogs_shown = 0
        self.crash_count = 0
        self._showing = False
        self._handling = threading.local()
        self._previous_excepthook = sys.excepthook
        self._previous_threading_hook = threading.excepthook
        self._notifier: _GuiNotifier | None = None
        self._fatal_file: IO[str] | None = None
        if fatal_log:
            self._enable_faulthandler()

    # ----------------------------------------------------------------- install
    def install(self) -> CrashHandler:
        app = QCoreApplication.instance()
        if app is not None:
            self._notifier = _GuiNotifier()
            self._notifier.moveToThread(app.thread())
            self._notifier.crashed.connect(self._show_dialog, Qt.ConnectionType.QueuedConnection)
        sys.excepthook = self.excepthook
        threading.excepthook = self.threading_excepthook
        return self

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_excepthook
        if threading.excepthook == self.threading_excepthook:
            threading.excepthook = self._previous_threading_hook
        if self._fatal_file is not None:
            faulthandler.disable()
            self._fatal_file.close()
            self._fatal_file = None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        if self._notifier is not None:
            self._notifier.deleteLater()
            self._notifier = None

    def _enable_faulthandler(self) -> None:
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._fatal_file = open(  # noqa: SIM115 - kept open for the process's life
                self.log_path.parent / FATAL_LOG_NAME, "a", encoding="utf-8"
            )
            faulthandler.enable(self._fatal_file)
        except OSError:
            log.warning("could not enable faulthandler", exc_info=True)
            self._fatal_file = None

    # ------------------------------------------------------------------ hooks
    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_excepthook(exc_type, exc, tb)
            return
        self.handle((exc_type, exc, tb), thread_name=threading.current_thread().name)

    def threading_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        thread_name = args.thread.name if args.thread is not None else "?"
        exc = args.exc_value if args.exc_value is not None else args.exc_type()
        self.handle((args.exc_type, exc, args.exc_traceback), thread_name=thread_name)

    def handle(self, exc_info: ExcInfo, *, thread_name: str = "") -> None:
        """Log ``exc_info`` and ask the GUI thread to show the dialog. Never raises."""
        if getattr(self._handling, "active", False):
            return  # an exception raised while handling one: never loop
        self._handling.active = True
        try:
            self.crash_count += 1
            self._log(exc_info, thread_name)
            if self._notifier is not None and QCoreApplication.instance() is not None:
                details = mask("".join(traceback.format_exception(*exc_info)))
                self._notifier.crashed.emit(details)
        except Exception:  # pragma: no cover - the hook itself must never fail loudly
            try:
                if sys.__stderr__ is not None:  # None in a windowed build
                    sys.__stderr__.write("crash handler failed:\n" + traceback.format_exc())
            except Exception:
                pass
        finally:
            self._handling.active = False

    def _log(self, exc_info: ExcInfo, thread_name: str) -> None:
        root = logging.getLogger()
        if is_configured():
            log.critical("Uncaught exception in thread %s", thread_name, exc_info=exc_info)
            for handler in root.handlers:
                handler.flush()
        else:  # logging not set up (very early crash): write to the file ourselves
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(
                    mask(
                        f"CRITICAL Uncaught exception in thread {thread_name}\n"
                        + "".join(traceback.format_exception(*exc_info))
                    )
                )

    # ----------------------------------------------------------------- dialog
    @Slot(str)
    def _show_dialog(self, details: str) -> None:
        if self._showing or self.dialogs_shown >= MAX_DIALOGS_PER_RUN:
            return
        if not isinstance(QCoreApplication.instance(), QApplication):
            return  # a headless QCoreApplication: logging is all we can do
        self._showing = True
        try:
            parent = None
            if self.parent_getter is not None:
                try:
                    parent = self.parent_getter()
                except Exception:
                    log.warning("crash dialog parent_getter failed", exc_info=True)
            if parent is None:
                parent = QApplication.activeWindow()
            title, text, informative = crash_texts(self.log_path)
            box = QMessageBox(parent)
            box.setObjectName("crashDialog")
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle(title)
            box.setText(text)
            box.setInformativeText(informative)
            box.setDetailedText(details)
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.finished.connect(self._dialog_finished)
            self.dialog = box
            self.dialogs_shown += 1
            box.open()  # window-modal, does not block: the hook has already returned
        except Exception:
            self._showing = False
            self.dialog = None
            log.critical("could not show the crash dialog", exc_info=True)

    def _dialog_finished(self, _result: int) -> None:
        self._showing = False
        self.dialog = None


def install_excepthook(
    log_path: Path,
    parent_getter: Callable[[], QWidget | None] | None = None,
    *,
    fatal_log: bool = True,
) -> CrashHandler:
    """Install the crash handler for this process and return it.

    Call after ``setup_logging`` and after creating the ``QApplication`` (so the dialog
    can be shown in the GUI thread). ``parent_getter`` returns the window to centre the
    dialog on (defaults to the active window). ``fatal_log`` enables ``faulthandler``
    into ``fatal.log`` beside ``log_path``.
    """
    return CrashHandler(log_path, parent_getter, fatal_log=fatal_log).install()

