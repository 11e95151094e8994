"""Qt translations: Bahasa Indonesia (default) from ``resources/translations/perisai_id.ts``.

Source strings are English; ``install_translator(app, "id")`` loads the compiled
``perisai_id.qm`` (building it with ``lrelease`` first when it is missing or older than
the ``.ts``: in a source checkout nobody has to remember a build step), ``"en"`` removes
the translator. Installing or removing a translator makes Qt send ``LanguageChange`` to
every widget, which retranslates itself.

A frozen build ships the ``.qm`` prebuilt (``installer/build.py`` compiles them).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from agent_app.paths import resources_dir

log = logging.getLogger(__name__)

DEFAULT_LANG = "id"
CATALOGUE_NAME = "perisai_{lang}"

_installed: dict[str, QTranslator] = {}  # kind ("app", "qtbase") -> translator
_current = "en"  # source language: what the UI shows with no translator


def translations_dir() -> Path:
    return resources_dir() / "translations"


def find_lrelease() -> str | None:
    """The lrelease shipped with PySide6 (wheel layouts differ between versions)."""
    import PySide6

    base = Path(PySide6.__file__).resolve().parent
    exe = ".exe" if sys.platform == "win32" else ""
    candidates = [
        base / f"lrelease{exe}",
        base / "Qt" / "libexec" / f"lrelease{exe}",
        base / "Qt" / "bin" / f"lrelease{exe}",
        Path(sys.executable).parent / f"pyside6-lrelease{exe}",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    return shutil.which("pyside6-lrelease") or shutil.which("lrelease")


def compile_ts(ts: Path, qm: Path) -> bool:
    lrelease = find_lrelease()
    if lrelease is None:
        log.warning("lrelease not found: %s stays untranslated", ts.name)
        return False
    qm.parent.mkdir(parents=True, exist_ok=True)
    tmp = qm.with_suffix(".qm.tmp")
    result = subprocess.run(
        [lrelease, "-silent", str(ts), "-qm", str(tmp)],
        capture_output=True, text=True, timeout=60,
    )
    if result.returncode != 0 or not tmp.is_file():
        log.warning("lrelease failed for %s: %s", ts.name, result.stderr.strip())
        tmp.unlink(missing_ok=True)
        return False
    os.replace(tmp, qm)  # atomic: a half-written .qm never gets loaded
    return True


def _fresh(qm: Path, ts: Path) -> bool:
    return qm.is_file() and (not ts.is_file() or qm.stat().st_mtime >= ts.stat().st_mtime)


def qm_path(lang: str, *, cache_dir: Path | None = None) -> Path | None:
    """The compiled catalogue for ``lang``, building it when missing or out of date."""
    name = CATALOGUE_NAME.format(lang=lang)
    ts = translations_dir() / f"{name}.ts"
    shipped = translations_dir() / f"{name}.qm"
    if _fresh(shipped, ts) or (getattr(sys, "frozen", False) and shipped.is_file()):
        return shipped
    if not ts.is_file():
        return None
    for target in (
        [cache_dir / f"{name}.qm"] if cache_dir else []
    ) + [shipped, Path(tempfile.gettempdir()) / "perisai-agent-qm" / f"{name}.qm"]:
        if _fresh(target, ts):
            return target
        try:
            if compile_ts(ts, target):
                return target
        except OSError:  # read-only install folder: try the next place
            continue
    return None


def current_language() -> str:
    return _current


def install_translator(app: QCoreApplication, lang: str, *, cache_dir: Path | None = None) -> bool:
    """Swap the application's translators to ``lang`` ("id" or "en"); True if loaded."""
    global _current
    if lang == _current and (lang == "en" or "app" in _installed):
        return True
    for translator in _installed.values():
        app.removeTranslator(translator)
    _installed.clear()
    _current = "en"
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    if lang == "en":
        return True
    path = qm_path(lang, cache_dir=cache_dir)
    if path is None:
        return False
    translator = QTranslator(app)
    if not translator.load(str(path)):
        log.warning("could not load %s", path)
        return False
    # Qt's own strings (standard buttons, context menus) in the same language.
    qtbase = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qtbase.load(f"qtbase_{lang}", qt_dir):
        app.installTranslator(qtbase)
        _installed["qtbase"] = qtbase
    app.installTranslator(translator)
    _installed["app"] = translator
    _current = lang
    QLocale.setDefault(QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia))
    return True
