"""The frozen app: build the PyInstaller bundle once, run its self-test, compile the installer.

The bundle build takes about a minute on 2 cores (bounded by the timeouts below). The
self-test runs the real frozen executable the way CI runs it on Windows, with a throwaway
data directory and a file-based keyring (Linux has no desktop keyring here).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 900  # seconds, for the whole bundle build
RUN_TIMEOUT = 180
CHECKS = ("version", "window", "resources", "recovery", "logging", "store", "sqlcipher", "keyring")
EXE_NAME = "perisai-agent.exe" if sys.platform == "win32" else "perisai-agent"
CLI_NAME = "perisai-agent-cli.exe" if sys.platform == "win32" else "perisai-agent-cli"
SAMPLE = ROOT / "resources" / "samples" / "daftar_pekerja_apbd_contoh.csv"
# The Windows bundle carries the Credential Manager backend only; the Linux one a file
# backend (no desktop keyring here).
KEYRING_BACKEND = ("keyring.backends.Windows.WinVaultKeyring" if sys.platform == "win32"
                   else "keyrings.alt.file.PlaintextKeyring")

# Used only while agent_app/cli.py does not exist yet (it lives in the test's tmp dir).
_STUB_ENTRY = '''
import argparse, sys
from pathlib import Path
from agent_app.selftest import run_self_test
p = argparse.ArgumentParser()
p.add_argument("--self-test", action="store_true")
p.add_argument("--data-dir", type=Path, required=True)
a = p.parse_args()
sys.exit(run_self_test(a.data_dir) if a.self_test else 2)
'''


def _pyproject_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def _load_build_module():
    spec = importlib.util.spec_from_file_location("perisai_build", ROOT / "installer" / "build.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _organisation_key(folder: Path) -> Path:
    """A fresh recovery public key, as an organisation would make one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    path = folder / "organisation_recovery_public_key.pem"
    path.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


@pytest.fixture(scope="session")
def organisation_key(tmp_path_factory) -> Path:
    return _organisation_key(tmp_path_factory.mktemp("org-key"))


@pytest.fixture(scope="session")
def bundle(tmp_path_factory, organisation_key) -> Path:
    """A release bundle, built as a release is: with the organisation's recovery key; or,
    with PERISAI_FROZEN_BUNDLE, the one the Windows workflow built (so the same tests run
    on the real Windows executables)."""
    if os.environ.get("PERISAI_FROZEN_BUNDLE"):
        return Path(os.environ["PERISAI_FROZEN_BUNDLE"]).resolve()
    return _build_bundle(tmp_path_factory.mktemp("frozen"), organisation_key)


def _build_bundle(out: Path, recovery_key: Path, **extra_env: str) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(extra_env)
    if not (ROOT / "agent_app" / "cli.py").exists():
        stub = out / "stub_entry.py"
        stub.write_text(_STUB_ENTRY, encoding="utf-8")
        env["PERISAI_ENTRY_SCRIPT"] = str(stub)
    cmd = [sys.executable, str(ROOT / "installer" / "build.py"), "--skip-installer",
           "--recovery-public-key", str(recovery_key),
           "--dist", str(out / "dist"), "--work", str(out / "work")]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
    assert "bundle:" in result.stdout
    bundle_dir = out / "dist" / "perisai-agent"
    assert (bundle_dir / EXE_NAME).is_file()
    assert (bundle_dir / CLI_NAME).is_file()
    return bundle_dir


