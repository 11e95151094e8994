"""The Qt binding itself: a model/view refcount bug (PySide6 6.12.0) once aborted the app.

A table view repainting a model loses a reference to True/None on every paint with the
broken binding, until the interpreter aborts ("bool_dealloc"). The app repaints its
worker list all day, so the installed binding is checked here in a fresh process.
"""

import subprocess
import sys

PROBE = r"""
import sys
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QTableView

class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 1000
    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 5
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return "x" if role == Qt.ItemDataRole.DisplayRole else None
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        return "h" if role == Qt.ItemDataRole.DisplayRole else None

app = QApplication([])
view = QTableView()
model = Model()
view.setModel(model)
view.resize(800, 600)
view.show()
before = sys.getrefcount(True)
for _ in range(300):
    view.viewport().repaint()
    model.layoutChanged.emit()
print(sys.getrefcount(True) - before)
"""


def test_repainting_a_model_keeps_python_objects_alive():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.strip()) > -50, "the Qt binding leaks references to True"
