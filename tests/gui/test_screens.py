"""Every page and dialog fits the laptops the agents have: 1366x768 at 100 % and 150 %,
1280x720 at 125 %. Each screen is checked by ``windows_at_screen.py`` in a process of its
own (Qt fixes the scale when the application starts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.screen import SCREENS, child_env

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_page_and_dialog_fits_the_screen(tmp_path, screen):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE / "windows_at_screen.py"), "-q",
         "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'run'}"],
        env=child_env(screen, tmp_path), cwd=HERE.parents[1], capture_output=True, text=True,
        timeout=600)
    failures = [line for line in result.stdout.splitlines() if "AssertionError" in line]
    assert result.returncode == 0, "\n".join(failures or [result.stdout[-3000:], result.stderr[-3000:]])
    assert " passed" in result.stdout and " skipped" not in result.stdout  # really ran
