"""Administrative actions on the server database, shared by the CLI and test helpers."""

from __future__ import annotations

import csv
import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from central_server.auth import hash_password, verify_password
from central_server.db import init_db, iso, loads, make_engine
from central_server.files import atomic_path
from central_server.models import (
    AuthToken,
    DeletionRequest,
    Participant,
    ReviewItem,
    ServerMeta,
    ServerPayment,
    ServerUser,
    Wadah,
)
from central_server.reference import Regions, kecamatan7, kelurahan11
from central_server.settings import utcnow
from perisai_protocol.spreadsheets import safe_cell

log = logging.getLogger("perisai.server.admin")

# Device roles, then the web console's viewers (city: Dinas / Pemkot; bpjs: the branch).
ROLES = ("agent", "clerk", "supervisor", "admin", "city_viewer", "bpjs_viewer")


class AdminError(Exception):
    """A refused admin action; the message is bilingual ("Indonesia / English")."""


def open_db(url: str) -> Engine:
    engine = make_engine(url)
    init_db(engine)
    return engine


def add_wadah(session: Session, name: str) -> Wadah:
    name = name.strip()
    if not name:
        raise AdminError("Nama wadah kosong / Empty wadah name")
    existing = session.exec(select(Wadah).where(Wadah.name == name)).first()
    if existing:
        return existing
    wadah = Wadah(name=name, created_at=iso(utcnow()))
    session.add(wadah)
    session.flush()
    return wadah


def add_user(session: Session, regions: Regions, *, username: str, password: str, role: str, full_name: str,
             wadah: str | None = None, kecamatan: str | None = None,
             kelurahan: str | None = None) -> ServerUser:
    username = username.strip().lower()
    if not username or len(username) > 64:
        raise AdminError("Nama pengguna tidak valid / Invalid username")
    if len(password) < 8:
        raise AdminError("Kata sandi minimal 8 karakter / Password needs at least 8 characters")
    if session.exec(select(ServerUser).where(ServerUser.username == username)).first():
        raise AdminError(f"Pengguna sudah ada / User already exists: {username}")
    kec, kel = _assignment(regions, role, kecamatan, kelurahan)
    wadah_row = add_wadah(session, wadah) if wadah else None
    user = ServerUser(id=str(uuid.uuid4()), username=username, full_name=full_name.strip() or username, role=role,
                      wadah_id=wadah_row.id if wadah_row else None, kecamatan_code=kec, kelurahan_code=kel,
                      password_hash=hash_password(password), active=True, created_at=iso(utcnow()))
    session.add(user)
    session.flush()
    return user


def _assignment(regions: Regions, role: str, kecamatan: str | None,
                kelurahan: str | None) -> tuple[str | None, str | None]:
    """A role's area, checked and normalised: (kecamatan, kelurahan) codes or None."""
    if role not in ROLES:
        raise AdminError(f"Peran tidak dikenal / Unknown role: {role}")
    kec = kecamatan7(kecamatan) if kecamatan else None
    if kecamatan and kec not in regions.kecamatan:
        raise AdminError(f"Kecamatan tidak dikenal / Unknown kecamatan: {kecamatan}")
    kel = kelurahan11(kelurahan) if kelurahan else None
    if kelurahan and (kel not in regions.kelurahan or regions.kelurahan[kel][0] != kec):
        raise AdminError(f"Kelurahan tidak dikenal atau di luar kecamatan / Unknown kelurahan or not in the "
                         f"kecamatan: {kelurahan}")
    if role in ("agent", "clerk") and kec is None:
        raise AdminError("Agen dan petugas loket wajib punya kecamatan / Agents and clerks need a kecamatan")
    return kec, kel


def set_role(session: Session, regions: Regions, username: str, role: str, kecamatan: str | None = None,
             kelurahan: str | None = None) -> ServerUser:
    """Give a user another role or area. The centre holds every operation to it at once.
    Their access tokens end, so each of their laptops refreshes at its next sync and takes
    the new role and area with the new pair (their sessions go on)."""
    user = get_user(session, username)
    user.role = role
    user.kecamatan_code, user.kelurahan_code = _assignment(regions, role, kecamatan, kelurahan)
    session.add(user)
    session.exec(update(AuthToken).where(col(AuthToken.user_id) == user.id, col(AuthToken.kind) == "access")
                 .values(revoked=True))
    return user


