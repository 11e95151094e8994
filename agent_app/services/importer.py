"""Import the city's lists of APBD-funded workers (CSV or XLSX).

A preview reads the file as a stream (``import_files``) and checks every row with the same
rules as the registration form, reporting each refusal. The commit writes the valid rows
so that other work goes on meanwhile, and still all or nothing:

1. staging: the rows, built by the registration rules, go into ``staged_worker`` in short
   transactions; nothing of them is visible or queued, and cancelling (or a crash) discards
   them;
2. the decision, one short transaction: no NIK was registered since the preview, and the
   batch turns "publishing" (its NIKs are then taken for any registration);
3. publishing: chunk by chunk, each one short transaction writing workers, their outbox
   operations (numbered as one block) and audit entries exactly as a registration does.
   A decided import is finished even after a crash: the next start completes it.

One import runs at a time per store (a lock file beside the database, released by the
operating system if the process dies); ``recover`` finishes or discards what a stopped
import left. Columns are documented in the README ("Importing a list of workers").
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import delete, update
from sqlmodel import col, select

from agent_app.domain.messages import Issue, error, has_errors, render
from agent_app.domain.nik import clean_number
from agent_app.domain.reference import Kelurahan
from agent_app.services.access import require
from agent_app.services.base import Clock, ServiceError, new_id
from agent_app.services.exports import Table, write_csv
from agent_app.services.import_files import NumberCell, open_table
from agent_app.services.reports import CancelLike, checkpoint
from agent_app.services.workers import RegistrationForm, WorkerService
from agent_app.store.db import bulk_insert, table_of
from agent_app.store.models import ImportBatch, StagedWorker, User, Worker

STAGE_CHUNK = 5_000  # rows per staging transaction (about 0.1 s of writing)
# Publishing transactions are sized by how long the last one held the lock: every row of a
# transaction costs the same, but every commit rewrites the pages it touched in the
# worker, outbox and audit indexes (encrypted, into the WAL, then checkpointed), so the
# fewer and fuller the transactions, the less is written per row.
PUBLISH_SECONDS = 0.25  # the lock held this long per publishing transaction
PUBLISH_CHUNK = 500  # rows of the first one, and the fewest of any
PUBLISH_MAX = 5_000  # rows of any one: what a transaction prepares stays small
ProgressFn = Callable[[int, int], None]

REQUIRED = ("nik", "nama", "tanggal_lahir", "jenis_kelamin", "alamat", "kelurahan",
            "pekerjaan", "penghasilan", "persetujuan")
OPTIONAL = ("telepon", "jht", "sumber_dana", "sumber_dana_jht", "desil", "desil_sumber",
            "desil_tanggal", "disabilitas", "jenis_disabilitas", "ahli_waris",
            "hubungan_ahli_waris")
FUNDING = {"mandiri": "self", "self": "self", "apbd": "apbd", "apbn": "apbn",
           "desa": "village", "dana desa": "village", "village": "village",
           "csr": "csr", "donatur": "csr"}
# str.isdigit() also accepts "²" and other digits int() refuses: only ASCII ones count.
NOT_DIGITS = re.compile("[^0-9]+")
SEXES = {"l": "M", "laki-laki": "M", "laki laki": "M", "m": "M",
         "p": "F", "perempuan": "F", "f": "F"}
YES = {"ya", "y", "yes", "1", "true", "benar"}
NO = {"tidak", "t", "no", "n", "0", "false", ""}


@dataclass(slots=True)
class ImportRow:
    number: int  # 1-based data row number (row 1 = first row after the header)
    raw: dict[str, str]
    form: RegistrationForm | None  # kept for valid rows only (what the commit writes)
    status: str  # valid | invalid | duplicate_file | duplicate_store
    issues: list[Issue] = field(default_factory=list)

    def messages(self, lang: str = "id") -> str:
        return "; ".join(
            (f"{issue.field}: " if issue.field else "") + issue.text(lang)
            for issue in self.issues
        )


@dataclass
class ImportReport:
    path: Path
    rows: list[ImportRow]
    file_issues: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status == "valid"]

    @property
    def refused(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status != "valid"]

    def counts(self) -> dict[str, int]:
        out = {"valid": 0, "invalid": 0, "duplicate_file": 0, "duplicate_store": 0}
        for row in self.rows:
            out[row.status] += 1
        return out

    def write_csv(self, target: Path, lang: str = "id") -> None:
        """The row-by-row report, written atomically, every cell neutralised against
        spreadsheet formulas as the other reports are (a list may hold "=HYPERLINK(...)")."""
        header = {"id": ["baris", "nik", "nama", "status", "keterangan"],
                  "en": ["row", "nik", "name", "status", "details"]}[lang]
        labels = {
            "id": {"valid": "diterima", "invalid": "ditolak", "duplicate_file": "ganda di berkas",
                   "duplicate_store": "sudah terdaftar", "imported": "diimpor"},
            "en": {"valid": "accepted", "invalid": "refused", "duplicate_file": "duplicate in file",
                   "duplicate_store": "already registered", "imported": "imported"},
        }[lang]
        rows: list[Sequence] = [["", "", "", labels["invalid"], issue.text(lang)]
                            for issue in self.file_issues]
        rows += ([row.number, row.raw.get("nik", ""), row.raw.get("nama", ""),
                  labels[row.status], row.messages(lang)] for row in self.rows)
        write_csv(Path(target), Table("", header, rows))


def _stripped(value: str) -> str:
    return value if isinstance(value, NumberCell) else value.strip()


_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})")


def _parse_date(text: str) -> date | None:
    """DD/MM/YYYY (or with - or . between) or YYYY-MM-DD; a regular expression, since
    strptime cost more than the rest of a row's parsing."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    day, _, month, year, iso_year, iso_month, iso_day = match.groups()
    try:
        if iso_year:
            return date(int(iso_year), int(iso_month), int(iso_day))
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _parse_bool(text: str) -> bool | None:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


