"""GUI bootstrap: QApplication, style, translator, crash hook, sign-in, main window.

    run_gui(open_core, lang=None, argv=None, paths=None) -> exit status
    build_main_window(core, runner, session) -> MainWindow   (tests, self-test)
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_app.services.core import AgentCore

log = logging.getLogger(__name__)

APP_NAME = "Perisai Agent"
ORG_NAME = "Perisai Makassar"


def build_main_window(core, runner, session):
    """The main window for a signed-in session; does no database work on the GUI thread
    (its data loads through ``runner``). Not shown."""
    from agent_app.ui.main_window import MainWindow

    return MainWindow(core, runner, session)


def create_application(argv: list[str] | None = None):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None and not isinstance(app, QApplication):
        raise RuntimeError("a Qt application without widgets is already running")
    if app is None:
        from agent_app.qt_platform import require_gui_libraries

        require_gui_libraries()
        # 150 % Windows scaling must give 1.5x, not a rounded 2x.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(argv) if argv else [sys.argv[0] if sys.argv else "perisai-agent"])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    from agent_app.ui.style import apply_style

    apply_style(app)
    return app


def _wait_for(runner, fn, *args) -> Any:
    """Run ``fn`` on the runner and spin the event loop until it answers (start-up only:
    there is no window yet that could look frozen, and the loop keeps Qt responsive)."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    box: dict = {}

    def done(value):
        box["value"] = value
        loop.quit()

    def failed(exc):
        box["error"] = exc
        loop.quit()

    runner.submit(fn, *args, on_done=done, on_error=failed)
    if "value" not in box and "error" not in box:
        loop.exec()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _install_crash_hook(paths, window_getter) -> None:
    from agent_app import crash

    if paths is None:
        return
    log_path = Path(paths.logs) / "perisai-agent.log"
    try:
        crash.install_excepthook(log_path, window_getter)
    except Exception:  # the app must start even if the crash handler cannot
        log.exception("crash handler not installed")


class OpeningCore:
    """The AgentCore, opened on the database thread while the sign-in window shows.

    Everything here runs on that one thread, one call at a time: whichever comes first,
    ``open`` or a sign-in sent before the store is open (a quick typist, a password
    manager), opens the store, and the other finds it open. ``users.authenticate`` is
    all the sign-in window asks of a core.
    """

    def __init__(self, open_core) -> None:
        self._open_core = open_core
        self.core: AgentCore | None = None
        self.error: BaseException | None = None
        self.users = SimpleNamespace(authenticate=self._authenticate)

    def open(self) -> bool:
        """Open the store (once); True when it has no user yet."""
        return self._opened().users.needs_first_user()

    def _opened(self) -> AgentCore:
        if self.error is not None:
            raise self.error
        if self.core is None:
            try:
                self.core = self._open_core()
            except BaseException as exc:
                self.error = exc
                raise
        return self.core

    def warm_up(self) -> None:
        """After ``open``: the first search of the day is as quick as the next ones
        (``WorkerService.warm_up``), and the main window's modules are loaded before the
        person has signed in (creating widgets stays on the GUI thread)."""
        if self.core is None:
            return
        self.core.workers.warm_up()
        import agent_app.ui.main_window  # noqa: F401

    def _authenticate(self, username: str, password: str):
        self.open()
        return self._opened().users.authenticate(username, password)


def _warm_up_behind(runner, opening: OpeningCore) -> None:
    runner.submit(opening.warm_up, on_error=lambda _exc: None)  # a failure only costs time


def sign_in(opening: OpeningCore, runner, lang: str, *, at_once: bool = True):
    """The sign-in window, shown at once (``at_once``: the laptop has a database) while
    the store opens behind it; the first-user wizard when the store has nobody yet (a
    fresh laptop opens its new store first). The signed-in User; None if cancelled or if
    the store could not be opened (then ``opening.error`` says why)."""
    from PySide6.QtCore import QTimer

    from agent_app.ui.login import FirstUserDialog, SignInDialog

    outcome: dict = {}
    if not at_once:
        try:
            outcome["first"] = _wait_for(runner, opening.open)
        except Exception:  # opening.error says why
            return None
        _warm_up_behind(runner, opening)
    if not outcome.get("first"):
        dialog = SignInDialog(opening, runner, lang=lang)
        if not outcome:
            def opened(first: bool) -> None:
                outcome["first"] = first
                if first:
                    dialog.reject()

            def open_behind() -> None:
                runner.submit(opening.open, on_done=opened, on_error=lambda _exc: dialog.reject())
                _warm_up_behind(runner, opening)

            # Once the window is up: opening the store takes most of a second (imports,
            # decryption) and must not hold the window back.
            QTimer.singleShot(0, open_behind)
        QTimer.singleShot(0, lambda: log.info("sign-in window shown"))
        if dialog.exec() == dialog.DialogCode.Accepted:
            return dialog.user
        if not outcome.get("first"):
            return None
    first = FirstUserDialog(opening.core, runner, lang=lang)
    if first.exec() != first.DialogCode.Accepted:
        return None
    return first.user




def start_sync(window, core, session, server_url: str | None):
    """Attach and start background sync when a server is configured; None otherwise."""
    from agent_app.ui.sync_controller import SyncController

    if not server_url:
        return None
    controller = SyncController(core, session, server_url, parent=window)
    window.attach_sync(controller)
    controller.start()
    return controller


def _show_open_failure(exc: BaseException, lang: str) -> None:
    """The store could not be opened (no keyring, a missing key, a newer database...):
    the reason in words, then the app ends; nothing was changed."""
    from PySide6.QtWidgets import QMessageBox

    from agent_app.ui.errors import error_text

    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, error_text(exc, lang))
    box.setObjectName("openFailed")
    box.exec()


def run_gui(open_core, *, lang: str | None = None, argv: list[str] | None = None,
            paths=None) -> int:
    """The app's window: sign-in first, the store opening behind it (``open_core`` runs on
    the database thread and returns the AgentCore, which is closed at the end), then the
    main window. Returns the exit status: 1 when the store could not be opened."""
    from agent_app.ui.collector import GuiThreadCollector
    from agent_app.ui.i18n import install_translator
    from agent_app.ui.tasks import TaskRunner

    app = create_application(argv)
    collector = GuiThreadCollector().start()  # before any of the app's threads starts
    holder: dict = {}
    _install_crash_hook(paths, lambda: holder.get("window"))
    install_translator(app, lang or "id")
    runner = TaskRunner()
    opening = OpeningCore(open_core)
    try:
        user = sign_in(opening, runner, lang or "id",
                       at_once=paths is None or paths.database.exists())
        if opening.error is not None:
            _show_open_failure(opening.error, lang or "id")
            return 1
        if user is None:
            return 0
        from agent_app.services.centre import centre_url
        from agent_app.ui.session import UiSession

        core = opening.core
        assert core is not None  # a sign-in needs the opened store
        session = UiSession(user, lang or user.language or "id")
        session.set_language(session.lang)
        window = build_main_window(core, runner, session)
        holder["window"] = window
        start_sync(window, core, session, _wait_for(runner, centre_url, core.db))
        window.resize(1366, 768)
        window.showMaximized()
        status = app.exec()
        window.shutdown()
        return status
    finally:
        runner.shutdown()
        if opening.core is not None:
            opening.core.close()
        collector.stop()
