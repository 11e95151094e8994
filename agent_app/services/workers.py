"""Register, find and show workers (BPU participants)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import and_, func, text
from sqlmodel import Session, col, select

from agent_app.domain import coverage
from agent_app.domain.messages import Issue, has_errors
from agent_app.domain.person import check_registration
from agent_app.domain.reference import ReferenceData, search_key
from agent_app.services.access import require
from agent_app.services.base import Clock, ServiceError, audit, audit_row, new_id, number_ops, op_rows
from agent_app.services.merge import current_worker, merged_ids
from agent_app.store.db import Database, bulk_insert, in_chunks, select_columns, table_of
from agent_app.store.models import AuditEntry, OutboxOp, OutboxState, Payment, User, Worker


@dataclass
class RegistrationForm:
    nik: str = ""
    full_name: str = ""
    birth_date: date | None = None
    sex: str = ""
    phone: str = ""
    address: str = ""
    kelurahan_code: str = ""
    occupations: list[str] = field(default_factory=list)
    declared_income: int | None = 0  # None when not given: the check refuses it
    programmes: dict[str, str] = field(
        default_factory=lambda: {"jkk": "self", "jkm": "self"}
    )
    desil: int | None = None
    desil_source: str | None = None
    desil_date: date | None = None
    disability: bool = False
    disability_kind: str | None = None
    heir_name: str | None = None
    heir_relation: str | None = None
    consent_given: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict, shallow (``dataclasses.asdict`` deep-copies every
        list and dict, which cost more than checking the form on an import)."""
        return dict(vars(self))


# Payload columns of a worker.register operation (the wire shape the server validates).
REGISTER_FIELDS = (
    "id", "nik", "full_name", "birth_date", "sex", "phone", "address", "kecamatan_code",
    "kelurahan_code", "occupations", "policy_sector", "is_employer", "declared_income",
    "programmes", "desil", "desil_source", "desil_date", "disability", "disability_kind",
    "heir_name", "heir_relation", "consent_version", "consent_at", "consent_user_id",
    "registered_at", "registered_by", "registration_month",
)
JSON_FIELDS = ("occupations", "programmes")
EMPLOYER_OCCUPATION = "Pemilik usaha (pemberi kerja)"


def worker_payload(worker: Worker | dict[str, Any]) -> dict[str, Any]:
    get = worker.get if isinstance(worker, dict) else worker.__getattribute__
    data: dict[str, Any] = {name: get(name) for name in REGISTER_FIELDS}
    for name in JSON_FIELDS:
        data[name] = json.loads(data[name])
    return data


class Registrations(NamedTuple):
    """New workers' rows with their outbox operations and audit entries (``prepare``)."""

    workers: list[dict[str, Any]]
    ops: list[dict[str, Any]]
    audits: list[dict[str, Any]]


@dataclass(frozen=True)
class WorkerQuery:
    text: str = ""
    kecamatan_code: str | None = None
    kelurahan_code: str | None = None
    status: str | None = None  # active | grace | inactive | never
    sync_state: str | None = None  # pending | synced | rejected | review
    today: date | None = None


@dataclass(frozen=True)
class WorkerRow:
    """What a list row shows: light, no ORM object."""

    id: str
    nik: str
    full_name: str
    kelurahan_code: str
    phone: str | None
    paid_through: str | None
    sync_state: str
    kpj: str | None


@dataclass(frozen=True)
class FirstPage:
    total: int  # rows the list can show (SEARCH_COUNT_CAP when capped)
    capped: bool  # more matched than SEARCH_COUNT_CAP
    rows: list[WorkerRow]


SEARCH_COUNT_CAP = 10_000
SORT_FEW_MATCHES = 1_000  # below this, a name search's matches are sorted, not index-walked

# What every search reads: the trigram index (its term list and doclists) and the list's
# index. Reading them whole once puts their pages, decrypted, in SQLite's cache (64 MB
# per connection, see agent_app.store.db); substr() reads each doclist to its end.
WARM_UP_READS = (
    "SELECT count(*) FROM worker_search_idx",
    "SELECT count(*), max(substr(block, -1)) FROM worker_search_data",
    "SELECT count(*) FROM worker INDEXED BY ix_worker_list WHERE deleted = 0",
)
# The list as it opens (everyone, counted) and one search of each kind (name prefix, NIK,
# phone, trigram): their statements prepared, the indexes they count on read.
WARM_UP_SEARCHES = ("", "a", "7371", "0812", "ang")


