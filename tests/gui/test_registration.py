"""Registration form: typed like a person would, checked against what the screen says and
what the database holds."""

from __future__ import annotations

import json
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlmodel import select

from agent_app.services.workers import RegistrationForm
from agent_app.store.models import AuditEntry, OutboxOp, Worker
from agent_app.ui.registration import RegistrationPage
from tests.gui.conftest import answer, question

# The offscreen platform warns about what it lacks (raise, keyboard grab) when the
# kelurahan suggestions pop up. A function-level mark: conftest adds its own per item.
offscreen = pytest.mark.qt_log_ignore("This plugin does not support")

NIK = "7371010101900001"  # Mariso, born 01/01/1990, male, serial 0001
NIK_FEMALE = "7371014101900002"  # day 41 = 01 + 40: a woman born 01/01/1990
BONTORANNU = "73710101001"  # kelurahan in Mariso


@pytest.fixture
def page(qtbot, core, runner, session):
    page = RegistrationPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1166, 688)
    page.show()
    qtbot.waitExposed(page)
    return page


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def fill_valid(qtbot, page: RegistrationPage, *, nik: str = NIK, name: str = "Budi Santoso",
               birth: str = "01011990", male: bool = True) -> None:
    type_into(qtbot, page.nik_edit, nik)
    type_into(qtbot, page.name_edit, name)
    type_into(qtbot, page.birth_edit.edit, birth)
    (page.male if male else page.female).setFocus()
    qtbot.keyClick(page.male if male else page.female, Qt.Key.Key_Space)
    type_into(qtbot, page.phone_edit, "0812-3456-7890")
    type_into(qtbot, page.address_edit, "Jl. Nuri No. 5")
    type_into(qtbot, page.kelurahan.edit, "Bontoranu")  # a common misspelling
    qtbot.keyClick(page.kelurahan.edit, Qt.Key.Key_Return)
    tick_occupation(qtbot, page, "Ojek pangkalan")
    type_into(qtbot, page.income_edit, "1000000")
    page.consent_check.setFocus()
    qtbot.keyClick(page.consent_check, Qt.Key.Key_Space)


def tick_occupation(qtbot, page: RegistrationPage, name: str) -> None:
    tree = page.occupations.tree
    tree.setFocus()
    tree.setCurrentItem(page.occupations.items[name])
    qtbot.keyClick(tree.viewport(), Qt.Key.Key_Space)


def issue_text(page: RegistrationPage, field: str) -> str:
    label = page.issue_labels[field]
    return label.plain_text() if label.isVisible() else ""


def wait_issue(qtbot, page: RegistrationPage, field: str, text: str) -> None:
    try:
        qtbot.waitUntil(lambda: text in issue_text(page, field), timeout=3000)
    except Exception as exc:
        raise AssertionError(f"{field}: {issue_text(page, field)!r} / all: {page.issues}") from exc


def worker_count(core) -> int:
    with core.db.read() as s:
        return len(list(s.exec(select(Worker.id))))


@offscreen
def test_valid_registration_is_saved_with_outbox_and_audit(qtbot, page, core, agent_user):
    fill_valid(qtbot, page)
    # The misspelt kelurahan was recognised and its kecamatan shown.
    assert page.kelurahan.code == BONTORANNU
    assert "Mariso" in page.kelurahan.kecamatan.text()
    assert page.income_edit.text() == "1.000.000"
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=3000)
    assert not any(label.isVisible() for label in page.issue_labels.values())

    with qtbot.waitSignal(page.worker_saved, timeout=5000) as saved:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    worker_id = saved.args[0]

    with core.db.read() as s:
        worker = s.get(Worker, worker_id)
        assert worker.nik == NIK and worker.full_name == "Budi Santoso"
        assert worker.birth_date == "1990-01-01" and worker.sex == "M"
        assert worker.phone == "+6281234567890"
        assert worker.kelurahan_code == BONTORANNU and worker.kecamatan_code == "7371010"
        assert json.loads(worker.occupations) == ["Ojek pangkalan"]
        assert worker.declared_income == 1_000_000
        assert json.loads(worker.programmes) == {"jkk": "self", "jkm": "self"}
        assert worker.consent_version == core.ref.consent.version
        assert worker.consent_user_id == agent_user.id
        ops = list(s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker_id)))
        assert [op.kind for op in ops] == ["worker.register"]
        audits = list(s.exec(select(AuditEntry).where(AuditEntry.entity_id == worker_id)))
        assert [a.action for a in audits] == ["worker.register"]
        assert audits[0].user_id == agent_user.id

    # The form is empty again for the next person, with a success message.
    assert page.nik_edit.text() == "" and page.name_edit.text() == ""
    assert page.kelurahan.code == "" and page.occupations.selected == []
    assert not page.consent_check.isChecked()
    assert "Budi Santoso" in page.status.plain_text()
    assert not page.save_button.isEnabled()


