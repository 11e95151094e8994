"""Every page and dialog in Bahasa Indonesia and in English, switched live.

Two checks:
* the .ts has a finished Indonesian translation for every string marked in the code
  (pyside6-lupdate scans agent_app/, so a string someone forgot to add shows up here);
* on screen, the Indonesian UI shows no English source text that has a different
  Indonesian translation, and the English UI shows no Indonesian translation: this catches
  a widget that does not retranslate itself on LanguageChange.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from agent_app.services.workers import RegistrationForm
from tests.helpers.gui import KELURAHAN, TS, readable, texts_of, ts_pairs

ROOT = Path(__file__).resolve().parents[2]
def test_every_marked_string_has_an_indonesian_translation(tmp_path):
    scan = tmp_path / "scan.ts"
    files = sorted(str(p) for p in (ROOT / "agent_app").rglob("*.py"))
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run([str(lupdate), *files, "-ts", str(scan)], check=True, capture_output=True)
    in_code = {(c, s) for c, s, _t, _k in ts_pairs(scan)}
    committed = {(c, s): (t, kind) for c, s, t, kind in ts_pairs(TS)}
    missing = sorted(key for key in in_code if key not in committed)
    unfinished = sorted(key for key in in_code
                        if key in committed and (committed[key][1] == "unfinished" or not committed[key][0]))
    assert not missing, f"strings not in {TS.name} (run resources/translations/update_ts.py): {missing}"
    assert not unfinished, f"strings without Indonesian in {TS.name}: {unfinished}"


@pytest.fixture
def vocabulary():
    pairs = [(readable(s), readable(t)) for _c, s, t, kind in ts_pairs(TS) if t and kind != "unfinished"]
    english = {s for s, t in pairs if s != t}
    indonesian = {t for s, t in pairs if s != t}
    both = english & indonesian  # a word that is a source in one place, a translation elsewhere
    return english - both, indonesian - both


def _dialogs(core, runner, session, window, worker_id, payment_id):
    """Every dialog the app has."""
    from agent_app.ui.import_dialog import ImportDialog
    from agent_app.ui.login import FirstUserDialog, SignInDialog
    from agent_app.ui.payment_dialog import PaymentDialog, ReprintDialog
    from agent_app.ui.privacy_dialogs import CorrectionDialog, DataCopyDialog, DeletionRequestDialog
    from agent_app.ui.settings_dialog import SettingsDialog
    from agent_app.ui.void_dialog import VoidDialog

    return [SignInDialog(core, runner, window, lang=session.lang),
            FirstUserDialog(core, runner, window, lang=session.lang),
            SettingsDialog(core, runner, session, window),
            PaymentDialog(core, runner, session, worker_id, window),
            ReprintDialog(core, runner, session, payment_id, window),
            VoidDialog(core, runner, session, payment_id, window),
            ImportDialog(core, runner, session, window),
            CorrectionDialog(core, runner, session, worker_id, window),
            CorrectionDialog(core, runner, session, worker_id, window, resubmit_op_id="op",
                             server_reason="Kelurahan tidak dikenal"),
            DataCopyDialog(core, runner, session, worker_id, window),
            DeletionRequestDialog(core, runner, session, worker_id, window)]


def test_every_page_and_dialog_in_both_languages(qtbot, main_window, core, runner, session,
                                                 agent_user, vocabulary):
    english, indonesian = vocabulary
    worker = core.workers.register(agent_user, RegistrationForm(
        nik="7371014501900001", full_name="Siti Aminah", birth_date=date(1990, 1, 5), sex="F",
        phone="081355500001", address="Jl. Nuri 5", kelurahan_code=KELURAHAN,
        occupations=["Pedagang pasar"], declared_income=1_000_000, consent_given=True))
    payment = core.payments.collect(agent_user, worker.id, 1, "cash")

    window = main_window
    window.refresh()
    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        window.open_worker(worker.id)
    from agent_app.ui.main_window import NAV

    for key in NAV:  # every page of the window, built on this first visit
        window.go(key)
    window.lock.lock()
    window.lock.unlock()
    window.show_list()
    dialogs = _dialogs(core, runner, session, window, worker.id, payment.id)
    for dialog in dialogs:
        dialog.show()
    qtbot.wait(300)  # dialogs load their data through the runner

    def screen_texts():
        texts = texts_of(window) | texts_of(window.lock.page)
        for dialog in dialogs:
            texts |= texts_of(dialog)
        return texts

    def check(lang):
        texts = screen_texts()
        if lang == "id":
            leftovers = sorted(texts & english)
            assert not leftovers, f"English left in the Indonesian UI: {leftovers}"
            for label in ("Cari Pekerja", "Daftar Baru", "Impor", "Pengaturan", "Masuk",
                          "Buat pengguna pertama", "Terima iuran (Ctrl+P)", "Riwayat perubahan",
                          "Belum pernah sinkron", "Terkunci"):
                assert label in texts, label
        else:
            leftovers = sorted(texts & indonesian)
            assert not leftovers, f"Indonesian left in the English UI: {leftovers}"
            for label in ("Find worker", "New registration", "Import", "Settings", "Sign in",
                          "Create the first user", "Collect contribution (Ctrl+P)",
                          "History of changes", "Never synced", "Locked"):
                assert label in texts, label

    check("id")
    session.set_language("en")
    qtbot.waitUntil(lambda: window.nav.item(0).text() == "Find worker")
    qtbot.wait(50)  # the rest of the posted LanguageChange events
    check("en")
    session.set_language("id")
    qtbot.waitUntil(lambda: window.nav.item(0).text() == "Cari Pekerja")
    qtbot.wait(50)
    check("id")
    for dialog in dialogs:
        dialog.close()