def get_user(session: Session, username: str) -> ServerUser:
    user = session.exec(select(ServerUser).where(ServerUser.username == username.strip().lower())).first()
    if user is None:
        raise AdminError(f"Pengguna tidak ditemukan / No such user: {username}")
    return user


def set_password(session: Session, username: str, password: str) -> None:
    if len(password) < 8:
        raise AdminError("Kata sandi minimal 8 karakter / Password needs at least 8 characters")
    user = get_user(session, username)
    if verify_password(user.password_hash, password):
        raise AdminError("Kata sandi baru harus berbeda dari yang lama / The new password must differ from the old one")
    user.password_hash = hash_password(password)
    user.password_reset_required = False
    session.add(user)


def set_active(session: Session, username: str, active: bool) -> None:
    user = get_user(session, username)
    user.active = active
    session.add(user)


def published_download_url(url: str, installer: Path) -> str:
    """``url`` with the installer's SHA-256 and size in its fragment: apps download it from
    the status bar and keep it only when both match (older apps ignore the fragment)."""
    import hashlib

    if not url.startswith("https://"):
        raise AdminError("Alamat unduhan harus HTTPS / The download URL must be HTTPS")
    digest = hashlib.sha256()
    try:
        with open(installer, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        size = installer.stat().st_size
    except OSError as exc:
        raise AdminError(f"Berkas pemasang tidak dapat dibaca / Cannot read the installer: {installer} "
                         f"({exc.strerror})") from exc
    return f"{url.split('#', 1)[0]}#sha256={digest.hexdigest()}&size={size}"


def set_app_version(session: Session, version: str, url: str | None, installer: Path | None = None) -> None:
    if installer is not None:
        if not url:
            raise AdminError("--installer butuh --url / --installer needs --url")
        url = published_download_url(url, installer)
    session.merge(ServerMeta(key="latest_app_version", value=version))
    if url:
        session.merge(ServerMeta(key="download_url", value=url))


def atomic_write_csv(path: Path, header: list[str], rows: Iterable[list[object]]) -> int:
    """Write a CSV next to its destination and move it into place (never a half file).
    Text cells are made safe for a spreadsheet (a pushed name "=HYPERLINK(...)")."""
    count = 0
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
    return count


PARTICIPANT_COLUMNS = ["id", "canonical_id", "alias_of", "kpj", "nik", "full_name", "birth_date",
                       "kecamatan_code", "kelurahan_code", "review_state", "created_at", "deleted_at"]
PAYMENT_COLUMNS = ["id", "receipt_no", "kind", "participant_id", "worker_id", "months", "amount", "method",
                   "flag", "voids_payment_id", "voided_by", "collected_at", "received_at"]


def export(session: Session, what: str, out: Path) -> int:
    if what == "participants":
        rows = ([getattr(p, c) for c in PARTICIPANT_COLUMNS]
                for p in session.exec(select(Participant).order_by(Participant.created_at, Participant.id)))
        count = atomic_write_csv(out, PARTICIPANT_COLUMNS, rows)
    elif what == "payments":
        def payment_rows():
            for p in session.exec(select(ServerPayment).order_by(ServerPayment.received_at, ServerPayment.id)):
                data = loads(p.data)
                yield [p.id, p.receipt_no, p.kind, p.participant_id, p.worker_id, " ".join(loads(p.months)),
                       p.amount, data.get("method") or "", p.flag or "", p.voids_payment_id or "",
                       p.voided_by or "", data.get("collected_at", ""), p.received_at]
        count = atomic_write_csv(out, PAYMENT_COLUMNS, payment_rows())
    else:
        raise AdminError(f"Tidak bisa mengekspor / Cannot export: {what}")
    log.info("export %s rows=%d", what, count)  # a processing record without personal data
    return count


def open_reviews(session: Session) -> list[ReviewItem]:
    return list(session.exec(select(ReviewItem).where(ReviewItem.status == "open").order_by(col(ReviewItem.id))))


def open_deletions(session: Session) -> list[DeletionRequest]:
    return list(session.exec(select(DeletionRequest).where(DeletionRequest.status == "open")
                             .order_by(col(DeletionRequest.id))))
