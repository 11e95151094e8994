"""Child process of startup_bench.py and store_bench.py: the app on DATA_DIR, signed in as
a person would.

    python benchmarks/startup_probe.py DATA_DIR

Starts the app as ``perisai-agent --data-dir DATA_DIR`` does (``agent_app.cli.main``),
waits TYPING_SECONDS in its sign-in window (a person typing a name and a password), signs
in as "bench", and prints "READY <ms from Enter to rows shown> <peak RSS MB>" once the
worker list shows rows; then closes the window, which ends the app.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TYPING_SECONDS = 3.0
USERNAME, PASSWORD = "bench", "bench-password"


def _rows_shown(window) -> bool:
    from PySide6.QtWidgets import QTableView

    for view in window.findChildren(QTableView):
        model = view.model()
        if view.isVisible() and model is not None and model.rowCount() > 0:
            value = model.index(0, 0).data()
            if value and value != "…":
                return True
    return False


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from agent_app.app import create_application
    from agent_app.cli import main as app_main

    app = create_application(sys.argv[:1])  # the app's own start-up takes this one over
    state: dict = {}

    def poll() -> None:
        if "entered" not in state:
            dialog = QApplication.activeModalWidget()
            if dialog is not None and dialog.objectName() == "signIn":
                state.setdefault("seen", time.perf_counter())
                if time.perf_counter() - state["seen"] >= TYPING_SECONDS:
                    dialog.username.setText(USERNAME)
                    dialog.password.setText(PASSWORD)
                    state["entered"] = time.perf_counter()
                    dialog.submit()
        else:
            for window in QApplication.topLevelWidgets():
                if type(window).__name__ == "MainWindow" and window.isVisible() and _rows_shown(window):
                    elapsed = (time.perf_counter() - state["entered"]) * 1000
                    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                    print(f"READY {elapsed:.0f} {rss:.0f}", flush=True)
                    window.close()
                    return
        QTimer.singleShot(5, poll)

    QTimer.singleShot(0, poll)
    QTimer.singleShot(120_000, app.quit)
    return app_main(["--data-dir", sys.argv[1]])


if __name__ == "__main__":
    sys.exit(main())
