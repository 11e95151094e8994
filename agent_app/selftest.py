"""``perisai-agent --self-test``: prove an installed (or frozen) app has every part it needs.

Run on a fresh laptop after installing, in CI on the frozen bundle, or by support on a
misbehaving machine. Each check prints one line::

    PASS  version     perisai-agent 0.1.0 (frozen, Python 3.11.9, win32)
    FAIL  keyring     no usable keyring backend (keyring.backends.fail.Keyring) ...

and the same lines are written to ``<data_dir>/self-test-report.txt`` (a windowed
Windows build has no console to print to). Exit status 0 only if every check passed.

Nothing here touches the user's real database: the checks work in a fresh
``<data_dir>/self-test`` folder that is removed afterwards.
"""

from __future__ import annotations

import logging
import platform
import secrets
import shutil
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path

REPORT_NAME = "self-test-report.txt"
WORK_DIR_NAME = "self-test"
KEYRING_SERVICE = "perisai-agent-selftest"
PROBE_NIK = "7371010101900001"


class CheckFailed(Exception):
    """A check found a problem; the message says what, for the person reading the line."""


class _Reporter:
    def __init__(self, report_path: Path | None) -> None:
        self.lines: list[str] = []
        self.report_path = report_path
        self.failed = 0
        self.passed = 0

    def emit(self, line: str) -> None:
        self.lines.append(line)
        stream = sys.stdout
        if stream is not None:
            try:
                stream.write(line + "\n")
                stream.flush()
            except (OSError, ValueError):
                pass
        if self.report_path is not None:
            try:
                with open(self.report_path, "a", encoding="utf-8") as f:
                    f.write(line + "\n")
            except OSError:
                pass

    def run(self, name: str, check: Callable[[], str]) -> bool:
        started = time.perf_counter()
        try:
            detail = check()
        except CheckFailed as exc:
            self.failed += 1
            self.emit(f"FAIL  {name:<10} {exc}")
            return False
        except Exception as exc:  # a bug or a missing part: show where, briefly
            self.failed += 1
            where = traceback.extract_tb(exc.__traceback__)[-1:]
            loc = f" at {Path(where[0].filename).name}:{where[0].lineno}" if where else ""
            self.emit(f"FAIL  {name:<10} {type(exc).__name__}: {exc}{loc}")
            logging.getLogger(__name__).error("self-test check %s failed", name, exc_info=True)
            return False
        self.passed += 1
        ms = (time.perf_counter() - started) * 1000
        self.emit(f"PASS  {name:<10} {detail} [{ms:.0f} ms]")
        return True


# --------------------------------------------------------------------------- checks
def check_version() -> str:
    from agent_app.version import __version__

    frozen = "frozen" if getattr(sys, "frozen", False) else "source"
    return (
        f"perisai-agent {__version__} ({frozen}, Python {platform.python_version()}, "
        f"{sys.platform})"
    )


def check_resources() -> str:
    from agent_app.paths import resources_dir

    root = resources_dir()
    if not root.is_dir():
        raise CheckFailed(f"resources folder missing: {root}")
    reference = root / "reference"
    files = sorted(p.name for p in reference.glob("*") if p.is_file()) if reference.is_dir() else []
    if not files:
        raise CheckFailed(f"no reference data in {reference}")
    qm = sorted((root / "translations").glob("*.qm"))
    if qm:
        from PySide6.QtCore import QTranslator

        for path in qm:
            translator = QTranslator()
            if not translator.load(str(path)):
                raise CheckFailed(f"translation does not load: {path.name}")
    ts = sorted((root / "translations").glob("*.ts"))
    if ts and not qm and getattr(sys, "frozen", False):
        raise CheckFailed("translations were not compiled (.ts present, no .qm)")
    return f"{len(files)} reference files, {len(qm)} translations in {root}"