class _Pacer:
    """Leaves the database to other writers between an import's transactions.

    A writer that finds the database locked sleeps in SQLite's busy handler, polling at
    most every 100 ms; a loop that starts its next transaction at once can take the lock
    back before that writer wakes up, again and again. So after WRITE_SPELL of holding the
    lock, the import lets go for longer than one poll (its work between transactions,
    topped up with a sleep): another write waits a spell, not the whole import.
    """

    WRITE_SPELL = 0.2
    PAUSE = 0.11

    def __init__(self) -> None:
        self.spell = 0.0
        self.held = 0.0  # how long the last transaction held the lock
        self.released = time.perf_counter()

    @contextmanager
    def write(self, db, **options) -> Iterator:
        idle = time.perf_counter() - self.released
        if idle >= self.PAUSE:
            self.spell = 0.0
        elif self.spell >= self.WRITE_SPELL:
            time.sleep(self.PAUSE - idle)
            self.spell = 0.0
        with db.write(**options) as s:
            s.connection()  # BEGIN IMMEDIATE: waiting for the lock is not holding it
            started = time.perf_counter()
            yield s
        self.released = time.perf_counter()
        self.held = self.released - started
        self.spell += self.held
        db.checkpoint()  # relaxed commits leave it to us: done while others may write


def _publication_order(rows: list[ImportRow]) -> list[RegistrationForm]:
    """The valid rows' forms by name: nearly the order of the list index (name_key), also
    the second key of the kelurahan and kecamatan indexes (see ``_stage``)."""
    forms = [row.form for row in rows if row.form is not None]
    assert len(forms) == len(rows), "a valid row keeps its form"
    return sorted(forms, key=lambda form: form.full_name.lower())


def _staged_entry(data: str) -> dict:
    """A staged row's worker columns and operation id. A batch staged by the previous
    version (the worker columns alone) may wait for the next start: its operations get
    new ids."""
    entry = json.loads(data)
    return entry if "op_id" in entry else {"worker": entry, "op_id": new_id()}


