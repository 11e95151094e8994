"""Help > About: the version, and a demo build said plainly to be one."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from agent_app.ui.about import AboutDialog


def _about_text(qtbot, window) -> str:
    """Open Help > About the way a person does and read the dialog."""
    seen: list[str] = []

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AboutDialog)
        seen.append(dialog.text.text())
        dialog.reject()

    QTimer.singleShot(200, read_and_close)
    window.act_about.trigger()
    assert seen, "the About dialog did not open"
    return seen[0]


def test_a_demo_build_says_so_in_both_languages(qtbot, main_window, session):
    assert main_window.help_menu.title() == "Ban&tuan"  # the window is in Indonesian
    text = _about_text(qtbot, main_window)
    assert "Build demo / pengembangan" in text and "3c99d301be22e982" in text
    assert "jangan untuk data peserta sungguhan" in text
    session.set_language("en")
    qtbot.waitUntil(lambda: main_window.help_menu.title() == "&Help")
    text = _about_text(qtbot, main_window)
    assert "Demo / development build" in text and "never for real participants' data" in text


def test_a_release_build_names_the_organisation_key(qtbot, main_window, monkeypatch):
    monkeypatch.setattr("agent_app.ui.about.recovery_key_id", lambda: ("0a1b2c3d4e5f6a7b", False))
    text = _about_text(qtbot, main_window)
    assert "Build rilis" in text and "0a1b2c3d4e5f6a7b" in text and "demo" not in text.lower()
