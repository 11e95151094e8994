"""Say in words what a Linux desktop lacks before Qt aborts on it.

Qt's xcb platform plugin needs a few X11 libraries that a fresh desktop install may not
have; without them Qt prints a hint and aborts the whole process (no exception to catch).
So check them first and tell the person which packages to install.
"""

from __future__ import annotations

import ctypes
import os
import sys

# soname -> the Debian/Ubuntu package that provides it (what Qt 6's xcb plugin loads)
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


class MissingGuiLibraries(SystemExit):
    """Raised before QApplication exists; its message is the advice, in both languages."""


def uses_xcb() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return platform == "" or platform.startswith("xcb")


def missing_packages(libraries: dict[str, str] = XCB_LIBRARIES) -> list[str]:
    missing = []
    for soname, package in libraries.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def require_gui_libraries(libraries: dict[str, str] = XCB_LIBRARIES) -> None:
    if not uses_xcb():
        return
    missing = missing_packages(libraries)
    if missing:
        packages = " ".join(missing)
        raise MissingGuiLibraries(
            f"Jendela aplikasi tidak bisa dibuka: pustaka X11 berikut belum terpasang. Pasang dengan:\n"
            f"    sudo apt install {packages}\n"
            f"The window cannot open: these X11 libraries are missing. Install them with:\n"
            f"    sudo apt install {packages}")