def _next_size(rows: int, held: float) -> int:
    """Rows for the next publishing transaction, after ``rows`` held the lock ``held``
    seconds: aimed at PUBLISH_SECONDS, at most doubling or halving at a time (one slow
    commit on a busy machine does not swing it)."""
    aimed = rows * PUBLISH_SECONDS / max(held, 1e-3)
    return int(min(PUBLISH_MAX, max(PUBLISH_CHUNK, rows / 2, min(aimed, rows * 2))))


class ImportService:
    def __init__(self, workers: WorkerService, clock: Clock) -> None:
        self.workers = workers
        self.db = workers.db
        self.ref = workers.ref
        self.clock = clock
        self.lock_path = Path(f"{self.db.path}.import-lock")

    # --- preview --------------------------------------------------------------------------

    def preview(self, path: Path, progress: ProgressFn | None = None,
                cancel: CancelLike | None = None) -> ImportReport:
        """Every row checked, read as a stream; ``progress(rows, 0)``: the total is not
        known before the end of the file."""
        path = Path(path)
        with open_table(path) as (header, rows):
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                return ImportReport(path, [], [error("import.no_header", "", columns=", ".join(missing))])
            with self.db.read() as s:
                known = set(s.exec(select(Worker.nik).where(Worker.deleted == False)))  # noqa: E712
            columns = [(i, name) for i, name in enumerate(header) if name]
            seen: dict[str, int] = {}
            places: dict[str, Kelurahan | None] = {}  # a list names each kelurahan many times
            report_rows: list[ImportRow] = []
            for index, values in enumerate(rows, start=1):
                raw = {name: _stripped(values[i]) if i < len(values) else "" for i, name in columns}
                report_rows.append(self._check_row(index, raw, known, seen, places))
                if index % 1000 == 0:
                    checkpoint(cancel, progress, index, 0)
        return ImportReport(path, report_rows)

    def _check_row(self, index: int, raw: dict[str, str], known: set[str],
                   seen: dict[str, int], places: dict[str, Kelurahan | None]) -> ImportRow:
        form, issues = self._form(raw, places)
        issues += self.workers.check(form)
        status = "invalid" if has_errors(issues) else "valid"
        nik = form.nik
        if status == "valid":
            if nik in known:
                status = "duplicate_store"
                issues.append(error("import.duplicate_store", "nik"))
            elif nik in seen:
                status = "duplicate_file"
                issues.append(error("import.duplicate_file", "nik", row=seen[nik]))
        seen.setdefault(nik, index)
        # Only what the report shows and the commit writes is kept: bounded by MAX_ROWS.
        shown = {"nik": raw.get("nik", ""), "nama": raw.get("nama", "")}
        return ImportRow(index, shown, form if status == "valid" else None, status, issues)

    def _form(self, raw: dict[str, str],
              places: dict[str, Kelurahan | None]) -> tuple[RegistrationForm, list[Issue]]:
        issues: list[Issue] = []

        def bad(column: str, field_name: str) -> None:
            issues.append(error("import.value", field_name, column=column, value=raw.get(column, "")))

        birth = _parse_date(raw.get("tanggal_lahir", ""))
        if birth is None and raw.get("tanggal_lahir"):
            bad("tanggal_lahir", "birth_date")
        sex = SEXES.get(raw.get("jenis_kelamin", "").lower(), "")
        kelurahan_text = raw.get("kelurahan", "")
        if kelurahan_text not in places:
            places[kelurahan_text] = self.ref.kelurahan_named(kelurahan_text)
        kelurahan = places[kelurahan_text]
        income_text = NOT_DIGITS.sub("", raw.get("penghasilan", ""))
        funding = FUNDING.get(raw.get("sumber_dana", "apbd").strip().lower() or "apbd")
        if funding is None:
            bad("sumber_dana", "programmes")
            funding = "apbd"
        programmes = {"jkk": funding, "jkm": funding}
        jht = _parse_bool(raw.get("jht", ""))
        if jht is None:
            bad("jht", "programmes")
        elif jht:
            jht_funding = FUNDING.get(raw.get("sumber_dana_jht", "").strip().lower() or funding)
            programmes["jht"] = jht_funding or funding
        desil_text = raw.get("desil", "").strip()
        desil = int(desil_text) if desil_text.isascii() and desil_text.isdigit() else None
        if desil_text and desil is None:
            bad("desil", "desil")
        disability = _parse_bool(raw.get("disabilitas", "")) or False
        consent = _parse_bool(raw.get("persetujuan", ""))
        nik_text = raw.get("nik", "")
        if isinstance(nik_text, NumberCell):
            # Excel keeps 15 significant digits: a 16-digit NIK typed into a number cell
            # has lost its last one, and no rule can tell which digit it was.
            issues.append(error("import.nik_number", "nik", value=nik_text))
        form = RegistrationForm(
            nik=clean_number(nik_text),
            full_name=raw.get("nama", ""),
            birth_date=birth,
            sex=sex,
            phone=raw.get("telepon", ""),
            address=raw.get("alamat", ""),
            kelurahan_code=kelurahan.code if kelurahan else kelurahan_text,
            occupations=[o.strip() for o in raw.get("pekerjaan", "").split(";") if o.strip()],
            declared_income=int(income_text) if income_text else 0,
            programmes=programmes,
            desil=desil,
            desil_source=raw.get("desil_sumber") or None,
            desil_date=_parse_date(raw.get("desil_tanggal", "")),
            disability=disability,
            disability_kind=raw.get("jenis_disabilitas") or None,
            heir_name=raw.get("ahli_waris") or None,
            heir_relation=raw.get("hubungan_ahli_waris") or None,
            consent_given=bool(consent),
        )
        return form, issues

    # --- commit ---------------------------------------------------------------------------

    def commit(self, actor: User, report: ImportReport, progress: ProgressFn | None = None,
               cancel: CancelLike | None = None) -> int:
        """Register every valid row, all or nothing, in short transactions (see the module
        docstring); returns how many were imported. ``cancel`` is honoured until the
        import is decided; ``progress(done, total)`` counts staging then publishing."""
        require(actor, "import")
        rows = report.valid
        if not rows:
            raise ServiceError("import.nothing_valid")
        with self._exclusive():
            self._recover_locked()
            pacer = _Pacer()
            batch_id = self._stage(actor, rows, pacer, progress, cancel)
            self._publish(batch_id, pacer, progress, len(rows))
        return len(rows)

    def _stage(self, actor: User, rows: list[ImportRow], pacer: _Pacer,
               progress: ProgressFn | None, cancel: CancelLike | None) -> str:
        now, today, total = self.clock.stamp(), self.clock.today(), 2 * len(rows)
        batch_id = new_id()
        with pacer.write(self.db, durable=False) as s:
            s.add(ImportBatch(id=batch_id, user_id=actor.id, created_at=now, rows=len(rows)))
        forms = _publication_order(rows)
        # Random ids all the same, given out in ascending order: with the rows in the list
        # index's order, each publishing transaction inserts into narrow ranges of the
        # worker's, outbox's and the list's indexes instead of touching pages all over
        # them (each touched page is rewritten, encrypted, at every commit).
        worker_ids = sorted(new_id() for _ in forms)
        op_ids = sorted(new_id() for _ in forms)
        niks: list[str] = []
        try:
            for start in range(0, len(forms), STAGE_CHUNK):
                checkpoint(cancel, progress, start, total)
                staged = []
                for position in range(start, min(start + STAGE_CHUNK, len(forms))):
                    worker = self.workers.worker_row(forms[position], actor.id, now=now, today=today,
                                                     worker_id=worker_ids[position])
                    niks.append(worker["nik"])
                    data = {"worker": worker, "op_id": op_ids[position]}
                    staged.append({"batch_id": batch_id, "position": position, "nik": worker["nik"],
                                   "worker_id": worker["id"], "data": json.dumps(data)})
                with pacer.write(self.db, durable=False) as s:
                    bulk_insert(s, table_of(StagedWorker), staged)
            checkpoint(cancel, progress, len(rows), total)
            with pacer.write(self.db, durable=False) as s:  # the decision
                taken = self.workers.registered_niks(s, niks)
                if taken:
                    raise ServiceError("import.conflict", {"nik": min(taken), "count": len(taken)})
                s.execute(update(ImportBatch).where(col(ImportBatch.id) == batch_id)
                          .values(state="publishing"))
        except BaseException:
            self._discard(batch_id, pacer)
            raise
        return batch_id

    def _publish(self, batch_id: str, pacer: _Pacer, progress: ProgressFn | None = None,
                 rows: int = 0) -> None:
        """Move a decided batch into the worker list, one short transaction per chunk
        (read and prepared before it, outside the lock)."""
        with self.db.read() as s:
            batch = s.get_one(ImportBatch, batch_id)
        done, after, size = 0, -1, PUBLISH_CHUNK
        while True:
            with self.db.read() as s:
                chunk = s.exec(select(StagedWorker.position, StagedWorker.data)
                               .where(StagedWorker.batch_id == batch_id, StagedWorker.position > after)
                               .order_by(col(StagedWorker.position)).limit(size)).all()
            if not chunk:
                break
            after = chunk[-1][0]
            entries = [_staged_entry(data) for _, data in chunk]
            prepared = self.workers.prepare([e["worker"] for e in entries], batch.user_id,
                                            batch.created_at, op_ids=[e["op_id"] for e in entries])
            # Durable only at the end: a power cut may lose the newest chunks, never one in
            # the middle, and what it loses is still staged, so the next start redoes it.
            with pacer.write(self.db, durable=False) as s:
                self.workers.write(s, batch.user_id, prepared)
                s.execute(delete(StagedWorker).where(col(StagedWorker.batch_id) == batch_id,
                                                     col(StagedWorker.position) <= after))
            size = _next_size(len(chunk), pacer.held)
            done += len(chunk)
            if progress is not None:
                progress(rows + done, 2 * rows)
        with self.db.write() as s:
            s.execute(delete(ImportBatch).where(col(ImportBatch.id) == batch_id))

    def _discard(self, batch_id: str, pacer: _Pacer) -> None:
        """Drop a batch that was not decided, in short transactions (nothing of it shows)."""
        while True:
            with pacer.write(self.db) as s:
                last = s.exec(select(StagedWorker.position).where(StagedWorker.batch_id == batch_id)
                              .order_by(col(StagedWorker.position)).offset(STAGE_CHUNK).limit(1)).first()
                stmt = delete(StagedWorker).where(col(StagedWorker.batch_id) == batch_id)
                if last is None:
                    s.execute(stmt)
                    s.execute(delete(ImportBatch).where(col(ImportBatch.id) == batch_id))
                    return
                s.execute(stmt.where(StagedWorker.position < last))

    # --- one import at a time, and what a stopped one left ----------------------------------

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        lock = FileLock(self.lock_path, timeout=0)
        try:
            lock.acquire()
        except Timeout as exc:
            raise ServiceError("import.busy") from exc
        try:
            yield
        finally:
            lock.release()

    def recover(self) -> int:
        """Finish a decided import a stopped process left, discard an undecided one.
        Nothing to do (and no lock taken) when no import was under way; an import running
        in another process is left alone. Returns how many batches were dealt with."""
        with self.db.read() as s:
            if s.exec(select(ImportBatch.id).limit(1)).first() is None:
                return 0
        try:
            with self._exclusive():
                return self._recover_locked()
        except ServiceError:
            return 0

    def _recover_locked(self) -> int:
        with self.db.read() as s:
            batches = s.exec(select(ImportBatch.id, ImportBatch.state)).all()
        pacer = _Pacer()
        for batch_id, state in batches:
            if state == "publishing":
                self._publish(batch_id, pacer)
            else:
                self._discard(batch_id, pacer)
        return len(batches)


def describe(report: ImportReport, lang: str = "id") -> str:
    """A one-line summary for the CLI and the dialog."""
    counts = report.counts()
    if report.file_issues:
        return "; ".join(issue.text(lang) for issue in report.file_issues)
    return render("import.summary", lang, total=len(report.rows), **counts)
