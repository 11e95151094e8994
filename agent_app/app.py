"""GUI bootstrap: QApplication, style, translator, crash hook, sign-in, main window.

    run_gui(core, lang=None, argv=None, paths=None) -> exit status
    build_main_window(core, runner, session) -> MainWindow   (tests, self-test)
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

APP_NAME = "Perisai Agent"
SERVER_URL_KEY = "server_url"  # meta key, shared with agent_app.cli
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


def _wait_for(runner, fn, *args):
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


def sign_in(core, runner, lang: str):
    """First-user wizard on a fresh laptop, else the sign-in dialog. None if cancelled."""
    from agent_app.ui.login import FirstUserDialog, SignInDialog

    if _wait_for(runner, core.users.needs_first_user):
        dialog = FirstUserDialog(core, runner, lang=lang)
    else:
        dialog = SignInDialog(core, runner, lang=lang)
    if dialog.exec() != dialog.DialogCode.Accepted:
        return None
    return dialog.user


def stored_server_url(core) -> str | None:
    """The central server this laptop syncs with (set by ``perisai-agent login``)."""
    from agent_app.services.base import get_meta

    with core.db.read() as s:
        return get_meta(s, SERVER_URL_KEY) or None


def start_sync(window, core, session, server_url: str | None):
    """Attach and start background sync when a server is configured; None otherwise."""
    from agent_app.ui.sync_controller import SyncController

    if not server_url:
        return None
    controller = SyncController(core, session, server_url, parent=window)
    window.attach_sync(controller)
    controller.start()
    return controller


def run_gui(core, *, lang: str | None = None, argv: list[str] | None = None, paths=None) -> int:
    from agent_app.ui.i18n import install_translator
    from agent_app.ui.session import UiSession
    from agent_app.ui.tasks import TaskRunner

    app = create_application(argv)
    holder: dict = {}
    _install_crash_hook(paths, lambda: holder.get("window"))
    install_translator(app, lang or "id")
    runner = TaskRunner()
    try:
        user = sign_in(core, runner, lang or "id")
        if user is None:
            return 0
        session = UiSession(user, lang or user.language or "id")
        session.set_language(session.lang)
        window = build_main_window(core, runner, session)
        holder["window"] = window
        start_sync(window, core, session, _wait_for(runner, stored_server_url, core))
        window.resize(1366, 768)
        window.showMaximized()
        status = app.exec()
        window.shutdown()
        return status
    finally:
        runner.shutdown()