def _frozen_env(tmp_path: Path, **extra_env: str) -> dict[str, str]:
    """A clean environment for a frozen executable: a file keyring standing in for the
    Credential Manager, nothing of this interpreter's Python or Qt settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_", "PERISAI_"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND=KEYRING_BACKEND,
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
    )
    env.update(extra_env)
    return env


def _run_self_test(bundle: Path, tmp_path: Path, **extra_env: str) -> tuple[subprocess.CompletedProcess, Path]:
    data_dir = tmp_path / "Ibu Hj. Sitti Nur\u2019aini" / "data dir"  # a Windows profile folder
    result = subprocess.run(
        [str(bundle / EXE_NAME), "--self-test", "--data-dir", str(data_dir)],
        cwd=tmp_path, env=_frozen_env(tmp_path, **extra_env), capture_output=True, text=True,
        timeout=RUN_TIMEOUT,
    )
    return result, data_dir


@pytest.mark.timeout(BUILD_TIMEOUT + RUN_TIMEOUT)
def test_frozen_self_test_passes(bundle: Path, tmp_path: Path, organisation_key: Path) -> None:
    result, data_dir = _run_self_test(bundle, tmp_path)
    out = result.stdout
    assert result.returncode == 0, f"stdout:\n{out}\nstderr:\n{result.stderr[-4000:]}"
    lines = {m.group(2): (m.group(1), m.group(3)) for m in
             re.finditer(r"^(PASS|FAIL)  (\S+)\s+(.*)$", out, re.MULTILINE)}
    assert set(CHECKS) <= set(lines), out
    assert all(status == "PASS" for status, _ in lines.values()), out
    assert f"perisai-agent {_pyproject_version()} (frozen" in lines["version"][1]
    assert "main window usable" in lines["window"][1]  # the real window, not the fallback
    assert "migrated to" in lines["store"][1]
    assert "wrong key refused" in lines["sqlcipher"][1]
    assert "PlaintextKeyring: set, get, delete" in lines["keyring"][1]
    from agent_app.store.recovery import key_id

    assert lines["recovery"][1].startswith(f"organisation key {key_id(organisation_key.read_bytes())}")
    assert re.search(r"^self-test OK: 8 passed, 0 failed", out, re.MULTILINE)
    # the same lines land in a report file (a windowed Windows build has no stdout)
    report = (data_dir / "self-test-report.txt").read_text(encoding="utf-8")
    assert report.splitlines() == out.splitlines()
    # the self-test cleans up after itself and leaves the user's data dir usable
    assert not (data_dir / "self-test").exists()
    log = (data_dir / "logs" / "perisai-agent.log").read_text(encoding="utf-8")
    assert "7371010101900001" not in log


@pytest.mark.timeout(BUILD_TIMEOUT + RUN_TIMEOUT)
def test_frozen_self_test_fails_clearly_without_keyring(bundle: Path, tmp_path: Path) -> None:
    result, _ = _run_self_test(bundle, tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert result.returncode == 1
    assert re.search(r"^FAIL  keyring\s+no usable keyring backend", result.stdout, re.MULTILINE)
    assert re.search(r"^self-test FAILED: 7 passed, 1 failed", result.stdout, re.MULTILINE)


def _console(program_dir: Path, data_dir: Path, tmp_path: Path):
    """Runs the console companion in ``program_dir`` on ``data_dir`` (a password on stdin)."""
    env = _frozen_env(tmp_path)

    def cli(*args: str, password: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(program_dir / CLI_NAME), "--data-dir", str(data_dir), *args],
                              input=password and password + "\n", capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=RUN_TIMEOUT)

    return cli


def _participants(db_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM participants")).scalar()
    finally:
        engine.dispose()


@pytest.mark.timeout(BUILD_TIMEOUT + 4 * RUN_TIMEOUT)
def test_console_companion_runs_the_commands(bundle: Path, tmp_path: Path) -> None:
    """perisai-agent-cli: the same commands and exit codes as the app, with a console."""
    from tests.helpers.central import run_server, seed_user

    cli = _console(bundle, tmp_path / "data", tmp_path)
    helped = cli("--help")
    assert helped.returncode == 0, helped.stderr
    for command in ("import", "login", "sync", "recover-key", "--self-test"):
        assert command in helped.stdout
    assert cli("sync").returncode == 2  # argparse: --once and --user are required
    password = "rahasia-loket-2026"
    (tmp_path / "central").mkdir()
    with run_server(tmp_path / "central") as url:
        seed_user(url.db_url, "loket", password, role="clerk", kecamatan="7371100")
        signed_in = cli("login", "--server", url, "--user", "loket", "--password-stdin", password=password)
        assert signed_in.returncode == 0, signed_in.stdout + signed_in.stderr
        report = tmp_path / "laporan.csv"
        checked = cli("import", str(SAMPLE), "--report", str(report), "--user", "loket",
                      "--password-stdin", "--dry-run", password=password)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "20 diterima, 0 ditolak" in checked.stdout and "imported: 0" in checked.stdout
        assert len(report.read_text(encoding="utf-8").splitlines()) == 21
        imported = cli("import", str(SAMPLE), "--report", str(report), "--user", "loket",
                       "--password-stdin", password=password)
        assert imported.returncode == 0 and "imported: 20" in imported.stdout, imported.stderr
        synced = cli("sync", "--once", "--user", "loket")
        assert synced.returncode == 0, synced.stdout + synced.stderr
        assert "pushed 20, acked 20" in synced.stdout
        assert _participants(url.db_url) == 20
    offline = cli("sync", "--once", "--user", "loket")  # the server is gone now
    assert offline.returncode == 2, offline.stdout + offline.stderr
    assert "Traceback" not in offline.stdout + offline.stderr


def _install_over(bundle: Path, install_dir: Path) -> None:
    """What the NSIS installer's section does (the Linux stand-in for it): the program
    files go, the new ones come; nothing else in the folder, and never the data."""
    shutil.rmtree(install_dir / "_internal", ignore_errors=True)
    for name in (EXE_NAME, CLI_NAME):
        (install_dir / name).unlink(missing_ok=True)
    shutil.copytree(bundle, install_dir, dirs_exist_ok=True, symlinks=True)


def _frozen_version(install_dir: Path, tmp_path: Path) -> str:
    data = tmp_path / "self-test-data"
    result = subprocess.run([str(install_dir / CLI_NAME), "--self-test", "--data-dir", str(data)],
                            env=_frozen_env(tmp_path), capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    shutil.rmtree(data)
    return re.search(r"perisai-agent (\S+) \(frozen", result.stdout).group(1)


@pytest.mark.skipif(bool(os.environ.get("PERISAI_FROZEN_BUNDLE")),
                    reason="the Windows workflow upgrades with the real installer")
@pytest.mark.timeout(2 * BUILD_TIMEOUT + 6 * RUN_TIMEOUT)
def test_an_upgrade_over_an_install_with_a_queue_keeps_the_queue(bundle: Path, organisation_key: Path,
                                                                 tmp_path: Path) -> None:
    from tests.helpers.central import run_server, seed_user

    newer = _build_bundle(tmp_path / "newer", organisation_key, PERISAI_BUILD_VERSION="0.1.1")
    install_dir = tmp_path / "Programs" / "Perisai Agent"
    cli = _console(install_dir, tmp_path / "PerisaiAgent", tmp_path)
    _install_over(bundle, install_dir)
    assert _frozen_version(install_dir, tmp_path) == _pyproject_version()
    password = "rahasia-loket-2026"
    (tmp_path / "central").mkdir()
    with run_server(tmp_path / "central") as url:
        seed_user(url.db_url, "loket", password, role="clerk", kecamatan="7371100")
        assert cli("login", "--server", url, "--user", "loket", "--password-stdin", password=password).returncode == 0
        imported = cli("import", str(SAMPLE), "--report", str(tmp_path / "r.csv"), "--user", "loket",
                       "--password-stdin", password=password)
        assert imported.returncode == 0 and "imported: 20" in imported.stdout, imported.stderr
        # 20 registrations wait in the queue; the newer version is installed over this one
        _install_over(newer, install_dir)
        assert _frozen_version(install_dir, tmp_path) == "0.1.1"
        synced = cli("sync", "--once", "--user", "loket")
        assert synced.returncode == 0, synced.stdout + synced.stderr
        assert "pushed 20, acked 20" in synced.stdout and "antrean 0" in synced.stdout
        assert _participants(url.db_url) == 20


@pytest.mark.timeout(BUILD_TIMEOUT + RUN_TIMEOUT)
def test_bundle_carries_what_the_app_needs_and_not_more(bundle: Path) -> None:
    internal = bundle / "_internal"
    names = {p.relative_to(internal).as_posix() for p in internal.rglob("*")}
    migrations = internal / "agent_app" / "store" / "migrations"
    assert (migrations / "env.py").is_file()
    assert sorted(p.name for p in (migrations / "versions").glob("*.py")) == sorted(
        p.name for p in (ROOT / "agent_app" / "store" / "migrations" / "versions").glob("*.py"))
    assert (internal / "resources" / "icons" / "perisai.png").is_file()
    assert (internal / "resources" / "reference" / "tariffs.json").is_file()
    assert not any(n.endswith(".ts") for n in names if n.startswith("resources/"))
    # The package's metadata (the frozen app reads its version from it): a dist-info, or an
    # egg-info that an editable install leaves in the source tree (what CI builds from).
    assert any(re.fullmatch(r"perisai_agent(-[^/]+\.dist-info/METADATA|\.egg-info/PKG-INFO)", n)
               for n in names)
    unwanted = ("QtQml", "QtQuick", "QtWebEngine", "Qt3D", "QtMultimedia", "QtPdf", "QtNetwork",
                "fastapi", "uvicorn", "pytest", "tkinter")
    offenders = sorted(n for n in names if any(u in n for u in unwanted))
    assert not offenders, offenders[:20]
    # Qt's own translations: Indonesian and English only
    qt_qm = [n for n in names if re.search(r"/translations/qt[^/]*\.qm$", n)]
    assert qt_qm and all(re.search(r"_(id|en)\.qm$", n) for n in qt_qm), qt_qm


def test_a_release_build_refuses_to_start_without_the_organisation_key_or_with_the_demo_key(tmp_path: Path):
    """The check comes first: nothing is built (no bundle, no installer) when it fails."""
    env = {k: v for k, v in os.environ.items() if k != "PERISAI_RECOVERY_PUBLIC_KEY"}
    cases = [([], "needs the organisation's recovery public key"),
             (["--recovery-public-key", str(ROOT / "resources" / "reference" / "recovery_public_key.pem")],
              "is the demo recovery key"),
             (["--recovery-public-key", str(tmp_path / "missing.pem")], "cannot be read"),
             (["--demo", "--recovery-public-key", str(tmp_path / "x.pem")], "exclude each other")]
    for extra, reason in cases:
        result = subprocess.run([sys.executable, str(ROOT / "installer" / "build.py"), "--dist", str(tmp_path / "dist"),
                                 "--work", str(tmp_path / "work"), *extra],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, (extra, result.stdout, result.stderr)
        assert reason in result.stderr, (extra, result.stderr)
        assert not (tmp_path / "dist").exists() and not (tmp_path / "work").exists()


def test_an_installer_is_not_made_from_a_bundle_with_another_key(tmp_path: Path, organisation_key: Path):
    build = _load_build_module()
    bundle = tmp_path / "perisai-agent"
    (bundle / "_internal" / "resources" / "reference").mkdir(parents=True)
    shipped = bundle / "_internal" / "resources" / "reference" / "recovery_public_key.pem"
    shipped.write_bytes(build.DEMO_KEY.read_bytes())  # a bundle made by a demo build
    release = build.choose_recovery_key(organisation_key, demo=False)
    with pytest.raises(build.BuildError, match="rebuild the bundle"):
        build.check_bundle_key(bundle, release)
    assert build.check_bundle_key(bundle, build.choose_recovery_key(None, demo=True)) == build.DEMO_KEY_ID


def test_the_bundle_carries_the_organisation_key_not_the_demo_key(bundle: Path, organisation_key: Path):
    shipped = bundle / "_internal" / "resources" / "reference" / "recovery_public_key.pem"
    assert shipped.read_bytes() == organisation_key.read_bytes()
    assert not list(bundle.rglob("*private*.pem"))


@pytest.mark.timeout(600)
def test_nsis_script_compiles(tmp_path: Path) -> None:
    build = _load_build_module()
    if build.find_makensis() is None:
        pytest.skip("makensis not installed (Debian: apt-get install nsis; Windows: choco install nsis)")
    # A small stand-in payload: this checks the script, not the (large) bundle.
    payload = tmp_path / "perisai-agent"
    (payload / "_internal" / "resources").mkdir(parents=True)
    (payload / "perisai-agent.exe").write_bytes(b"MZ" + b"\0" * 1024)
    (payload / "perisai-agent-cli.exe").write_bytes(b"MZ" + b"\0" * 1024)
    (payload / "_internal" / "resources" / "x.txt").write_text("x", encoding="utf-8")
    installer = build.build_installer(payload, tmp_path / "dist", "1.2.3rc1", "zlib",
                                      warnings_as_errors=True)
    data = installer.read_bytes()
    assert data[:2] == b"MZ" and len(data) > 30_000
    assert "1.2.3rc1" in installer.name


@pytest.mark.timeout(600)
def test_nsis_signs_uninstaller_and_installer_when_asked(tmp_path: Path, monkeypatch) -> None:
    build = _load_build_module()
    if build.find_makensis() is None or sys.platform == "win32":
        pytest.skip("needs makensis on a POSIX shell (the Windows signing runs in CI)")
    signed = tmp_path / "signed.txt"
    signer = tmp_path / "fake-sign.sh"
    signer.write_text(f'#!/bin/sh\necho "$1" >> "{signed}"\n', encoding="utf-8")
    monkeypatch.setenv("PERISAI_SIGN_COMMAND", f"/bin/sh {signer}")
    payload = tmp_path / "perisai-agent"
    (payload / "_internal").mkdir(parents=True)
    (payload / "perisai-agent.exe").write_bytes(b"MZ" + b"\0" * 1024)
    installer = build.build_installer(payload, tmp_path / "dist", "1.0.0", "zlib")
    lines = signed.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # the uninstaller while it is generated, then the installer
    assert Path(lines[-1]).resolve() == installer.resolve()


def test_nsis_data_dir_matches_the_app() -> None:
    from agent_app.paths import APP_DIR_NAME

    nsi = (ROOT / "installer" / "perisai_agent.nsi").read_text(encoding="utf-8")
    match = re.search(r'!define DATA_DIR "\$LOCALAPPDATA\\([^"]+)"', nsi)
    assert match, "DATA_DIR define not found"
    assert match.group(1) == APP_DIR_NAME
    assert "RequestExecutionLevel user" in nsi
    assert re.search(r'Section /o "un\.', nsi), "deleting data must be opt-in"


def test_nsis_puts_the_console_companion_on_the_users_path_and_takes_it_off() -> None:
    nsi = (ROOT / "installer" / "perisai_agent.nsi").read_text(encoding="utf-8")
    sections = re.split(r"^Section ", nsi, flags=re.MULTILINE)
    install = next(s for s in sections if s.startswith('"!$(SecProgram)"'))
    uninstall = next(s for s in sections if s.startswith('"!un.$(SecProgram)"'))
    assert "Call AddToUserPath" in install and 'Delete "$INSTDIR\\${CLI_EXE}"' in install
    assert "Call un.RemoveFromUserPath" in uninstall and 'Delete "$INSTDIR\\${CLI_EXE}"' in uninstall
    # per user (HKCU, no admin), and never a PATH cut short at NSIS's string limit
    assert 'WriteRegExpandStr HKCU "${ENV_KEY}" "Path"' in nsi and "HKLM" not in nsi
    assert '"toolong"' in nsi and "PATH_LIMIT" in nsi


def test_version_fallback_matches_pyproject() -> None:
    from agent_app import version

    assert version._FALLBACK_VERSION == _pyproject_version()
    assert version.__version__ == _pyproject_version()
    build = _load_build_module()
    assert build.version_quad("1.2.3rc1") == "1.2.3.0"
    assert build.version_quad("2.0") == "2.0.0.0"


def test_uninstalling_with_the_data_also_removes_the_credential_manager_entries() -> None:
    from agent_app.store.keys import KEYRING_SERVICE
    from sync.credentials import SERVICE

    nsi = (ROOT / "installer" / "perisai_agent.nsi").read_text(encoding="utf-8")
    data_section = nsi[nsi.index('Section /o "un.$(SecData)"'):]
    data_section = data_section[:data_section.index("SectionEnd")]
    assert data_section.index("remove_credentials.ps1") < data_section.index('RMDir /r "${DATA_DIR}"')
    # it runs before the program section deletes the script
    assert nsi.index('Section /o "un.$(SecData)"') < nsi.index('Section "!un.$(SecProgram)"')
    assert 'File "remove_credentials.ps1"' in nsi and '"/DELETEDATA"' in nsi
    script = (ROOT / "installer" / "remove_credentials.ps1").read_text(encoding="utf-8")
    # keyring's Windows backend: target "<service>" or "<account>@<service>"
    assert f'RemoveService("{KEYRING_SERVICE}")' in script and KEYRING_SERVICE == SERVICE
    assert 'EndsWith("@" + service)' in script and "CRED_TYPE_GENERIC" in script


def test_the_apps_own_upgrade_is_silent_and_starts_the_new_version() -> None:
    from sync.updates import INSTALLER_ARGS

    nsi = (ROOT / "installer" / "perisai_agent.nsi").read_text(encoding="utf-8")
    assert INSTALLER_ARGS == ("/S", "/relaunch")
    on_success = nsi[nsi.index("Function .onInstSuccess"):]
    on_success = on_success[:on_success.index("FunctionEnd")]
    assert '"/relaunch"' in on_success and 'Exec \'"$INSTDIR\\${APP_EXE}"\'' in on_success
