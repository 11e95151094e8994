"""The participant's rights at the counter, driven like a person: the data copy PDF, a
correction with its reason, a deletion request."""

from __future__ import annotations

import json
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlmodel import select

from agent_app.services.workers import RegistrationForm
from agent_app.store.models import AuditEntry, OutboxOp, Worker
from agent_app.ui.privacy_dialogs import (
    CorrectionDialog,
    DataCopyDialog,
    DeletionRequestDialog,
)

NIK = "7371014107900001"


@pytest.fixture
def worker_id(core, agent_user):
    form = RegistrationForm(
        nik=NIK, full_name="Sitti Rahmawati", birth_date=date(1990, 7, 1), sex="F",
        phone="0812-3456-7890", address="Jl. Sultan Alauddin No. 5",
        kelurahan_code="73710101001", occupations=["Pedagang pasar"],
        declared_income=1_000_000, programmes={"jkk": "self", "jkm": "self"},
        heir_name="Baso Rahman", heir_relation="Suami", consent_given=True,
    )
    worker = core.workers.register(agent_user, form)
    core.payments.collect(agent_user, worker.id, 1, "cash")
    return worker.id


def ops(core, kind):
    with core.db.read() as s:
        return list(s.exec(select(OutboxOp).where(OutboxOp.kind == kind)))


def audits(core, action):
    with core.db.read() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action)))


def show(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def retype(qtbot, widget, text):
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


# --- data copy -------------------------------------------------------------------------


def test_data_copy_writes_a_pdf_with_the_participants_data_and_audits_it(
        qtbot, core, runner, session, worker_id, tmp_path):
    from pypdf import PdfReader

    dialog = show(qtbot, DataCopyDialog(core, runner, session, worker_id))
    target = tmp_path / "Documents" / "salinan"
    asked = []
    dialog.pdf_path_chooser = lambda parent, suggested: asked.append(suggested) or str(target)
    assert dialog.windowTitle() == "Salinan data peserta"
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as saved:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the default button: save
    path = tmp_path / "Documents" / "salinan.pdf"
    assert saved.args == [str(path)] and path.exists()
    assert asked[0].endswith(".pdf") and "salinan-data-peserta" in asked[0]
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)
    for expected in ("Salinan data pribadi", NIK, "Sitti Rahmawati", "Persetujuan",
                     "Iuran diterima", "Besse Agen"):
        assert expected in text, expected
    assert dialog.message.plain_text().startswith("Tersimpan:")
    assert not list(path.parent.glob(".data-copy-*"))  # atomic: no temp file left
    (entry,) = audits(core, "export")
    assert entry.entity_id == worker_id


def test_cancelled_file_choice_writes_and_records_nothing(qtbot, core, runner, session, worker_id):
    dialog = show(qtbot, DataCopyDialog(core, runner, session, worker_id))
    dialog.pdf_path_chooser = lambda parent, suggested: None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.wait(50)
    assert not dialog.busy and not audits(core, "export")


# --- correction ------------------------------------------------------------------------


def test_agent_corrects_a_phone_with_a_reason(qtbot, core, runner, session, worker_id):
    dialog = show(qtbot, CorrectionDialog(core, runner, session, worker_id))
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5_000)
    assert "fix_nik" not in [w.objectName() for w in dialog.inputs.values()]  # agents: no identity
    assert not dialog.identity_note.isVisibleTo(dialog)
    assert dialog.inputs["phone"].text() == "0812-3456-7890"
    assert dialog.subtitle.text() == "Sitti Rahmawati · NIK 7371********0001"
    retype(qtbot, dialog.inputs["phone"], "0813 1111 2222")
    dialog.reason.setFocus()
    qtbot.keyClicks(dialog.reason, "Nomor lama hilang")
    with qtbot.waitSignal(dialog.corrected, timeout=10_000):
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with core.db.read() as s:
        assert s.get(Worker, worker_id).phone == "+6281311112222"
    (op,) = ops(core, "worker.update")
    assert json.loads(op.payload)["phone"] == "+6281311112222"
    (entry,) = audits(core, "worker.correct")
    assert json.loads(entry.new)["reason"] == "Nomor lama hilang"


def test_wrong_value_is_shown_beside_its_field_and_nothing_is_saved(
        qtbot, core, runner, session, worker_id):
    dialog = show(qtbot, CorrectionDialog(core, runner, session, worker_id))
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5_000)
    retype(qtbot, dialog.inputs["phone"], "12345")
    qtbot.keyClicks(dialog.reason, "Salah ketik")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.issue_labels["phone"].isVisible(), timeout=5_000)
    assert dialog.issue_labels["phone"].severity == "error"
    assert dialog.issue_labels["phone"].plain_text().strip()
    assert dialog.isVisible() and dialog.inputs["phone"].hasFocus()
    assert not ops(core, "worker.update")


