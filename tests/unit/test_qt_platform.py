"""Before Qt aborts on a Linux desktop without its X11 libraries, the person reads which
packages to install."""

import pytest

from agent_app import qt_platform


def test_missing_library_is_named_by_its_package(monkeypatch):
    monkeypatch.setattr(qt_platform.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    libraries = {"libxcb-not-installed-here.so.9": "libxcb-not-installed-here9", "libc.so.6": "libc6"}
    with pytest.raises(qt_platform.MissingGuiLibraries) as refused:
        qt_platform.require_gui_libraries(libraries)
    message = str(refused.value)
    assert "sudo apt install libxcb-not-installed-here9" in message
    assert "libc6" not in message
    assert "belum terpasang" in message and "are missing" in message


def test_no_check_when_qt_does_not_use_xcb(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    qt_platform.require_gui_libraries({"libxcb-not-installed-here.so.9": "libxcb-not-installed-here9"})