def check_recovery_key() -> str:
    """Which key device keys are sealed to: the organisation's, or the demo key of a
    demo/development build (said plainly: its private half is public)."""
    from agent_app.store.recovery import recovery_key_id

    kid, demo = recovery_key_id()
    if demo:
        return (f"DEMO key {kid}: a demo/development build; its private key is public, "
                "so never use it for real participants' data")
    return f"organisation key {kid}"


def check_logging(work: Path) -> str:
    from agent_app import logs

    # The CLI has already set up the app's log; probe in a separate folder, then put the
    # app's log back as it was.
    previous = [
        h for h in logging.getLogger().handlers
        if getattr(h, "_perisai_handler", False) and isinstance(h, logging.FileHandler)
    ]
    previous_dir = Path(previous[0].baseFilename).parent if previous else None
    previous_level = logging.getLogger().level
    path = logs.setup_logging(work / "logs")
    try:
        logging.getLogger("agent_app.selftest").info("probe nik=%s", PROBE_NIK)
    finally:
        logs.shutdown_logging()
        if previous_dir is not None:
            logs.setup_logging(previous_dir, level=previous_level)
    text = path.read_text(encoding="utf-8")
    if "probe nik=" not in text:
        raise CheckFailed(f"nothing written to {path}")
    if PROBE_NIK in text:
        raise CheckFailed("personal data was not masked in the log")
    return f"rotating, masked log at {path.name}"


def _open_database():
    try:
        from agent_app.store.db import open_database
    except ImportError as exc:
        raise CheckFailed(f"store not available (agent_app.store.db.open_database): {exc}") from exc
    return open_database


