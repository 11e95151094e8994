"""Child process of store_bench.py: open the store and the main window, print
"READY <rss MB>" once the first worker rows are on screen, then exit."""

from __future__ import annotations

import resource
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QTableView

    from agent_app.app import build_main_window, create_application
    from agent_app.services.base import WITA, FixedClock
    from agent_app.services.core import AgentCore
    from agent_app.store.db import open_database
    from agent_app.ui.i18n import install_translator
    from agent_app.ui.session import UiSession
    from agent_app.ui.tasks import TaskRunner

    app = create_application(sys.argv[:1])
    install_translator(app, "id")
    core = AgentCore(open_database(Path(sys.argv[1]), bytes.fromhex(sys.argv[2])),
                     clock=FixedClock(datetime(2026, 11, 24, 10, tzinfo=WITA)))
    user = core.users.authenticate("bench", "bench-password")
    runner = TaskRunner()
    window = build_main_window(core, runner, UiSession(user, "id"))
    window.resize(1366, 768)
    window.show()

    def check() -> None:
        for view in window.findChildren(QTableView):
            model = view.model()
            if view.isVisible() and model is not None and model.rowCount() > 0:
                value = model.index(0, 0).data()
                if value and value != "…":
                    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                    print(f"READY {rss:.0f}", flush=True)
                    QApplication.instance().quit()
                    return
        QTimer.singleShot(5, check)

    QTimer.singleShot(0, check)
    QTimer.singleShot(30_000, QApplication.instance().quit)
    app.exec()
    runner.shutdown()
    core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
