"""Import the city's lists of APBD-funded workers (CSV or XLSX).

A preview validates every row with the same rules as the registration form and reports
each refusal; the commit writes every valid row in ONE transaction (nothing half-imported).
Columns are documented in the README ("Import format"); headers are matched without
regard to case, spaces or underscores.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from agent_app.domain.messages import Issue, error, has_errors, render
from agent_app.domain.nik import clean_number
from agent_app.files import atomic_write_text
from agent_app.services.access import require
from agent_app.services.base import Clock, ServiceError
from agent_app.services.workers import RegistrationForm, WorkerService
from agent_app.store.models import User, Worker
from perisai_protocol.spreadsheets import safe_cell

REQUIRED = ("nik", "nama", "tanggal_lahir", "jenis_kelamin", "alamat", "kelurahan",
            "pekerjaan", "penghasilan", "persetujuan")
OPTIONAL = ("telepon", "jht", "sumber_dana", "sumber_dana_jht", "desil", "desil_sumber",
            "desil_tanggal", "disabilitas", "jenis_disabilitas", "ahli_waris",
            "hubungan_ahli_waris")
FUNDING = {"mandiri": "self", "self": "self", "apbd": "apbd", "apbn": "apbn",
           "desa": "village", "dana desa": "village", "village": "village",
           "csr": "csr", "donatur": "csr"}
YES = {"ya", "y", "yes", "1", "true", "benar"}
NO = {"tidak", "t", "no", "n", "0", "false", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass
class ImportRow:
    number: int  # 1-based data row number (row 1 = first row after the header)
    raw: dict[str, str]
    form: RegistrationForm | None
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
        """The row-by-row report, written atomically (temp file + replace)."""
        header = {"id": ["baris", "nik", "nama", "status", "keterangan"],
                  "en": ["row", "nik", "name", "status", "details"]}[lang]
        labels = {
            "id": {"valid": "diterima", "invalid": "ditolak", "duplicate_file": "ganda di berkas",
                   "duplicate_store": "sudah terdaftar", "imported": "diimpor"},
            "en": {"valid": "accepted", "invalid": "refused", "duplicate_file": "duplicate in file",
                   "duplicate_store": "already registered", "imported": "imported"},
        }[lang]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for issue in self.file_issues:
            writer.writerow(["", "", "", labels["invalid"], safe_cell(issue.text(lang))])
        for row in self.rows:
            # the cells quote the imported file: a name like "=HYPERLINK(...)" stays text
            writer.writerow([row.number, safe_cell(row.raw.get("nik", "")), safe_cell(row.raw.get("nama", "")),
                             labels[row.status], safe_cell(row.messages(lang))])
        atomic_write_text(target, buffer.getvalue(), encoding="utf-8-sig")


def _header_key(text: Any) -> str:
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV (UTF-8, comma or semicolon) or XLSX file, as text."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            text = path.read_bytes().decode("utf-8-sig")
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            rows = list(csv.reader(io.StringIO(text), dialect))
        elif suffix in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
        else:
            raise ServiceError("import.unsupported")
    except ServiceError:
        raise
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
        raise ServiceError("import.unreadable", {"detail": str(exc) or type(exc).__name__}) from exc
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        return [], []
    return [_header_key(h) for h in rows[0]], rows[1:]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_bool(text: str) -> bool | None:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


class ImportService:
    def __init__(self, workers: WorkerService, clock: Clock) -> None:
        self.workers = workers
        self.ref = workers.ref
        self.clock = clock

    def preview(self, path: Path, progress: Callable[[int, int], None] | None = None) -> ImportReport:
        path = Path(path)
        header, rows = read_table(path)
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            return ImportReport(path, [], [error("import.no_header", "", columns=", ".join(missing))])
        with self.workers.db.read() as s:
            known = set(s.exec(select(Worker.nik).where(Worker.deleted == False)))  # noqa: E712
        seen: dict[str, int] = {}
        report_rows: list[ImportRow] = []
        for index, values in enumerate(rows, start=1):
            raw = {name: (str(values[i]).strip() if i < len(values) else "")
                   for i, name in enumerate(header) if name}
            form, issues = self._form(raw)
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
            report_rows.append(ImportRow(index, raw, form, status, issues))
            if progress and index % 200 == 0:
                progress(index, len(rows))
        return ImportReport(path, report_rows)

    def _form(self, raw: dict[str, str]) -> tuple[RegistrationForm, list[Issue]]:
        issues: list[Issue] = []

        def bad(column: str, field_name: str) -> None:
            issues.append(error("import.value", field_name, column=column, value=raw.get(column, "")))

        birth = _parse_date(raw.get("tanggal_lahir", ""))
        if birth is None and raw.get("tanggal_lahir"):
            bad("tanggal_lahir", "birth_date")
        sex = {"l": "M", "laki-laki": "M", "laki laki": "M", "m": "M",
               "p": "F", "perempuan": "F", "f": "F"}.get(raw.get("jenis_kelamin", "").lower(), "")
        kelurahan_text = raw.get("kelurahan", "")
        kelurahan = self.ref.kelurahan_for(kelurahan_text)
        if kelurahan is None and kelurahan_text:
            matches = self.ref.find_kelurahan(kelurahan_text)
            from agent_app.domain.reference import search_key

            exact = [k for k in matches if search_key(k.name) == search_key(kelurahan_text)]
            kelurahan = exact[0] if len(exact) == 1 else None
        income_text = "".join(ch for ch in raw.get("penghasilan", "") if ch.isdigit())
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
        desil = int(desil_text) if desil_text.isdigit() else None
        if desil_text and desil is None:
            bad("desil", "desil")
        disability = _parse_bool(raw.get("disabilitas", "")) or False
        consent = _parse_bool(raw.get("persetujuan", ""))
        form = RegistrationForm(
            nik=clean_number(raw.get("nik", "")),
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

    def commit(self, actor: User, report: ImportReport) -> int:
        """Register every valid row in one transaction; returns how many were imported."""
        require(actor, "import")
        rows = report.valid
        if not rows:
            raise ServiceError("import.nothing_valid")
        now = self.clock.stamp()
        today = self.clock.today()
        with self.workers.db.write() as s:
            for row in rows:
                worker = self.workers.build_worker(row.form, actor, now=now, today=today)
                self.workers.insert(s, actor, worker, now)
        return len(rows)


def describe(report: ImportReport, lang: str = "id") -> str:
    """A one-line summary for the CLI and the dialog."""
    counts = report.counts()
    if report.file_issues:
        return "; ".join(issue.text(lang) for issue in report.file_issues)
    return render("import.summary", lang, total=len(report.rows), **counts)