def check_store(work: Path) -> str:
    open_database = _open_database()
    from agent_app.store import db as store_db

    path = work / "perisai.db"
    database = open_database(path, key=None)
    try:
        integrity = database.integrity_check()
        if integrity != "ok":
            raise CheckFailed(f"integrity_check: {integrity}")
        with database.engine.connect() as conn:
            tables = {
                row[0]
                for row in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    finally:
        database.close()
    head = getattr(store_db, "head_revision", lambda: revision)()
    if revision != head:
        raise CheckFailed(f"migrated to {revision}, expected head {head}")
    if str(journal).lower() != "wal":
        raise CheckFailed(f"journal_mode is {journal}, expected wal")
    return f"migrated to {revision}, {len(tables)} tables, WAL"


def check_sqlcipher(work: Path) -> str:
    try:
        import sqlcipher3.dbapi2 as sqlcipher
    except ImportError as exc:
        raise CheckFailed(f"sqlcipher3 not available: {exc}") from exc

    path = work / "cipher-probe.db"
    key = secrets.token_bytes(32)
    value = secrets.token_hex(8)

    def connect(k: bytes):
        conn = sqlcipher.connect(str(path))
        conn.execute(f"PRAGMA key = \"x'{k.hex()}'\"")
        return conn

    conn = connect(key)
    try:
        conn.execute("CREATE TABLE probe (v TEXT)")
        conn.execute("INSERT INTO probe VALUES (?)", (value,))
        conn.commit()
        cipher_version = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    if path.read_bytes()[:16] == b"SQLite format 3\x00":
        raise CheckFailed("the database file is not encrypted")
    conn = connect(key)
    try:
        got = conn.execute("SELECT v FROM probe").fetchone()
    finally:
        conn.close()
    if got != (value,):
        raise CheckFailed(f"read back {got!r}, wrote {value!r}")
    # A wrong key must fail. SQLCipher logs each failed page HMAC to stderr: expected
    # here, so silence its (process-wide) log while probing and restore it afterwards.
    level_conn = sqlcipher.connect(":memory:")
    previous_level = level_conn.execute("PRAGMA cipher_log_level").fetchone()[0]
    level_conn.execute("PRAGMA cipher_log_level = NONE")
    try:
        _check_wrong_key(connect, sqlcipher.DatabaseError)
        detail = (
            f"SQLCipher {cipher_version[0] if cipher_version else '?'}: "
            "write, reopen, wrong key refused"
        )
        return detail + _check_encrypted_store(work, key)
    finally:
        level_conn.execute(f"PRAGMA cipher_log_level = {previous_level}")
        level_conn.close()


def _check_wrong_key(connect, database_error) -> None:
    conn = connect(secrets.token_bytes(32))
    try:
        conn.execute("SELECT v FROM probe").fetchone()
    except database_error:
        pass
    else:
        raise CheckFailed("a wrong key could read the database")
    finally:
        conn.close()


def _check_encrypted_store(work: Path, key: bytes) -> str:
    """The app's own path: the store opened and migrated with a key, refused with another."""
    try:
        from agent_app.store.db import StoreError, open_database
    except ImportError:
        return ""
    enc_path = work / "perisai-encrypted.db"
    database = open_database(enc_path, key=key)
    database.close()
    try:
        open_database(enc_path, key=secrets.token_bytes(32)).close()
    except StoreError as exc:
        if getattr(exc, "code", "") != "wrong_key":
            raise CheckFailed(f"wrong key gave {exc.code!r}, expected 'wrong_key'") from exc
    else:
        raise CheckFailed("the encrypted store opened with a wrong key")
    return "; encrypted store migrates and refuses a wrong key"


def check_keyring() -> str:
    try:
        import keyring
        import keyring.errors
    except ImportError as exc:
        raise CheckFailed(f"keyring not available: {exc}") from exc
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if "fail" in type(backend).__module__.split("."):
        raise CheckFailed(
            f"no usable keyring backend ({name}); on Linux set PYTHON_KEYRING_BACKEND"
        )
    user = f"probe-{uuid.uuid4().hex[:12]}"
    secret = secrets.token_urlsafe(24)
    try:
        keyring.set_password(KEYRING_SERVICE, user, secret)
        got = keyring.get_password(KEYRING_SERVICE, user)
        if got != secret:
            raise CheckFailed(f"{name}: read back a different secret")
    finally:
        try:
            keyring.delete_password(KEYRING_SERVICE, user)
        except keyring.errors.PasswordDeleteError:
            pass
    if keyring.get_password(KEYRING_SERVICE, user) is not None:
        raise CheckFailed(f"{name}: the probe secret was not deleted")
    warning = ""
    if "keyrings.alt" in name or "Plaintext" in name:
        warning = " (WARNING: plaintext backend, acceptable for tests only)"
    return f"{name}: set, get, delete{warning}"


def _wait(app, condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise CheckFailed(f"{what} after {seconds:.0f} s")
        app.processEvents()
        time.sleep(0.005)


def _real_main_window(app, work: Path):
    """Build the real main window the way ``agent_app.app.run_gui`` does, on a throwaway
    store with a throwaway user. Returns (window, cleanup, runner) or raises ImportError
    when the GUI layer is not there (yet)."""
    mark = time.perf_counter()
    from agent_app.app import build_main_window
    from agent_app.services.core import AgentCore
    from agent_app.store.db import open_database
    from agent_app.ui.session import UiSession
    from agent_app.ui.tasks import TaskRunner

    _PHASES["imports"] = time.perf_counter() - mark

    phases = _PHASES
    mark = time.perf_counter()
    core = AgentCore(open_database(work / "window.db", key=None))
    runner = TaskRunner()
    phases["store"] = time.perf_counter() - mark
    try:
        mark = time.perf_counter()
        user = core.users.create_user(
            username="selftest", full_name="Self Test", role="agent",
            password=secrets.token_urlsafe(16),
        )
        phases["user"] = time.perf_counter() - mark
        mark = time.perf_counter()
        session = UiSession(user, "id")
        session.set_language("id")
        window = build_main_window(core, runner, session)
        phases["build"] = time.perf_counter() - mark
    except BaseException:
        runner.shutdown()
        core.close()
        raise

    def cleanup() -> None:
        shutdown = getattr(window, "shutdown", None)
        if shutdown is not None:
            shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
        runner.shutdown()
        core.close()

    return window, cleanup, runner


# Where the window check spends its time (seconds), shown on its line.
_PHASES: dict[str, float] = {}


def check_window(work: Path) -> str:
    timer_start = time.perf_counter()
    _PHASES.clear()
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    _PHASES["qt"] = time.perf_counter() - timer_start
    from PySide6.QtCore import QCoreApplication

    mark = time.perf_counter()
    app = QCoreApplication.instance()
    if app is None:
        try:
            from agent_app.app import create_application

            app = create_application([sys.argv[0] if sys.argv else "perisai-agent"])
        except ImportError:
            app = QApplication([sys.argv[0] if sys.argv else "perisai-agent"])
    if not isinstance(app, QApplication):
        raise CheckFailed("a QCoreApplication without widgets is running")
    _PHASES["app"] = time.perf_counter() - mark

    runner = None
    try:
        window, cleanup, runner = _real_main_window(app, work)
        how = "main window"
    except ImportError as exc:
        # The GUI layer is not in this build (yet): prove Qt itself works.
        window = QMainWindow()
        window.setWindowTitle("Perisai Agent")
        window.setCentralWidget(QLabel("Perisai Agent self-test"))
        how = f"minimal QMainWindow (GUI layer missing: {exc.name or exc})"

        def cleanup() -> None:
            window.close()
            window.deleteLater()
            app.processEvents()

    try:
        window.resize(1366, 768)
        window.show()

        def exposed() -> bool:
            handle = window.windowHandle()
            return window.isVisible() and handle is not None and handle.isExposed()

        _wait(app, exposed, 15, f"{how} not shown")
        if runner is not None and hasattr(runner, "_pending"):
            # usable = the first data the window asked for has arrived
            _wait(app, lambda: runner._pending == 0, 15, f"{how} still loading")
        image = window.grab()  # forces a full paint
        elapsed = round((time.perf_counter() - timer_start) * 1000)
        _PHASES["show"] = time.perf_counter() - timer_start - sum(_PHASES.values())
        if image.isNull():
            raise CheckFailed("window could not be painted")
    finally:
        cleanup()
    phases = ", ".join(f"{k} {v * 1000:.0f}" for k, v in _PHASES.items())
    return f"{how} usable on '{QApplication.platformName()}' in {elapsed} ms ({phases} ms)"


# ----------------------------------------------------------------------------- main
def run_self_test(data_dir: Path) -> int:
    """Run every check in a fresh ``data_dir/self-test``; print one line each; 0 if all pass."""
    started = time.perf_counter()
    data_dir = Path(data_dir)
    report_path: Path | None
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        report_path = data_dir / REPORT_NAME
        report_path.unlink(missing_ok=True)
    except OSError:
        report_path = None
    reporter = _Reporter(report_path)
    work = data_dir / WORK_DIR_NAME
    try:
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
    except OSError as exc:
        reporter.emit(f"FAIL  data-dir   cannot create {work}: {exc}")
        return 1
    reporter.emit(f"Perisai Agent self-test in {data_dir}")

    reporter.run("version", check_version)
    # The window first: the time from process start to this line is the start-up time
    # that benchmarks/bundle.py reports.
    reporter.run("window", lambda: check_window(work))
    reporter.run("resources", check_resources)
    reporter.run("recovery", check_recovery_key)
    reporter.run("logging", lambda: check_logging(work))
    reporter.run("store", lambda: check_store(work))
    reporter.run("sqlcipher", lambda: check_sqlcipher(work))
    reporter.run("keyring", check_keyring)

    shutil.rmtree(work, ignore_errors=True)
    total = (time.perf_counter() - started) * 1000
    verdict = "OK" if reporter.failed == 0 else "FAILED"
    reporter.emit(
        f"self-test {verdict}: {reporter.passed} passed, {reporter.failed} failed "
        f"in {total:.0f} ms"
    )
    return 0 if reporter.failed == 0 else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m agent_app.selftest [--data-dir DIR]`` (the CLI normally dispatches here)."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(prog="perisai-agent --self-test")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.data_dir is not None:
        return run_self_test(args.data_dir)
    with tempfile.TemporaryDirectory(prefix="perisai-selftest-") as tmp:
        return run_self_test(Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