INVALID_CASES = [
    ("bad_nik", "nik", "Nomor urut NIK (4 digit terakhir) tidak boleh 0000"),
    ("short_nik", "nik", "NIK harus 16 digit angka"),
    ("female_nik_male_sex", "nik",
     "Jenis kelamin pada NIK (Perempuan) berbeda dengan yang diisi (Laki-laki); untuk "
     "perempuan tanggal lahir pada NIK ditambah 40"),
    ("age_65", "birth_date", "Usia 65 tahun: pendaftaran hanya untuk usia di bawah 65 tahun"),
    ("income_999999", "declared_income", "Penghasilan minimal Rp 1.000.000 per bulan"),
    ("three_occupations", "occupations", "Paling banyak 2 pekerjaan"),
    ("employer_without_jht", "programmes",
     "JHT wajib untuk pekerja yang juga pemberi kerja (pemilik usaha)"),
]


def enter_invalid_case(qtbot, page: RegistrationPage, case: str) -> None:
    if case == "bad_nik":
        fill_valid(qtbot, page, nik="7371010101900000")
    elif case == "short_nik":
        fill_valid(qtbot, page, nik="737101010190")
    elif case == "female_nik_male_sex":
        fill_valid(qtbot, page, nik=NIK_FEMALE, male=True)
    elif case == "age_65":
        # 65 years old exactly on the FixedClock date 2026-11-24.
        fill_valid(qtbot, page, nik="7371012411610001", birth="24111961")
    elif case == "income_999999":
        fill_valid(qtbot, page)
        page.income_edit.clear()
        type_into(qtbot, page.income_edit, "999999")
        assert page.income_edit.text() == "999.999"
    elif case == "three_occupations":
        fill_valid(qtbot, page)
        tick_occupation(qtbot, page, "Kurir")
        tick_occupation(qtbot, page, "Nelayan")
        assert len(page.occupations.selected) == 3
    elif case == "employer_without_jht":
        fill_valid(qtbot, page)
        tick_occupation(qtbot, page, "Pemilik usaha (pemberi kerja)")
        # JHT was switched on for the employer, with a note; the person switches it off.
        assert page.programme_checks["jht"].isChecked()
        assert page.jht_note.isVisible()
        page.programme_checks["jht"].setFocus()
        qtbot.keyClick(page.programme_checks["jht"], Qt.Key.Key_Space)
        assert not page.programme_checks["jht"].isChecked()


@offscreen
def test_invalid_input_shows_the_message_beside_the_field(qtbot, page, core):
    # One page for all cases (each fixture set-up costs seconds of password hashing);
    # "Clear form" between cases is part of what is tested.
    for n, (case, field, expected) in enumerate(INVALID_CASES):
        qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
        if n:  # typed input is only thrown away when the person confirms
            answer(qtbot, question(qtbot), "clear")
        assert page.nik_edit.text() == "" and not any(
            label.isVisible() for label in page.issue_labels.values()), case
        enter_invalid_case(qtbot, page, case)
        wait_issue(qtbot, page, field, expected)
        assert page.issue_labels[field].severity == "error", case
        assert not page.save_button.isEnabled(), case
        # Neither the button nor the shortcut saves anything.
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        page.nik_edit.setFocus()
        qtbot.keyClick(page.nik_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.wait(50)
        assert not page.saving, case
        assert worker_count(core) == 0, case


@offscreen
def test_kecamatan_mismatch_is_a_warning_that_allows_saving(qtbot, page, core):
    # An Ujung Tanah NIK (737108) living in Mariso: amber warning, Save still enabled.
    fill_valid(qtbot, page, nik="7371080101900003")
    wait_issue(qtbot, page, "nik", "(737108 Ujung Tanah)")
    assert "(737101 Mariso)" in issue_text(page, "nik")
    assert page.issue_labels["nik"].severity == "warning"
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=3000)
    with qtbot.waitSignal(page.worker_saved, timeout=5000):
        page.save_button.click()
    assert worker_count(core) == 1