@dataclass
class WorkerDetail:
    worker: Worker
    payments: list[Payment]
    voided_ids: set[str]
    paid_months: list[str]
    history: list[AuditEntry]
    pending_ops: int


def _prefix(column, prefix: str):
    """column starts with prefix, as an index range (LIKE would not use the index)."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


LIST_ORDER = (Worker.deleted, Worker.name_key, Worker.id)  # matches ix_worker_list
FEW_MATCHES_ORDER = (text("+worker.name_key"), Worker.id)  # sorted, not index-walked


class TextTerms(NamedTuple):
    filters: list  # WHERE terms for the worker table
    order: tuple  # the ORDER BY an index serves
    fts: str | None = None  # the trigram-index expression, when the search uses it
    walk: bool = False  # many trigram matches: a page walks the index that serves order


def _fts_filter(expression: str, *, walk_index: bool = False):
    """The workers the trigram index matches. SQLite fetches each match by its rowid;
    with ``walk_index`` ("+rowid" hides the rowid from the planner) it walks the index
    that serves the list's order instead and stops at the page's last row, rather than
    read every match from the table to sort them: thousands of pages that SQLCipher
    decrypts, most of a first search's time."""
    column = "+worker.rowid" if walk_index else "worker.rowid"
    return text(f"{column} IN (SELECT rowid FROM worker_search "
                "WHERE worker_search MATCH :fts)").bindparams(fts=expression)


def _fts(expression: str) -> TextTerms:
    return TextTerms([_fts_filter(expression)], LIST_ORDER, expression)


def _text_search(typed: str, *, number_inside: bool = False) -> TextTerms:
    """The search box's filter and the order that serves it from an index.

    NIKs never start with 0 and local phones always do, so "08..." (or "+62...") is a
    phone and other digits are a NIK: each is one range on its own index, listed in that
    index's order, so the first page comes without sorting the whole table. When no NIK or
    phone starts with the number, ``number_inside`` looks for it anywhere in them (the
    last digits that masked lists and receipts show). A name fragment of 3+ characters is
    a substring match in the trigram index; a shorter one a name prefix on the list index.
    """
    needle = typed.strip()
    if not needle:
        return TextTerms([], LIST_ORDER)
    compact = needle.replace(" ", "").replace("-", "").replace(".", "")
    digits = compact.lstrip("+")
    if digits.isdigit():
        if number_inside:
            return _fts(f'nik : "{digits}" OR phone : "{digits}"')
        if compact.startswith("+") or digits.startswith("0"):
            phone = "+62" + digits[1:] if digits.startswith("0") else "+" + digits
            return TextTerms([_prefix(Worker.phone, phone)], (Worker.phone, Worker.id))
        return TextTerms([_prefix(Worker.nik, digits)], (Worker.nik, Worker.id))
    key = search_key(needle)
    if len(key) >= 3:
        return _fts(f'name_key : "{key}"')
    return TextTerms([_prefix(Worker.name_key, key)] if key else [], LIST_ORDER)


ROW_COLUMNS = (
    Worker.id, Worker.nik, Worker.full_name, Worker.kelurahan_code, Worker.phone,
    Worker.paid_through, Worker.sync_state, Worker.kpj,
)


