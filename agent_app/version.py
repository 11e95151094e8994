"""The application's version, one source of truth: the package metadata.

``pyproject.toml`` holds the version. Installed (``pip install -e .``) or frozen
(the PyInstaller spec carries the distribution's metadata with ``copy_metadata``),
``importlib.metadata`` reads it. ``_FALLBACK_VERSION`` is used only when the
metadata cannot be found (a source tree that was never installed);
``tests/e2e/test_installer.py`` checks it stays equal to pyproject's version.
"""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "perisai-agent"
_FALLBACK_VERSION = "0.1.0"  # keep equal to [project] version in pyproject.toml


def _read_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _FALLBACK_VERSION


__version__: str = _read_version()


def windows_file_version(version: str = __version__) -> tuple[int, int, int, int]:
    """``"1.2.3"`` / ``"1.2.3rc1"`` -> ``(1, 2, 3, 0)``, for Windows version resources."""
    parts: list[int] = []
    for piece in version.split(".")[:4]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        parts.append(int(digits) if digits else 0)
        if not digits or len(digits) != len(piece):
            break
    while len(parts) < 4:
        parts.append(0)
    return tuple(parts)  # type: ignore[return-value]
