"""The floor of the start-up benchmarks: a hello-world PySide6 window.

    python benchmarks/hello_window.py MARK_FILE

Shows a window, then (once its event loop runs, the moment the app's sign-in window
counts as usable) appends "hello window shown" to MARK_FILE and quits. startup_bench.py
runs it in the same Python as the app; bundle.py freezes it with the same PyInstaller.
"""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QLabel("Hello")
    window.resize(420, 240)
    window.show()

    def shown() -> None:
        with open(sys.argv[1], "a", encoding="utf-8") as mark:
            mark.write("hello window shown\n")
        app.quit()

    QTimer.singleShot(0, shown)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
