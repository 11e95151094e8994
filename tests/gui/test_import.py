"""Import dialog: preview report row by row, import the valid rows, save the report."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt
from sqlmodel import select

from agent_app.store.models import OutboxOp, Worker
from agent_app.ui.import_dialog import ImportDialog
from tests.helpers.gui import make_worker

HEADER = ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "alamat", "kelurahan",
          "pekerjaan", "penghasilan", "persetujuan"]
ROWS = [
    ["7371010202900003", "Sitti Aminah", "02/02/1990", "L", "Jl. Rajawali 1", "Bontorannu",
     "Pedagang pasar", "1.500.000", "ya"],                        # valid
    ["7371010303900000", "Daeng Tata", "03/03/1990", "L", "Jl. Rajawali 2", "Bontorannu",
     "Nelayan", "1000000", "ya"],                                 # serial 0000: invalid
    ["7371010202900003", "Sitti Aminah", "02/02/1990", "L", "Jl. Rajawali 1", "Bontorannu",
     "Pedagang pasar", "1500000", "ya"],                          # duplicate in the file
    ["7371010101900001", "Budi Santoso", "01/01/1990", "L", "Jl. Nuri 5", "Bontorannu",
     "Pedagang pasar", "1000000", "ya"],                          # already on this device
    ["7371014404920005", "Nurul Huda", "04/04/1992", "P", "Jl. Kakatua 3", "Bitowo",
     "Penjahit", "2000000", "ya"],                                # valid (Bitowa, variant)
]


@pytest.fixture
def clerk_session(qapp, core, supervisor_user):
    """Importing the city's lists is a clerk's (or supervisor's) job, not a field agent's."""
    from agent_app.ui.session import UiSession

    core.users.create_user(username="kasir", full_name="Cici Kasir", role="clerk",
                           password="rahasia-kasir-2026", actor=supervisor_user)
    return UiSession(core.users.authenticate("kasir", "rahasia-kasir-2026"), "id")


def open_dialog(qtbot, core, runner, session) -> ImportDialog:
    dialog = ImportDialog(core, runner, session)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_preview_import_and_report(qtbot, core, runner, clerk_session, agent_user, tmp_path):
    make_worker(core, agent_user)  # 7371010101900001 is already registered here
    path = tmp_path / "daftar.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])

    dialog = open_dialog(qtbot, core, runner, clerk_session)
    dialog.file_chooser = lambda parent: str(path)
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)

    model = dialog.model
    assert model.rowCount() == 5
    statuses = [model.report.rows[i].status for i in range(5)]
    assert statuses == ["valid", "invalid", "duplicate_file", "duplicate_store", "valid"]
    assert "0000" in model.index(1, 4).data()  # the reason is on the row
    assert model.index(0, 2).data() == "Sitti Aminah"
    assert dialog.import_button.isEnabled() and "2" in dialog.import_button.text()
    assert dialog.summary.isVisible()

    report = tmp_path / "laporan.csv"
    dialog.report_path_chooser = lambda parent, suggested: str(report)
    qtbot.mouseClick(dialog.save_report_button, Qt.MouseButton.LeftButton)
    with report.open(encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert len(lines) == 6 and lines[2][1] == "7371010303900000"

    with qtbot.waitSignal(dialog.imported, timeout=10000) as imported:
        qtbot.keyClick(dialog.import_button, Qt.Key.Key_Return)
    assert imported.args == [2]
    assert not dialog.import_button.isEnabled()  # never twice
    with core.db.read() as s:
        niks = sorted(s.exec(select(Worker.nik)))
        ops = list(s.exec(select(OutboxOp).where(OutboxOp.kind == "worker.register")))
    assert niks == ["7371010101900001", "7371010202900003", "7371014404920005"]
    assert len(ops) == 3


def test_xlsx_missing_columns_is_explained(qtbot, core, runner, supervisor_user, tmp_path):
    from agent_app.ui.session import UiSession

    session = UiSession(supervisor_user, "id")
    path = tmp_path / "daftar.xlsx"
    book = Workbook()
    book.active.append(["nik", "nama"])
    book.active.append(["7371010202900003", "Sitti"])
    book.save(path)
    dialog = open_dialog(qtbot, core, runner, session)
    dialog.load_file(path)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)
    assert dialog.summary.severity == "error"
    assert "tanggal_lahir" in dialog.summary.plain_text()
    assert not dialog.import_button.isEnabled()


def test_field_agent_may_not_import(qtbot, core, runner, session, tmp_path):
    dialog = open_dialog(qtbot, core, runner, session)  # the agent's session
    assert not dialog.choose_button.isEnabled()
    assert dialog.summary.plain_text().endswith("tidak boleh mengimpor daftar peserta")
    dialog.load_file(tmp_path / "anything.csv")
    assert dialog.report is None and not dialog.busy


@pytest.fixture
def slow_import(monkeypatch):
    """Small chunks and long pauses between them: the import takes seconds, long enough
    to do other work and to cancel while it runs."""
    from agent_app.services import importer

    monkeypatch.setattr(importer, "STAGE_CHUNK", 5)
    monkeypatch.setattr(importer, "PUBLISH_CHUNK", 5)
    monkeypatch.setattr(importer, "PUBLISH_MAX", 5)
    monkeypatch.setattr(importer._Pacer, "WRITE_SPELL", 0.0)
    monkeypatch.setattr(importer._Pacer, "PAUSE", 0.4)


def previewed_dialog(qtbot, core, runner, session, tmp_path, rows=40):
    from tests.helpers.forms import make_list

    dialog = open_dialog(qtbot, core, runner, session)
    dialog.load_file(make_list(tmp_path / "daftar.csv", rows))
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert len(dialog.report.valid) > rows // 2
    return dialog


def count_workers(core) -> int:
    with core.db.read() as s:
        return len(s.exec(select(Worker.id)).all())


def test_the_clerk_keeps_working_while_a_list_imports(qtbot, core, runner, clerk_session, agent_user,
                                                      tmp_path, slow_import):
    dialog = previewed_dialog(qtbot, core, runner, clerk_session, tmp_path)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and dialog.cancel_button.isVisible()
    saved = []
    runner.submit(make_worker, core, agent_user, on_done=saved.append)  # the database thread
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    assert dialog.busy, "the registration did not wait for the import"
    with qtbot.waitSignal(dialog.imported, timeout=60000) as imported:
        pass
    valid = len(dialog.report.valid)
    assert imported.args == [valid] and count_workers(core) == valid + 1


def test_cancelling_an_import_keeps_nothing(qtbot, core, runner, clerk_session, tmp_path, slow_import):
    dialog = previewed_dialog(qtbot, core, runner, clerk_session, tmp_path)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=10000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20000)
    assert dialog.summary.plain_text() == dialog.tr("Cancelled: nothing was imported.")
    assert count_workers(core) == 0
    with core.db.read() as s:
        assert s.exec(select(OutboxOp.op_id)).all() == []
    assert dialog.import_button.isEnabled()  # the same list can be imported again