@offscreen
def test_untouched_fields_show_no_errors_until_a_save_attempt(qtbot, page):
    assert not any(label.isVisible() for label in page.issue_labels.values())
    assert not page.save_button.isEnabled()
    type_into(qtbot, page.name_edit, "Budi")
    page.save()  # what Ctrl+S does: reveal every problem
    wait_issue(qtbot, page, "nik", "NIK wajib diisi")
    assert "Persetujuan peserta" in issue_text(page, "consent_given")
    assert issue_text(page, "full_name") == ""


def register_directly(core, user, *, nik=NIK, name="Budi Santoso", birth=date(1990, 1, 1)) -> str:
    form = RegistrationForm(
        nik=nik, full_name=name, birth_date=birth, sex="M", address="Jl. Nuri 5",
        kelurahan_code=BONTORANNU, occupations=["Pedagang pasar"], declared_income=1_000_000,
        consent_given=True,
    )
    return core.workers.register(user, form).id


@offscreen
def test_duplicate_nik_offers_to_open_the_existing_worker(qtbot, page, core, agent_user):
    existing_id = register_directly(core, agent_user)
    type_into(qtbot, page.nik_edit, NIK)
    qtbot.waitUntil(lambda: page.existing_banner.isVisible(), timeout=3000)
    assert "Budi Santoso" in page.existing_label.text()
    assert not page.save_button.isEnabled()
    with qtbot.waitSignal(page.open_existing, timeout=2000) as opened:
        qtbot.mouseClick(page.existing_button, Qt.MouseButton.LeftButton)
    assert opened.args == [existing_id]
    # Typing another NIK removes the banner.
    page.nik_edit.clear()
    type_into(qtbot, page.nik_edit, "7371010201900004")
    qtbot.waitUntil(lambda: not page.existing_banner.isVisible(), timeout=3000)
    assert worker_count(core) == 1


@offscreen
def test_nik_registered_meanwhile_is_refused_cleanly(qtbot, page, core, agent_user):
    """Another user of this laptop registers the same NIK between the look-up and Save."""
    fill_valid(qtbot, page)
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=3000)
    existing_id = register_directly(core, agent_user, name="Budi Santoso")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.existing_banner.isVisible(), timeout=5000)
    assert page.status.plain_text() == f"NIK {NIK} sudah terdaftar di perangkat ini"
    assert page.nik_edit.text() == NIK  # nothing typed is lost
    assert not page.save_button.isEnabled() and not page.saving
    with qtbot.waitSignal(page.open_existing) as opened:
        page.existing_button.click()
    assert opened.args == [existing_id]
    assert worker_count(core) == 1


def test_a_database_failure_on_save_is_a_sentence_not_a_code(qtbot, page, core, tmp_path):
    """A failure inside the database (here a constraint the store enforces) once showed a
    bare "gkpj", SQLAlchemy's code for IntegrityError."""
    from sqlalchemy import text

    from agent_app.logs import setup_logging, shutdown_logging

    log = setup_logging(tmp_path / "logs")
    try:
        with core.db.write() as s:  # a real constraint failure, from SQLite itself
            s.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON worker "
                           "BEGIN SELECT RAISE(ABORT, 'refused'); END"))
        fill_valid(qtbot, page)
        qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=3000)
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.saving, timeout=5000)
        shown = page.status.plain_text()
        assert "gkpj" not in shown and "Error" not in shown and "refused" not in shown
        assert shown.startswith("Terjadi kesalahan") and str(log) in shown
        assert page.nik_edit.text() == NIK  # nothing typed is lost
        assert worker_count(core) == 0
    finally:
        shutdown_logging()


