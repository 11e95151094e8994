"""Look: Fusion (same on every Windows install) with large, high-contrast text for use
outdoors on cheap 1366x768 screens."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

BASE_POINT_SIZE = 11
ACCENT = "#0b6e4f"  # BPJS-like green, AA contrast on white

STYLESHEET = f"""
QListWidget#nav {{
    background: #f2f5f3; border: none; border-right: 1px solid #c9d3cd;
    font-size: 12pt; outline: 0;
}}
QListWidget#nav::item {{ padding: 10px 14px; }}
QListWidget#nav::item:selected {{ background: {ACCENT}; color: white; }}
QPushButton {{ padding: 5px 14px; min-height: 22px; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: white; font-weight: bold;
    border: 1px solid #084f39; border-radius: 3px; }}
QPushButton[primary="true"]:disabled {{ background: #9fb8ad; }}
QLabel[role="title"] {{ font-size: 15pt; font-weight: bold; }}
QLabel[role="error"] {{ color: #b00020; font-weight: bold; }}
QLabel[role="muted"] {{ color: #555; }}
QLabel[role="warning"] {{ color: #8a4b00; font-weight: bold; }}
QLabel#noticeBanner {{ background: #fff3d6; color: #6b3a00; font-weight: bold;
    border-bottom: 1px solid #e0b85c; padding: 6px 12px; }}
QLineEdit, QComboBox, QSpinBox {{ min-height: 24px; }}
QTableView {{ gridline-color: #dde3df; selection-background-color: {ACCENT}; }}
QWidget#lockOverlay {{ background: #eef2ef; }}
"""


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
