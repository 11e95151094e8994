"""What each layer loads: domain, store, services and sync run without Qt (headless
commands, the server); the sign-in window comes before the store and sync layers."""

import subprocess
import sys


def _loaded_by(imports: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with ``prefixes`` that importing ``imports`` loads (in a fresh
    interpreter)."""
    code = (
        f"import sys\nimport {imports}\n"
        f"print(','.join(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [name for name in result.stdout.strip().split(",") if name]


def test_core_layers_do_not_import_qt():
    leaked = _loaded_by(
        "agent_app.domain.coverage, agent_app.domain.nik, agent_app.domain.tariffs, "
        "agent_app.domain.person, agent_app.domain.phone, agent_app.domain.receipts, "
        "agent_app.store.db, agent_app.store.models, agent_app.store.keys, "
        "agent_app.services.core, agent_app.services.importer, agent_app.demo, agent_app.cli, "
        "perisai_protocol, sync.engine, sync.client, sync.headless, central_server.app",
        ("PySide6", "shiboken"))
    assert leaked == [], f"Qt imported by a core layer: {leaked}"


def test_the_sign_in_window_comes_before_the_store_and_sync_layers():
    """The window shows while the store opens behind it: what it needs must not import
    SQLAlchemy, the use cases or sync (most of a second of start-up)."""
    early = _loaded_by(
        "agent_app.cli, agent_app.app, agent_app.crash, agent_app.ui.login, "
        "agent_app.ui.i18n, agent_app.ui.style, agent_app.ui.tasks",
        ("sqlalchemy", "sqlmodel", "agent_app.services.base", "sync.client", "argon2"))
    assert early == [], f"loaded before the sign-in window: {early}"