@offscreen
def test_same_name_and_birth_date_warns_maybe_the_same_person(qtbot, page, core, agent_user):
    other_id = register_directly(core, agent_user, nik="7371020101900009")
    fill_valid(qtbot, page, name="budi  santoso")
    qtbot.waitUntil(lambda: page.similar_banner.isVisible(), timeout=3000)
    text = page.similar_label.text()
    assert "mungkin orang yang sama" in text.lower()
    assert "Budi Santoso" in text and "7371********0009" in text
    assert "7371020101900009" not in text
    # Only a warning: the agent may still save after checking the KTP.
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=3000)
    with qtbot.waitSignal(page.open_existing) as opened:
        page.similar_button.click()
    assert opened.args == [other_id]


@offscreen
def test_kelurahan_search_tolerates_spelling_variants(qtbot, page, core):
    bitowa = next(k for k in core.ref.kelurahan if k.name == "Bitowa")
    type_into(qtbot, page.kelurahan.edit, "bitowo")
    assert any(s.startswith("Bitowa") for s in page.kelurahan.model.stringList())
    qtbot.keyClick(page.kelurahan.edit, Qt.Key.Key_Return)
    assert page.kelurahan.code == bitowa.code
    assert bitowa.kecamatan_name in page.kelurahan.kecamatan.text()


@offscreen
def test_nik_field_accepts_digits_only(qtbot, page):
    type_into(qtbot, page.nik_edit, "7371-01a01 0190x0001999")
    assert page.nik_edit.text() == "7371010101900001"


@offscreen
def test_language_switch_rerenders_messages(qtbot, page, session):
    fill_valid(qtbot, page)
    page.income_edit.clear()
    type_into(qtbot, page.income_edit, "5000")
    wait_issue(qtbot, page, "declared_income", "Penghasilan minimal Rp 1.000.000 per bulan")
    session.set_language("en")
    wait_issue(qtbot, page, "declared_income", "Income must be at least Rp 1,000,000 a month")
    assert page.save_button.text().replace("&", "").startswith("Save")
    assert "Consent" in page.consent_box.title()


@offscreen
def test_layout_at_1366x768(qtbot, core, runner, session, tmp_path):
    """The form fits the laptop screen: the Save bar is visible without scrolling."""
    page = RegistrationPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    fill_valid(qtbot, page)
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=3000)
    shot = tmp_path / "registration_1366x768.png"
    page.grab().save("/tmp/registration_1366x768.png")  # for a human look; tmp_path is checked
    assert page.grab().save(str(shot))
    bottom = page.save_button.mapTo(page, page.save_button.rect().bottomRight())
    assert bottom.y() <= 768 and bottom.x() <= 1366
    assert page.nik_edit.isVisible() and page.consent_check.isVisibleTo(page)
    QApplication.processEvents()


@offscreen
def test_tab_walks_the_form_in_order(qtbot, page):
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=3000)
    page.nik_edit.setFocus()
    order = []
    for _ in range(18):
        widget = QApplication.focusWidget()
        order.append(widget.objectName())
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    expected = ["nik", "full_name", "dateText", "sex_M", "phone", "address", "kelurahan",
                "heir_name", "heir_relation", "occupations", "declared_income", "funding_jkk",
                "funding_jkm", "programme_jht", "desil", "disability", "consentText",
                "consent_given"]
    assert order == expected


def test_the_nik_fills_birth_date_and_sex_which_stay_editable_and_checked(qtbot, page):
    """The app decodes the NIK: once 16 valid digits are typed, the birth date and the sex
    are there (as with ODK's and CommCare's calculated fields)."""
    type_into(qtbot, page.nik_edit, NIK_FEMALE)
    assert page.birth_edit.value() == date(1990, 1, 1)
    assert page.female.isChecked()
    page.birth_edit.set_value(date(1990, 1, 2))  # the person's own, different from the NIK
    page.male.setChecked(True)
    wait_issue(qtbot, page, "nik", "(01/01/1990) berbeda dengan tanggal lahir yang diisi "
                                   "(02/01/1990)")
    assert "(Perempuan) berbeda dengan yang diisi (Laki-laki)" in issue_text(page, "nik")
    page.nik_edit.setText(NIK_FEMALE[:-1] + "3")  # another serial: what was typed stays
    assert page.birth_edit.value() == date(1990, 1, 2) and page.male.isChecked()
