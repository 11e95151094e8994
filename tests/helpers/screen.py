"""Laptop screens for the GUI tests, and what "fits" and "reachable" mean on them.

The scale (Windows' 100 %, 125 %, 150 %) is ``QT_SCALE_FACTOR``, which Qt reads once,
before the QApplication exists: tests at another scale run in a process of their own
(``child_env``). The screen itself is the offscreen platform's, sized by a config file.

On Windows the taskbar (48 px at 100 %, scaled like everything else) takes the bottom of
the screen and every window has a title bar (about 32 px): what is left is where a window
must fit.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

TASKBAR = 48  # logical pixels (Windows 11)
TITLE_BAR = 32  # logical pixels


@dataclass(frozen=True)
class Screen:
    width: int  # physical pixels
    height: int
    scale: float

    @property
    def name(self) -> str:
        return f"{self.width}x{self.height}@{round(self.scale * 100)}%"


SCREENS = (Screen(1366, 768, 1.0), Screen(1366, 768, 1.5), Screen(1280, 720, 1.25))


def child_env(screen: Screen, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a test process that sees ``screen`` (taskbar already taken off)."""
    config = tmp / f"screen-{screen.width}x{screen.height}.json"
    config.write_text(json.dumps({
        "synchronousWindowSystemEvents": True,
        "windowFrameMargins": False,
        "screens": [{"name": "laptop", "x": 0, "y": 0, "width": screen.width,
                     "height": screen.height - round(TASKBAR * screen.scale),
                     "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}],
    }), encoding="utf-8")
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               QT_SCALE_FACTOR=str(screen.scale), PERISAI_SCREEN=screen.name, **extra)
    return env


def run_at_screen(script: Path, screen: Screen, tmp: Path) -> None:
    """Runs the tests of ``script`` in a process that sees ``screen``; fails with theirs."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(script), "-q", "-p", "no:cacheprovider",
         f"--basetemp={tmp / 'run'}"],
        env=child_env(screen, tmp), cwd=Path(__file__).resolve().parents[2],
        capture_output=True, text=True, timeout=600)
    failures = [line for line in result.stdout.splitlines()
                if line.startswith("E ") or f"{script.name}:" in line]
    assert result.returncode == 0, "\n".join(
        failures[:40] or [result.stdout[-4000:], result.stderr[-3000:]])
    assert " passed" in result.stdout and " skipped" not in result.stdout  # really ran


def window_area():
    """(width, height) a window's contents may take: the screen minus taskbar and title bar."""
    from PySide6.QtWidgets import QApplication

    area = QApplication.primaryScreen().availableGeometry()
    return area.width(), area.height() - TITLE_BAR


def misfits(window) -> list[str]:
    """Why ``window`` (a top-level widget, shown) does not fit the screen, if it does not."""
    width, height = window_area()
    problems = []
    hint = window.minimumSizeHint()
    if hint.width() > width or hint.height() > height:
        problems.append(f"needs at least {hint.width()}x{hint.height()}, screen gives {width}x{height}")
    if window.width() > width or window.height() > height:
        problems.append(f"is {window.width()}x{window.height()}, screen gives {width}x{height}")
    return problems


def cut_off(w) -> str | None:
    """How ``w`` is cut off by its window's edge or a scroll area's, if it is."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QAbstractScrollArea

    window = w.window()
    seen = w.visibleRegion().boundingRect()
    top_left = w.mapTo(window, seen.topLeft())
    inside = window.rect().contains(top_left) and window.rect().contains(
        w.mapTo(window, seen.bottomRight()))
    # A table or text box scrolls inside itself: enough of it in sight is enough.
    enough = (w.size() if not isinstance(w, QAbstractScrollArea)
              else QSize(w.width(), min(w.height(), 60)))
    if not inside or seen.width() < enough.width() or seen.height() < enough.height():
        return (f"cut off (shows {seen.width()}x{seen.height()} of {w.width()}x{w.height()} "
                f"at {top_left.x()},{top_left.y()})")
    return None


def unreachable(window, widgets) -> list[str]:
    """The widgets a person could not get to: hidden, clipped (off the window or under a
    scroll area's edge even after getting the focus) or out of the Tab chain."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QScrollArea

    chain = {window}  # a dialog's ring runs through its parent window's widgets too
    widget = window.nextInFocusChain()
    while widget is not window and len(chain) < 100_000:
        chain.add(widget)
        widget = widget.nextInFocusChain()
    problems = []
    had_focus = QApplication.focusWidget()
    for w in widgets:
        name = w.objectName() or type(w).__name__
        if not w.isVisibleTo(window):
            problems.append(f"{name}: hidden")
            continue
        group = getattr(w, "group", lambda: None)()
        # An exclusive group is one Tab stop (the chosen button); arrows move inside it.
        stops = group.buttons() if group is not None and group.exclusive() else [w.focusProxy() or w]
        if not any(t.focusPolicy().value & Qt.FocusPolicy.TabFocus.value and t in chain
                   for t in stops):
            problems.append(f"{name}: not reachable with Tab")
        w.setFocus()
        parent = w.parentWidget()
        while parent is not None:  # what a scroll area does when Tab brings the focus in
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(w)
            parent = parent.parentWidget()
        QApplication.processEvents()
        if problem := cut_off(w):
            problems.append(f"{name}: {problem}")
    if had_focus is not None:
        had_focus.setFocus()  # looking never moves the person's place
    return problems


def save_shot(widget, name: str) -> None:
    """A screenshot into $PERISAI_SHOTS (when set), named after the screen."""
    folder = os.environ.get("PERISAI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{os.environ.get('PERISAI_SCREEN', 'screen')}-{name}.png"))
