"""Where the app keeps its files.

The data directory holds the database, its backups, exports and logs. It comes from the
platform's application-data location (what QStandardPaths.AppLocalDataLocation gives on
Windows: %LOCALAPPDATA%\\PerisaiAgent) unless ``--data-dir`` overrides it for portable
installs and tests. Computed without Qt so headless commands and the store can use it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_DIR_NAME = "PerisaiAgent"


def default_data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


@dataclass(frozen=True)
class AppPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "perisai.db"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    def ensure(self) -> AppPaths:
        for directory in (self.root, self.backups, self.logs, self.exports):
            directory.mkdir(parents=True, exist_ok=True)
        return self


def app_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    return AppPaths(Path(data_dir) if data_dir else default_data_dir()).ensure()


def resources_dir() -> Path:
    """The shipped resources folder, in a source checkout and in a PyInstaller bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"