def test_missing_reason_and_no_change_are_explained(qtbot, core, runner, session, worker_id):
    dialog = show(qtbot, CorrectionDialog(core, runner, session, worker_id))
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5_000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.message.plain_text() == "Tidak ada data yang berubah"
    retype(qtbot, dialog.inputs["address"], "Jl. Veteran 9")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "alasan" in dialog.message.plain_text().lower(), timeout=5_000)
    assert dialog.reason.hasFocus()


def test_supervisor_may_correct_the_nik(qtbot, core, runner, session, supervisor_user, worker_id):
    session.user = supervisor_user
    dialog = show(qtbot, CorrectionDialog(core, runner, session, worker_id))
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5_000)
    assert dialog.inputs["nik"].hasFocus() and dialog.inputs["nik"].text() == NIK
    assert dialog.identity_note.isVisible()  # told before saving that the centre decides
    assert dialog.identity_note.text().startswith("Koreksi NIK, tanggal lahir atau jenis kelamin "
                                                  "diputuskan pusat")
    retype(qtbot, dialog.inputs["nik"], "7371014107900002")
    qtbot.keyClicks(dialog.reason, "Salah ketik NIK, cek KTP")
    with qtbot.waitSignal(dialog.corrected, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert core.workers.find_by_nik("7371014107900002").id == worker_id


def test_correction_dialog_fits_a_1366x768_screen_at_150_percent(qtbot, core, runner, session,
                                                                 supervisor_user, worker_id):
    session.user = supervisor_user  # the longest form
    dialog = show(qtbot, CorrectionDialog(core, runner, session, worker_id))
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5_000)
    # 1366x768 at 150 % is 910x512 logical pixels, minus the taskbar and title bar.
    assert dialog.width() <= 900 and dialog.height() <= 520
    assert dialog.save_button.isVisible() and dialog.reason.isVisibleTo(dialog)
    dialog.grab().save("/tmp/privacy_correction.png")


# --- deletion request ------------------------------------------------------------------


def test_deletion_request_needs_reason_and_the_tick_then_is_recorded_once(
        qtbot, core, runner, session, worker_id):
    dialog = show(qtbot, DeletionRequestDialog(core, runner, session, worker_id))
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=5_000)
    assert dialog.reason.hasFocus()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert "alasan" in dialog.message.plain_text().lower()
    qtbot.keyClicks(dialog.reason, "Sudah pindah ke luar negeri")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.message.plain_text() == "Centang kotaknya: hanya peserta sendiri yang boleh meminta."
    assert dialog.confirm.hasFocus()
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Space)
    assert dialog.confirm.isChecked()
    with qtbot.waitSignal(dialog.requested, timeout=10_000):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    (op,) = ops(core, "worker.deletion_request")
    assert json.loads(op.payload)["reason"] == "Sudah pindah ke luar negeri"

    again = show(qtbot, DeletionRequestDialog(core, runner, session, worker_id))
    qtbot.waitUntil(lambda: again.message.isVisible(), timeout=5_000)
    assert "sudah dicatat" in again.message.plain_text()
    assert not again.send_button.isEnabled() and again.reason.isReadOnly()
    assert again.reason.toPlainText() == "Sudah pindah ke luar negeri"


def test_dialogs_follow_the_language(qtbot, core, runner, session, worker_id):
    session.set_language("en")
    dialog = show(qtbot, DeletionRequestDialog(core, runner, session, worker_id))
    assert dialog.windowTitle() == "Deletion request"
    session.set_language("id")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Permintaan penghapusan", timeout=2_000)
    assert dialog.send_button.text() == "&Catat permintaan"


def test_worker_page_opens_the_correction_and_reloads_after_it(qtbot, core, runner, session, worker_id):
    from agent_app.ui.worker_page import WorkerPage

    page = WorkerPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=5_000):
        page.load(worker_id)
    qtbot.waitUntil(lambda: page.correct_button.isEnabled(), timeout=5_000)
    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    dialog = page._dialog
    assert isinstance(dialog, CorrectionDialog)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5_000)
    retype(qtbot, dialog.inputs["address"], "Jl. Veteran 9")
    qtbot.keyClicks(dialog.reason, "Pindah rumah")
    with qtbot.waitSignal(page.loaded, timeout=10_000):  # the page shows the new data
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert "Jl. Veteran 9" in page.fields["address"].text()
