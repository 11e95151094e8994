"""Machine codes and their bilingual messages (Bahasa Indonesia first, English second)."""

from __future__ import annotations

import logging
import traceback

from perisai_protocol import BilingualText, ErrorBody

MESSAGES: dict[str, tuple[str, str]] = {
    # request level
    "invalid_request": ("Permintaan tidak valid: {reason}", "Invalid request: {reason}"),
    "malformed_json": ("Isi permintaan bukan JSON yang benar: {reason}",
                       "The request body is not valid JSON: {reason}"),
    "invalid_push": ("Paket sinkronisasi tidak valid: {reason}", "Invalid sync batch: {reason}"),
    "malformed_gzip": ("Isi permintaan gzip rusak atau terpotong",
                       "The gzip request body is corrupt or truncated"),
    "unsupported_encoding": ("Content-Encoding tidak didukung: {encoding}",
                             "Unsupported Content-Encoding: {encoding}"),
    "body_too_large": ("Isi permintaan terlalu besar (maksimal {limit} byte). Kirim dalam paket lebih kecil",
                       "Request body too large (at most {limit} bytes). Send smaller batches"),
    "not_found": ("Alamat tidak ditemukan", "Not found"),
    "method_not_allowed": ("Metode tidak diizinkan", "Method not allowed"),
    "internal_error": ("Terjadi kesalahan di server. Data Anda tetap tersimpan di perangkat; coba lagi nanti",
                       "Server error. Your data stays on the device; try again later"),
    "service_unavailable": ("Server sedang sibuk atau basis data tidak tersedia; coba lagi nanti",
                            "The server is busy or its database is unavailable; try again later"),
    "upgrade_required": ("Versi aplikasi {version} terlalu lama; perbarui ke {minimum} atau lebih baru. "
                         "Data yang belum terkirim tetap tersimpan",
                         "App version {version} is too old; update to {minimum} or newer. "
                         "Unsent data stays on the device"),
    # authentication / authorisation
    "invalid_credentials": ("Nama pengguna atau kata sandi salah", "Wrong username or password"),
    "too_many_attempts": ("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {seconds} detik",
                          "Too many failed sign-in attempts. Try again in {seconds} seconds"),
    "auth_required": ("Silakan masuk terlebih dahulu", "Please sign in first"),
    "invalid_token": ("Sesi tidak dikenal; silakan masuk lagi", "Unknown session; please sign in again"),
    "token_expired": ("Sesi telah berakhir; perbarui token atau masuk lagi",
                      "Session expired; refresh the token or sign in again"),
    "token_reused": ("Token pembaruan sudah dipakai; demi keamanan silakan masuk lagi",
                     "Refresh token already used; for safety please sign in again"),
    "device_revoked": ("Perangkat ini telah dicabut aksesnya; hubungi admin",
                       "This device's access has been revoked; contact the admin"),
    "password_reset_required": ("Perangkat Anda telah dicabut, jadi kata sandi lama tidak berlaku lagi. Minta admin "
                                "mengatur kata sandi baru", "A device of yours was revoked, so the old password "
                                "no longer works. Ask the admin to set a new one"),
    "user_inactive": ("Akun Anda tidak aktif; hubungi admin", "Your account is inactive; contact the admin"),
    "console_only": ("Akun ini untuk konsol web pusat, bukan untuk aplikasi agen. Untuk kerja lapangan, "
                     "masuk dengan akun agen, petugas loket atau supervisor",
                     "This account is for the centre's web console, not for the agent app. For field work, "
                     "sign in with an agent, counter clerk or supervisor account"),
    "device_mismatch": ("Token ini milik perangkat lain", "This token belongs to another device"),
    "out_of_scope": ("Data ini di luar wilayah tugas Anda", "This data is outside your assigned area"),
    "not_permitted": ("Peran Anda ({role_id}) tidak boleh {action_id}", "Your role ({role_en}) may not {action_en}"),
    "out_of_area": ("Peserta ini di luar wilayah tugas Anda ({area}). Minta supervisor atau agen wilayahnya",
                    "This participant is outside your assigned area ({area}). Ask a supervisor or the "
                    "agent of that area"),
    "void_own_same_day": ("Anda hanya boleh membatalkan pembayaran yang Anda terima sendiri hari itu dan "
                          "belum ditutup. Minta supervisor",
                          "You may only void payments you collected yourself that day and have not closed "
                          "out. Ask a supervisor"),
    "cursor_expired": ("Penanda sinkronisasi sudah kedaluwarsa; unduh ulang data wilayah dari awal",
                       "The sync cursor has expired; download your area's data again from the start"),
    # operation level
    "op_id_reused": ("ID operasi sudah dipakai untuk data lain", "Operation id already used for different data"),
    "hash_mismatch": ("Hash data operasi tidak cocok; data mungkin rusak",
                      "Operation payload hash does not match; the data may be corrupted"),
    "unknown_kind": ("Jenis operasi tidak dikenal: {kind}", "Unknown operation kind: {kind}"),
    "schema_unsupported": ("Versi skema {version} untuk {kind} belum didukung server; tunggu pembaruan server",
                           "Schema version {version} of {kind} is not supported yet; wait for a server update"),
    "invalid_payload": ("Data tidak valid: {reason}", "Invalid data: {reason}"),
    "entity_mismatch": ("entity_id operasi berbeda dengan id data",
                        "The operation entity_id differs from the payload id"),
    "nik_invalid": ("NIK tidak valid: {reason}", "Invalid NIK: {reason}"),
    "nik_birth_mismatch": ("Tanggal lahir atau jenis kelamin tidak sesuai dengan NIK",
                           "Birth date or sex does not match the NIK"),
    "region_unknown": ("Kelurahan {kelurahan} tidak dikenal atau bukan bagian dari kecamatan {kecamatan}",
                       "Kelurahan {kelurahan} is unknown or not in kecamatan {kecamatan}"),
    "age_limit": ("Usia peserta harus di bawah 65 tahun saat pendaftaran",
                  "The participant must be under 65 at registration"),
    "programmes_invalid": ("Program wajib JKK dan JKM{extra}", "JKK and JKM are required{extra_en}"),
    "nik_conflict": ("NIK sudah terdaftar atas nama/tanggal lahir lain; menunggu pemeriksaan supervisor",
                     "NIK already registered with another name/birth date; waiting for supervisor review"),
    "nik_review": ("NIK ini perlu diperiksa pusat sebelum peserta mendapat KPJ. Data tetap tersimpan; "
                   "pusat akan memutuskan", "This NIK needs a check by the centre before the participant "
                   "gets a KPJ. The data is kept; the centre will decide"),
    "worker_exists": ("ID peserta sudah dipakai untuk NIK lain", "Worker id already used for another NIK"),
    "unknown_worker": ("Peserta {worker_id} tidak dikenal server", "Worker {worker_id} is unknown to the server"),
    "worker_deleted": ("Data peserta telah dihapus", "The participant's data has been deleted"),
    "field_not_updatable": ("Kolom tidak boleh diubah lewat pembaruan: {fields}",
                            "Fields that cannot be changed by an update: {fields}"),
    "identity_review": ("Koreksi NIK, tanggal lahir atau jenis kelamin menunggu keputusan admin pusat. Sampai "
                        "diputuskan, data yang lama tetap berlaku", "The correction of NIK, birth date or sex "
                        "waits for the central administrators' decision. Until then the earlier data stands"),
    "correction_rejected": ("Koreksi NIK, tanggal lahir atau jenis kelamin ditolak admin pusat: {reason}",
                            "The correction of NIK, birth date or sex was refused by the central "
                            "administrators: {reason}"),
    "correction_nik_taken": ("NIK baru ini sudah terdaftar atas peserta lain; koreksi tidak dapat diterapkan",
                             "This new NIK is already registered to another participant; the correction "
                             "cannot be applied"),
    "receipt_reused": ("Nomor kuitansi {receipt_no} sudah dipakai pembayaran lain",
                       "Receipt number {receipt_no} already used by another payment"),
    "payment_exists": ("ID pembayaran sudah dipakai untuk data lain", "Payment id already used for different data"),
    "amount_mismatch": ("Jumlah tidak sama dengan rincian iuran", "Amount does not match the breakdown"),
    "unknown_payment": ("Pembayaran {payment_id} yang dibatalkan tidak dikenal server",
                        "Voided payment {payment_id} is unknown to the server"),
    "already_voided": ("Pembayaran ini sudah dibatalkan sebelumnya", "This payment was already voided"),
    "void_amount_mismatch": ("Jumlah pembatalan harus sama dengan minus jumlah pembayaran ({amount})",
                             "A void must be minus the payment's amount ({amount})"),
    "possible_double_collection": ("Bulan {months} sudah dibayar dengan kuitansi lain; diterima dan ditandai "
                                   "untuk rekonsiliasi", "Months {months} already paid by another receipt; "
                                   "accepted and flagged for reconciliation"),
    "review_rejected": ("Pendaftaran ditolak oleh admin pusat: {reason}",
                        "Registration refused by the central administrators: {reason}"),
    # receipts
    "receipt_valid": ("Kuitansi sah", "Receipt is valid"),
    "receipt_voided": ("Kuitansi sah tetapi pembayarannya telah dibatalkan",
                       "Receipt is genuine but the payment was voided"),
    "receipt_unknown": ("Kuitansi belum tercatat di server (mungkin belum disinkronkan)",
                        "Receipt not on the server (perhaps not synced yet)"),
    "receipt_mismatch": ("Kuitansi tidak cocok dengan data server", "Receipt does not match the server's record"),
}


def text(code: str, **params: object) -> BilingualText:
    id_tpl, en_tpl = MESSAGES[code]
    safe = {k: str(v) for k, v in params.items()}
    return BilingualText(id=id_tpl.format_map(_Default(safe)), en=en_tpl.format_map(_Default(safe)))


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return ""


class ApiError(Exception):
    """Raised anywhere in a request; rendered as protocol.ErrorBody with this status."""

    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None, **params: object):
        super().__init__(code)
        self.status = status
        self.code = code
        self.headers = headers or {}
        self.body = ErrorBody(code=code, message=text(code, **params))


class OpRejected(Exception):
    """Raised while applying one operation: it is rejected, the others go on."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.message = text(code, **params)


def printable(value: object) -> str:
    """A value a client chose (username, device or batch id), as a log line may hold it:
    control characters escaped, so a newline in it cannot start a forged line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(value))


def log_bug(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log a bug with its traceback but not the exception's message: messages of database
    and validation errors can quote the values involved (a NIK, a password hash). ``what``
    may name client-given values (an op id, a request path): escaped like ``printable``."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("%s: %s.%s\n%s", printable(what), type(exc).__module__, type(exc).__qualname__, frames)
