"""For tests of real widgets: the people and places the GUI fixtures use, quick ways to fill a
store, and what a person can read on a screen or a printed receipt."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import pypdf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTableView,
    QTabWidget,
    QWidget,
)

from agent_app.services.base import WITA, new_id
from agent_app.services.core import AgentCore
from agent_app.services.workers import RegistrationForm
from agent_app.ui.i18n import translations_dir

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=WITA)
SUPERVISOR_PASSWORD = "rahasia-spv-2026"
AGENT_PASSWORD = "rahasia-agen-2026"
# Kecamatan Mariso / kelurahan Bontorannu, Makassar
KECAMATAN = "7371010"
KELURAHAN = "73710101001"
BONTORANNU = KELURAHAN
TS = translations_dir() / "perisai_id.ts"


def _worker_nik(i: int) -> str:
    # 7371 01 DDMMYY SSSS: Mariso, born 1980-1999, serial from i.
    day = 1 + (i // 9999) % 28
    year = 80 + (i // (9999 * 28)) % 20
    return f"737101{day:02d}01{year:02d}{(i % 9999) + 1:04d}"


def add_workers(core: AgentCore, actor, n: int, *, start: int = 0, **overrides) -> list[str]:
    """Insert ``n`` plausible workers in one transaction (no outbox: list fixtures only)."""
    from agent_app.domain.reference import search_key
    from agent_app.store.models import Worker

    now = core.clock.stamp()
    ids = []
    rows = []
    for i in range(start, start + n):
        name = overrides.get("full_name") or f"Pekerja Nomor {i:05d}"
        values = dict(
            id=new_id(), nik=_worker_nik(i), full_name=name, name_key=search_key(name),
            birth_date="1990-01-01", sex="M", phone=f"+62812{i:08d}", address="Jl. Test",
            kecamatan_code=KECAMATAN, kelurahan_code=KELURAHAN,
            occupations=json.dumps(["Pedagang pasar"]), policy_sector="other",
            declared_income=1_000_000, programmes=json.dumps({"jkk": "self", "jkm": "self"}),
            consent_version="1", consent_at=now, consent_user_id=actor.id,
            registered_at=now, registered_by=actor.id, registration_month="2026-11",
            updated_at=now,
        )
        values.update({k: v for k, v in overrides.items() if k != "full_name"})
        if "kelurahan_code" in overrides and "kecamatan_code" not in overrides:
            values["kecamatan_code"] = overrides["kelurahan_code"][:7]
        worker = Worker(**values)
        rows.append(worker)
        ids.append(worker.id)
    with core.db.write() as s:
        s.add_all(rows)
    return ids


def show_active(qtbot, widget):
    """Show a top-level widget and make it the active window (keyboard focus works)."""
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    return widget


def make_worker(core, user, *, nik="7371010101900001", occupation="Pedagang pasar",
                income=1_000_000, programmes=None) -> str:
    form = RegistrationForm(
        nik=nik, full_name="Budi Santoso", birth_date=date(1990, 1, 1), sex="M",
        address="Jl. Nuri 5", kelurahan_code=BONTORANNU, occupations=[occupation],
        declared_income=income, programmes=programmes or {"jkk": "self", "jkm": "self"},
        consent_given=True,
    )
    return core.workers.register(user, form).id


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def readable(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def ts_pairs(path: Path) -> list[tuple[str, str, str, str | None]]:
    """(context, source, translation, type) of every message."""
    pairs = []
    for ctx in ET.parse(path).getroot().findall("context"):
        name = ctx.findtext("name")
        for m in ctx.findall("message"):
            tr = m.find("translation")
            pairs.append((name, m.findtext("source") or "", (tr.text or "") if tr is not None else "",
                          tr.get("type") if tr is not None else "unfinished"))
    return pairs


def texts_of(root: QWidget) -> set[str]:
    """What a person can read: labels, buttons, titles, placeholders, items, headers, menus."""
    found: set[str] = set()

    def add(text):
        if text:
            found.add(readable(text))

    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if w.isWindow():
            add(w.windowTitle())
        if isinstance(w, QLabel):
            add(w.text())
        elif isinstance(w, QAbstractButton):
            add(w.text())
        elif isinstance(w, QGroupBox):
            add(w.title())
        elif isinstance(w, QLineEdit):
            add(w.placeholderText())
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                add(w.itemText(i))
        elif isinstance(w, QListWidget):
            for i in range(w.count()):
                add(w.item(i).text())
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                add(w.tabText(i))
        if isinstance(w, QTableView) and w.model() is not None:
            model = w.model()
            for c in range(w.horizontalHeader().count()):
                add(model.headerData(c, Qt.Orientation.Horizontal))
        for action in w.actions():
            add(action.text())
            if action.menu() is not None:
                add(action.menu().title())
                for sub in action.menu().actions():
                    add(sub.text())
    return {t for t in found if isinstance(t, str)}
