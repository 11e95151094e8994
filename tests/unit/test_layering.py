"""Domain, store, services and sync must run without Qt (headless commands, the server)."""

import subprocess
import sys


def test_core_layers_do_not_import_qt():
    code = (
        "import sys\n"
        "import agent_app.domain.coverage, agent_app.domain.nik, agent_app.domain.tariffs\n"
        "import agent_app.domain.person, agent_app.domain.phone, agent_app.domain.receipts\n"
        "import agent_app.store.db, agent_app.store.models, agent_app.store.keys\n"
        "import agent_app.services.core, agent_app.services.importer, agent_app.demo\n"
        "import agent_app.cli\n"
        "import perisai_protocol, sync.engine, sync.client, sync.headless, central_server.app\n"
        "leaked = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken')))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt imported by a core layer: {result.stdout}"


def test_the_sign_in_window_comes_before_the_store_and_sync_layers():
    """The window shows while the store opens behind it: what it needs must not import
    SQLAlchemy, the use cases or sync (most of a second of start-up)."""
    code = (
        "import sys\n"
        "import agent_app.cli, agent_app.app, agent_app.crash, agent_app.ui.login\n"
        "import agent_app.ui.i18n, agent_app.ui.style, agent_app.ui.tasks\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'agent_app.services.base', 'sync.client', 'argon2')\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"loaded before the sign-in window: {result.stdout}"
