"""Property-based fuzzing of the registration form, the correction form and the importer.

Whatever a person (or a file) feeds them, a use case either saves or refuses with a
ServiceError whose message and issues read as real text in both languages, and nothing
is ever half-written: after every example, rows == outbox operations == audit entries.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from agent_app.domain.messages import CATALOGUE, Issue
from agent_app.domain.reference import load_reference
from agent_app.services import privacy
from agent_app.services.base import ServiceError
from agent_app.services.importer import OPTIONAL, REQUIRED
from agent_app.store.models import AuditEntry, OutboxOp, Worker
from tests.helpers.forms import make_form

REF = load_reference()
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

anything = st.text(max_size=40)
wild_text = st.one_of(anything,
                      st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
                      st.sampled_from(["", " ", "\x00", "'; DROP TABLE worker;--", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
                                       "Ä" * 200, "١٢٣٤", "\u202e", "\n\t"]))
# SQLite's INTEGER range; incomes beyond it are pinned by the last test of this file.
SQLITE_MAX = 2 ** 63 - 1
huge = st.one_of(st.integers(min_value=-SQLITE_MAX, max_value=SQLITE_MAX),
                 st.sampled_from([0, -1, 999_999, 1_000_000, SQLITE_MAX, -SQLITE_MAX]))
niks = st.one_of(
    wild_text,
    st.integers(1, 9999).map(lambda n: f"737101410790{n:04d}"),
    st.from_regex(r"\d{16}", fullmatch=True),
)
dates = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
                  st.dates(min_value=date(1955, 1, 1), max_value=date(2015, 1, 1)))
kelurahan = st.one_of(st.sampled_from([k.code for k in REF.kelurahan]), wild_text)
occupation = st.one_of(st.sampled_from(list(REF.occupations)), wild_text)
programmes = st.dictionaries(st.sampled_from(["jkk", "jkm", "jht", "jkp", ""]),
                             st.one_of(st.sampled_from(list(REF.funding_sources)), anything),
                             max_size=4)

FIELDS = {
    "nik": niks,
    "full_name": wild_text,
    "birth_date": dates,
    "sex": st.one_of(st.sampled_from(["", "M", "F", "m", "X"]), anything),
    "phone": st.one_of(wild_text, st.from_regex(r"(\+62|0)8[1-9]\d{7,10}", fullmatch=True)),
    "address": wild_text,
    "kelurahan_code": kelurahan,
    "occupations": st.lists(occupation, max_size=3),
    "declared_income": huge,
    "programmes": programmes,
    "desil": st.one_of(st.none(), st.integers(-3, 15)),
    "desil_source": st.one_of(st.none(), wild_text),
    "desil_date": dates,
    "disability": st.booleans(),
    "disability_kind": st.one_of(st.none(), wild_text),
    "heir_name": st.one_of(st.none(), wild_text),
    "heir_relation": st.one_of(st.none(), wild_text),
    "consent_given": st.booleans(),
}
# Start from a valid form and break one to three fields: saves happen too, and a refusal
# is about the broken field rather than drowned among many.
overrides = st.lists(st.sampled_from(sorted(FIELDS)), min_size=0, max_size=3, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: FIELDS[name] for name in names}))


def readable(text: str, code: str) -> bool:
    return bool(text.strip()) and text != code


def assert_clear_refusal(error: ServiceError) -> None:
    assert error.code in CATALOGUE, error.code
    for lang in ("id", "en"):
        assert readable(error.text(lang), error.code), (error.code, lang)
    for issue in error.issues:
        if isinstance(issue, Issue):
            for lang in ("id", "en"):
                assert readable(issue.text(lang), issue.code), (issue.code, lang)


def counts(core) -> tuple[int, int, int]:
    with core.db.read() as s:
        rows = s.exec(select(func.count()).select_from(Worker)).one()
        ops = s.exec(select(func.count()).select_from(OutboxOp)
                     .where(OutboxOp.kind == "worker.register")).one()
        audits = s.exec(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action == "worker.register")).one()
    return rows, ops, audits


@FUZZ
@given(changes=overrides, serial=st.integers(1, 9999))
def test_registration_saves_or_refuses_clearly_and_never_half_writes(core, user, changes, serial):
    form = make_form(**{"nik": f"737101410790{serial:04d}", **changes})
    for issue in core.workers.check(form):  # validation as the person types never raises
        assert readable(issue.text("id"), issue.code) and readable(issue.text("en"), issue.code)
    before = counts(core)
    try:
        worker = core.workers.register(user, form)
    except ServiceError as error:
        event(f"refused: {error.code}")
        assert_clear_refusal(error)
        assert counts(core) == before
    else:
        event("saved")
        assert core.workers.find_by_nik(worker.nik).id == worker.id
        assert counts(core) == tuple(n + 1 for n in before)
    rows, ops, audits = counts(core)
    assert rows == ops == audits


@FUZZ
@given(changes=overrides, reason=st.one_of(st.just("Koreksi data peserta"), st.just("Salah ketik"), anything))
def test_correction_saves_or_refuses_clearly_and_never_half_writes(core, user, changes, reason):
    worker = core.workers.find_by_nik("7371014107900001") or core.workers.register(user, make_form())
    changes = {k: v for k, v in changes.items() if k not in privacy.IDENTITY_FIELDS | {"consent_given"}}

    def snapshot():
        with core.db.read() as s:
            row = s.get(Worker, worker.id)
            updates = s.exec(select(func.count()).select_from(OutboxOp)
                             .where(OutboxOp.kind == "worker.update")).one()
            audits = s.exec(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action == "worker.correct")).one()
        return json.dumps(row.model_dump(exclude={"sync_state", "updated_at"}), default=str), updates, audits

    before = snapshot()
    try:
        privacy.correct_worker(core, user, worker.id, changes, reason)
    except ServiceError as error:
        event(f"refused: {error.code}")
        assert_clear_refusal(error)
        assert snapshot() == before
    else:
        event("saved")
        after = snapshot()
        assert after[1:] == (before[1] + 1, before[2] + 1)
    _, updates, audits = snapshot()
    assert updates == audits


HEADERS = list(REQUIRED) + list(OPTIONAL)
cell = st.one_of(wild_text, st.sampled_from(["7371014107900001", "ya", "tidak", "L", "P",
                                             "01/07/1990", "Pedagang pasar", "Bontorannu",
                                             "1.500.000", "apbd", "mandiri", "3"]))


VALID_ROW = {"nik": "737101410790{serial:04d}", "nama": "Sitti Rahmawati",
             "tanggal_lahir": "01/07/1990", "jenis_kelamin": "P", "alamat": "Jl. Veteran 9",
             "kelurahan": "Bontorannu", "pekerjaan": "Pedagang pasar", "penghasilan": "1.500.000",
             "persetujuan": "ya"}


@st.composite
def csv_files(draw) -> bytes:
    if draw(st.booleans()):
        # Mostly valid rows, one cell in some of them broken: commits happen.
        header = list(REQUIRED) + draw(st.lists(st.sampled_from(OPTIONAL), max_size=3, unique=True))
        rows = []
        for serial in draw(st.lists(st.integers(1, 9999), min_size=1, max_size=6)):
            row = {**VALID_ROW, "nik": VALID_ROW["nik"].format(serial=serial)}
            if draw(st.booleans()):
                row[draw(st.sampled_from(header))] = draw(cell)
            rows.append([row.get(name, "") for name in header])
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header] + rows)
        return buffer.getvalue().encode("utf-8")
    if draw(st.booleans()):
        header = draw(st.permutations(HEADERS))[: draw(st.integers(0, len(HEADERS)))]
    else:
        header = draw(st.lists(wild_text, max_size=6))
    rows = draw(st.lists(st.lists(cell, max_size=len(header) + 2), max_size=8))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if draw(st.booleans()):
        return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])),
                           errors="replace")
    return draw(st.binary(max_size=400)) if draw(st.booleans()) else text.encode()


@FUZZ
@given(content=csv_files())
def test_importer_reports_clearly_and_commits_all_or_nothing(core, user, tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "daftar.csv"
    path.write_bytes(content)
    before = counts(core)
    try:
        report = core.importer.preview(path)
    except ServiceError as error:
        event(f"unreadable: {error.code}")
        assert error.code.startswith("import.")
        assert_clear_refusal(error)
        return
    for issue in report.file_issues:
        assert readable(issue.text("id"), issue.code) and readable(issue.text("en"), issue.code)
    for row in report.rows:
        for issue in row.issues:
            assert readable(issue.text("id"), issue.code) and readable(issue.text("en"), issue.code)
        if row.status != "valid":
            assert row.messages("id") and row.messages("en")
    try:
        imported = core.importer.commit(user, report)
    except ServiceError as error:
        assert_clear_refusal(error)
        assert counts(core) == before
    else:
        event("imported")
        assert counts(core) == tuple(n + imported for n in before)
    rows, ops, audits = counts(core)
    assert rows == ops == audits


@pytest.mark.parametrize("income", [10 ** 19, 2 ** 63])
def test_income_beyond_sqlite_integers_is_a_clear_refusal(core, user, income):
    """Found by the fuzzer: a 20-digit income passed validation and crashed the insert."""
    with pytest.raises(ServiceError) as info:
        core.workers.register(user, make_form(declared_income=income))
    assert_clear_refusal(info.value)
    assert counts(core) == (0, 0, 0)
