"""Python's cyclic garbage collector, run on the GUI thread only.

Python collects reference cycles on whichever thread happens to allocate when a threshold
is passed: most often the database, import or sync thread, which allocate the most. A Qt
object caught in a cycle (a parentless QObject such as a task runner or a timer) is then
deleted on that thread while it belongs to the GUI thread. Qt does not allow that: the
process can crash, or deadlock with the GUI thread and freeze the window for good.

``GuiThreadCollector`` turns the automatic collection off and collects on a GUI-thread
timer instead, as often as the automatic thresholds would have asked: the usual remedy in
Python Qt applications.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

INTERVAL_MS = 500  # the garbage of half a second is small; the window never waits on it


class GuiThreadCollector(QObject):
    """Create it on the GUI thread; ``start()`` for the app's life, ``stop()`` at its end."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._was_enabled = gc.isenabled()

    def start(self) -> GuiThreadCollector:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()
        return self

    def stop(self) -> None:
        """Collect everything left (still on the GUI thread), then restore the automatic
        collection if it was on before ``start``."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    @Slot()
    def collect(self) -> None:
        """What the automatic collector would do now: the oldest generation whose count
        passed its threshold, with the younger ones."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [generation for generation in range(3) if counts[generation] > thresholds[generation]]
        if due:
            gc.collect(due[-1])
