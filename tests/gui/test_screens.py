"""Every page and dialog fits the laptops the agents have: 1366x768 at 100 % and 150 %,
1280x720 at 125 %. Each screen is checked by ``windows_at_screen.py`` in a process of its
own (Qt fixes the scale when the application starts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.screen import SCREENS, run_at_screen

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_page_and_dialog_fits_the_screen(tmp_path, screen):
    run_at_screen(HERE / "windows_at_screen.py", screen, tmp_path)
