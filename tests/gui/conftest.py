"""Shared GUI fixtures: a real AgentCore on a SQLite file in tmp_path, a threaded
TaskRunner, a signed-in UiSession (Bahasa Indonesia) and the main window.

    core        AgentCore, FixedClock at 2026-11-24 10:00 WITA, users "spv" + "agen"
    agent_user / supervisor_user   the User rows (passwords: AGENT_PASSWORD / SUPERVISOR_PASSWORD)
    runner      TaskRunner (threaded; use qtbot.waitUntil); sync_runner: synchronous=True
    session     UiSession(agent_user, "id") with the Indonesian translator installed
    supervisor_session  UiSession(supervisor_user, "id"): what only supervisors may do
    main_window MainWindow shown at 1366x768 (offscreen)
    workers_factory(n, **overrides) -> list[str] ids: fast bulk insert (tests.helpers.gui.add_workers)
"""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QApplication

from agent_app.services.base import FixedClock
from agent_app.services.core import AgentCore
from tests.helpers.gui import AGENT_PASSWORD, KECAMATAN, NOW, SUPERVISOR_PASSWORD, add_workers, show_active


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    """One migrated database with the two users, copied for every test: migrations and
    argon2 hashing cost seconds, a file copy costs milliseconds."""
    path = tmp_path_factory.mktemp("template") / "p.db"
    core = AgentCore.open(path, clock=FixedClock(NOW))
    supervisor = core.users.create_user(
        username="spv", full_name="Andi Supervisor", role="supervisor",
        password=SUPERVISOR_PASSWORD,
    )
    core.users.create_user(
        username="agen", full_name="Besse Agen", role="agent", password=AGENT_PASSWORD,
        kecamatan_code=KECAMATAN, actor=supervisor,
    )
    core.close()
    return path


@pytest.fixture
def core(tmp_path, clock, _template_db):
    for suffix in ("", "-wal", "-shm"):
        source = _template_db.with_name(_template_db.name + suffix)
        if source.exists():
            shutil.copyfile(source, tmp_path / ("p.db" + suffix))
    core = AgentCore.open(tmp_path / "p.db", clock=clock)
    yield core
    core.close()


def _user(core, username):
    return next(u for u in core.users.list_users() if u.username == username)


@pytest.fixture
def supervisor_user(core):
    return _user(core, "spv")


@pytest.fixture
def agent_user(core):
    return _user(core, "agen")


@pytest.fixture
def runner(qapp):
    from agent_app.ui.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def sync_runner(qapp):
    from agent_app.ui.tasks import TaskRunner

    return TaskRunner(synchronous=True)


@pytest.fixture
def session(qapp, agent_user):
    from agent_app.ui.i18n import install_translator
    from agent_app.ui.session import UiSession

    install_translator(qapp, "id")
    session = UiSession(agent_user, "id")
    yield session


@pytest.fixture
def supervisor_session(qapp, supervisor_user, session):
    """Signed in as the supervisor (import, full NIKs in lists, voiding any payment)."""
    from agent_app.ui.session import UiSession

    return UiSession(supervisor_user, "id")


def open_main_window(qtbot, core, runner, session, size=(1366, 768)):
    """A signed-in main window, shown and active (call ``shutdown()`` when done)."""
    from agent_app.app import build_main_window

    window = build_main_window(core, runner, session)
    qtbot.addWidget(window)
    window.resize(*size)
    show_active(qtbot, window)
    return window


@pytest.fixture
def main_window(qtbot, core, runner, session):
    window = open_main_window(qtbot, core, runner, session)
    yield window
    window.shutdown()


@pytest.fixture
def workers_factory(core, agent_user):
    """``workers_factory(n, **overrides)`` -> ids, inserted as the agent."""
    def make(n: int, **overrides):
        return add_workers(core, agent_user, n, **overrides)
    return make


# The offscreen platform (no display here) warns about what it cannot do with top-level
# windows and popups (size hints, raise, keyboard grabs for menus); real platforms don't.
# Everything else Qt logs still fails a test.
OFFSCREEN_NOISE = (
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/gui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE))


def question(qtbot):
    """The question box the app shows (``agent_app.ui.widgets.ask``), once it is up."""
    from PySide6.QtWidgets import QMessageBox

    def shown():
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.objectName() == "question" and w.isVisible()]
    qtbot.waitUntil(lambda: bool(shown()), timeout=3000)
    return shown()[0]


def answer(qtbot, box, key: str) -> None:
    """Click the answer ``key`` of a question box."""
    from PySide6.QtCore import Qt

    button = next(b for b in box.buttons() if b.objectName() == f"answer_{key}")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture(autouse=True)
def _untranslated_unless_asked(qapp):
    """Every test starts with no translator (English source strings), whatever ran before;
    the ``session`` fixture (or install_translator) switches to Bahasa Indonesia."""
    from agent_app.ui.i18n import install_translator

    install_translator(qapp, "en")
    yield
    install_translator(qapp, "en")


@pytest.fixture(autouse=True)
def _close_stray_windows(qapp):
    yield
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
