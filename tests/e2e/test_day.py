"""A whole shift at the counter, driven with the keyboard through the real widgets, at
1366x768 at 100 % and at 150 %: ``day_at_screen.py`` in a process of its own per scale
(Qt fixes the scale when the application starts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.screen import Screen, run_at_screen

HERE = Path(__file__).resolve().parent
SCREENS = (Screen(1366, 768, 1.0), Screen(1366, 768, 1.5))


@pytest.mark.slow
@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_whole_day_at_the_counter(tmp_path, screen):
    run_at_screen(HERE / "day_at_screen.py", screen, tmp_path)