class WorkerService:
    def __init__(self, db: Database, ref: ReferenceData, clock: Clock) -> None:
        self.db = db
        self.ref = ref
        self.clock = clock

    # --- registration -------------------------------------------------------------------

    def check(self, form: RegistrationForm) -> list[Issue]:
        """Everything wrong with the form, for validation as the person types."""
        return check_registration(form.as_dict(), ref=self.ref, today=self.clock.today())

    def find_by_nik(self, nik: str) -> Worker | None:
        nik = "".join(ch for ch in nik if ch.isdigit())
        with self.db.read() as s:
            return s.exec(
                select(Worker).where(Worker.nik == nik, Worker.deleted == False)  # noqa: E712
            ).first()

    def similar(self, full_name: str, birth_date: date | None, exclude_nik: str = "") -> list[Worker]:
        """Workers who may be the same person: same normalised name and birth date."""
        if not full_name.strip() or birth_date is None:
            return []
        with self.db.read() as s:
            return list(
                s.exec(
                    select(Worker).where(
                        Worker.name_key == search_key(full_name),
                        Worker.birth_date == birth_date.isoformat(),
                        Worker.nik != exclude_nik,
                        Worker.deleted == False,  # noqa: E712
                    )
                )
            )

    def build_worker(self, form: RegistrationForm, actor: User, *, now: str, today: date) -> Worker:
        return Worker(**self.worker_row(form, actor.id, now=now, today=today))

    def worker_row(self, form: RegistrationForm, actor_id: str, *, now: str, today: date,
                   worker_id: str | None = None) -> dict[str, Any]:
        """The columns of a new worker registered from a checked form (bulk writers insert
        the dict; ``build_worker`` makes the model of it); a new id unless given one."""
        assert form.birth_date is not None and form.declared_income is not None, "a checked form has both"
        kelurahan = self.ref.kelurahan_by_code[form.kelurahan_code]
        occupations = [o for o in form.occupations if o]
        sector = self.ref.occupations[occupations[0]][1]
        nik = form.nik if form.nik.isdigit() else "".join(ch for ch in form.nik if ch.isdigit())
        from agent_app.domain.phone import normalize_phone

        return dict(
            id=worker_id or new_id(),
            nik=nik,
            full_name=" ".join(form.full_name.split()),
            name_key=search_key(form.full_name),
            birth_date=form.birth_date.isoformat(),
            sex=form.sex,
            phone=normalize_phone(form.phone) if form.phone.strip() else None,
            address=form.address.strip(),
            kecamatan_code=kelurahan.kecamatan_code,
            kelurahan_code=form.kelurahan_code,
            occupations=json.dumps(occupations, ensure_ascii=False),
            policy_sector=sector,
            is_employer=EMPLOYER_OCCUPATION in occupations,
            declared_income=int(form.declared_income),
            programmes=json.dumps(form.programmes, sort_keys=True),
            desil=form.desil,
            desil_source=form.desil_source if form.desil else None,
            desil_date=form.desil_date.isoformat() if form.desil and form.desil_date else None,
            disability=form.disability,
            disability_kind=form.disability_kind if form.disability else None,
            heir_name=(form.heir_name or "").strip() or None,
            heir_relation=(form.heir_relation or "").strip() or None,
            consent_version=self.ref.consent.version,
            consent_at=now,
            consent_user_id=actor_id,
            registered_at=now,
            registered_by=actor_id,
            registration_month=coverage.month_of(today),
            updated_at=now,
        )

    def register(self, actor: User, form: RegistrationForm) -> Worker:
        """Save a new worker with its outbox operation and audit entry, all or nothing."""
        require(actor, "register")
        issues = self.check(form)
        if has_errors(issues):
            raise ServiceError("worker.invalid", issues=issues)
        now = self.clock.stamp()
        row = self.worker_row(form, actor.id, now=now, today=self.clock.today())
        registration = self.prepare([row], actor.id, now)
        with self.db.write() as s:
            taken = self.registered_niks(s, [row["nik"]])
            if taken:
                raise ServiceError("worker.nik_exists", {"nik": row["nik"]}, issues=list(taken.values()))
            self.write(s, actor.id, registration)
        return Worker(**row)

    @staticmethod
    def registered_niks(s: Session, niks: list[str]) -> dict[str, str]:
        """Which of ``niks`` are taken on this device, each with the id of its worker: a
        worker has it (deleted ones aside), or an import being made visible will give it."""
        from agent_app.store.models import ImportBatch, StagedWorker

        found: dict[str, str] = {}
        for chunk in in_chunks(niks):
            found.update(s.exec(select(Worker.nik, Worker.id).where(
                Worker.deleted == False, col(Worker.nik).in_(chunk))).all())  # noqa: E712
            found.update(s.exec(select(StagedWorker.nik, StagedWorker.worker_id).join(
                ImportBatch, col(ImportBatch.id) == StagedWorker.batch_id).where(
                ImportBatch.state == "publishing", col(StagedWorker.nik).in_(chunk))).all())
        return found

    @staticmethod
    def prepare(rows: list[dict[str, Any]], actor_id: str, now: str,
                op_ids: list[str] | None = None) -> Registrations:
        """What registering ``worker_row`` dicts writes besides them: their outbox operations
        (not yet numbered; new ids unless given) and audit entries; no database needed, so
        bulk writers build it outside their write transaction."""
        payloads = [worker_payload(row) for row in rows]
        ops = op_rows("worker.register", [(row["id"], p) for row, p in zip(rows, payloads, strict=True)],
                      now, op_ids)
        audits = [audit_row(user_id=actor_id, action="worker.register", entity="worker",
                            entity_id=row["id"], now=now, new=payload)
                  for row, payload in zip(rows, payloads, strict=True)]
        return Registrations(rows, ops, audits)

    @staticmethod
    def write(s: Session, actor_id: str, registrations: Registrations) -> None:
        """Write prepared registrations (NIKs checked with ``registered_niks``) in
        transaction s: the one way a registration is written, one or many at a time; the
        outbox operations get the next seqs of the actor's stream, and the search index
        follows the worker table by trigger."""
        bulk_insert(s, table_of(Worker), registrations.workers)
        bulk_insert(s, table_of(OutboxOp), number_ops(s, actor_id, registrations.ops))
        bulk_insert(s, table_of(AuditEntry), registrations.audits)

    def record_view(self, actor: User, worker_id: str) -> None:
        """UU PDP: log who opened a person's record."""
        with self.db.write() as s:
            audit(s, user_id=actor.id, action="worker.view", entity="worker",
                  entity_id=worker_id, now=self.clock.stamp())

    # --- finding ------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Make the first search of the day as quick as the next ones. A fresh process
        has nothing in SQLite's page cache (every page read is decrypted by SQLCipher)
        and no statement prepared; this reads what searches read and searches once of
        each kind. The cache belongs to the connection, so call it on the thread that
        will search (the GUI's database thread, while the person signs in)."""
        with self.db.read() as s:
            for statement in WARM_UP_READS:
                s.execute(text(statement)).all()
            # A trigram search has two plans (few matches sorted, many walked): both.
            query = WorkerQuery(text="ang")
            trigram = _text_search(query.text)
            for plan in (trigram._replace(order=FEW_MATCHES_ORDER), trigram._replace(walk=True)):
                self._page(s, query, plan, 0, 1)
        for typed in WARM_UP_SEARCHES:
            self.first_page(WorkerQuery(text=typed), 1)  # a page and its count

    def _text_terms(self, s: Session, query: WorkerQuery) -> TextTerms:
        terms = self._number_terms(s, query)
        if terms.fts and self._count(s, query, terms, SORT_FEW_MATCHES) <= SORT_FEW_MATCHES:
            # Few matches: fetch them by rowid and sort them. Walking the name index to
            # reach them costs more when they sit late in the alphabet ("Sitti ...").
            return terms._replace(order=FEW_MATCHES_ORDER)
        return terms._replace(walk=bool(terms.fts))

    def _number_terms(self, s: Session, query: WorkerQuery) -> TextTerms:
        terms = _text_search(query.text)
        digits = query.text.strip().replace(" ", "").replace("-", "").replace(".", "").lstrip("+")
        if len(digits) >= 3 and digits.isdigit():
            starts = s.exec(select(Worker.id).where(Worker.deleted == False, *terms.filters).limit(1)).first()  # noqa: E712
            if starts is None:
                terms = _text_search(query.text, number_inside=True)
        return terms

    def _filtered(self, stmt, query: WorkerQuery, terms: TextTerms):
        if not terms.fts:  # the trigram index holds no deleted worker
            stmt = stmt.where(Worker.deleted == False)  # noqa: E712
        if query.kelurahan_code:
            stmt = stmt.where(Worker.kelurahan_code == query.kelurahan_code)
        elif query.kecamatan_code:
            stmt = stmt.where(Worker.kecamatan_code == query.kecamatan_code)
        if query.sync_state:
            stmt = stmt.where(Worker.sync_state == query.sync_state)
        if query.status:
            current = coverage.month_of(query.today or self.clock.today())
            grace_floor = coverage.add_months(current, -3)
            paid = col(Worker.paid_through)
            stmt = stmt.where(
                {
                    "active": paid >= current,
                    "grace": and_(paid < current, paid >= grace_floor),
                    "inactive": paid < grace_floor,
                    "never": paid.is_(None),
                }[query.status]
            )
        return stmt.where(*terms.filters)

    def search(self, query: WorkerQuery, offset: int = 0, limit: int = 100) -> list[WorkerRow]:
        with self.db.read() as s:
            return self._page(s, query, self._text_terms(s, query), offset, limit)

    def count(self, query: WorkerQuery, cap: int | None = None) -> int:
        """How many workers match; with ``cap``, counting stops at cap + 1."""
        with self.db.read() as s:
            return self._count(s, query, self._text_terms(s, query), cap)

    def first_page(self, query: WorkerQuery, limit: int = 200) -> FirstPage:
        """What the list shows after a keystroke, in one snapshot: the first rows and the
        count. A typed search counts to SEARCH_COUNT_CAP at most: past it the person
        narrows the search rather than scrolls, and counting every match of "a" in
        150,000 names would be the slowest part of a keystroke."""
        cap = SEARCH_COUNT_CAP if query.text.strip() else None
        with self.db.read() as s:
            terms = self._text_terms(s, query)
            rows = self._page(s, query, terms, 0, limit)
            total = len(rows) if len(rows) < limit else self._count(s, query, terms, cap)
        if cap is not None and total > cap:
            return FirstPage(cap, True, rows)
        return FirstPage(total, False, rows)

    def page_statement(self, query: WorkerQuery, terms: TextTerms):
        """The SELECT of a page of rows, in the list's order (without offset and limit)."""
        if terms.walk and terms.fts is not None:  # a walk is of trigram matches
            # "deleted = 0" (true of every trigram match) lets the walk start on the
            # kelurahan or kecamatan index when the list is filtered by area.
            terms = terms._replace(filters=[Worker.deleted == False,  # noqa: E712
                                            _fts_filter(terms.fts, walk_index=True)])
        return self._filtered(select_columns(*ROW_COLUMNS), query, terms).order_by(*terms.order)

    def _page(self, s: Session, query: WorkerQuery, terms: TextTerms, offset: int,
              limit: int) -> list[WorkerRow]:
        stmt = self.page_statement(query, terms)
        return [WorkerRow(*row) for row in s.exec(stmt.offset(offset).limit(limit))]

    def _count(self, s: Session, query: WorkerQuery, terms: TextTerms, cap: int | None) -> int:
        if terms.fts and not (query.kelurahan_code or query.kecamatan_code or query.status
                              or query.sync_state):
            # Nothing but the text: the trigram index alone knows how many (it holds no
            # deleted worker), without visiting the table row by row.
            inner = text("SELECT rowid FROM worker_search WHERE worker_search MATCH :fts"
                         + (" LIMIT :cap" if cap else "")).bindparams(
                fts=terms.fts, **({"cap": cap + 1} if cap else {}))
            return s.exec(select(func.count()).select_from(inner.columns().subquery())).one()
        if cap is None:
            return s.exec(self._filtered(select(func.count()).select_from(Worker), query, terms)).one()
        matches = self._filtered(select(Worker.id), query, terms).limit(cap + 1).subquery()
        return s.exec(select(func.count()).select_from(matches)).one()

    def detail(self, worker_id: str) -> WorkerDetail | None:
        """The worker's page; for an alias merged here, its canonical record's."""
        with self.db.read() as s:
            worker = current_worker(s, worker_id)
            if worker is None:
                return None
            worker_id = worker.id
            payments = list(
                s.exec(
                    select(Payment)
                    .where(Payment.worker_id == worker_id)
                    .order_by(Payment.collected_at, Payment.receipt_no)
                )
            )
            history = list(
                s.exec(
                    select(AuditEntry)
                    .where(col(AuditEntry.entity_id).in_(merged_ids(s, worker_id)),
                           AuditEntry.action != "worker.view")
                    .order_by(col(AuditEntry.id))
                )
            )
            pending = s.exec(
                select(func.count()).select_from(OutboxOp).where(
                    OutboxOp.entity_id == worker_id,
                    col(OutboxOp.state).in_(OutboxState.queued()),
                )
            ).one()
        voided = {p.voids_payment_id for p in payments if p.kind == "void" and p.voids_payment_id}
        paid = sorted(
            {m for p in payments if p.kind == "payment" and p.id not in voided
             for m in json.loads(p.months)}
        )
        return WorkerDetail(worker, payments, voided, paid, history, pending)

    def paid_months(self, s: Session, worker_id: str) -> set[str]:
        payments = list(s.exec(select(Payment).where(Payment.worker_id == worker_id)))
        voided = {p.voids_payment_id for p in payments if p.kind == "void"}
        return {
            m
            for p in payments
            if p.kind == "payment" and p.id not in voided
            for m in json.loads(p.months)
        }
