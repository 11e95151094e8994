"""Bilingual user-facing messages for Qt-free code.

Rules emit :class:`Issue` objects (a code plus parameters); the GUI, the CLI and the
server render them with :func:`render` in Bahasa Indonesia (``"id"``, the default) or
English (``"en"``). ``CATALOGUE`` is a plain dict so other layers can add their own codes
(``CATALOGUE.update({...})`` or :func:`register`) at import time.

Templates use ``str.format`` fields.  Two extra format specs exist:
``{amount:rp}`` renders rupiah ("Rp 1.000.000" in id, "Rp 1,000,000" in en) and
``{items:list}`` joins a list with commas.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Literal

Severity = Literal["error", "warning"]
LANGUAGES = ("id", "en")
DEFAULT_LANG = "id"

CATALOGUE: dict[str, dict[str, str]] = {
    # --- generic -------------------------------------------------------------------
    "field.required": {
        "id": "Wajib diisi",
        "en": "Required",
    },
    # --- NIK / KK ------------------------------------------------------------------
    "nik.required": {
        "id": "NIK wajib diisi",
        "en": "NIK is required",
    },
    "nik.format": {
        "id": "NIK harus 16 digit angka",
        "en": "NIK must be 16 digits",
    },
    "nik.province_unknown": {
        "id": "Kode provinsi {province} pada NIK tidak dikenal",
        "en": "Province code {province} in the NIK is unknown",
    },
    "nik.regency_unknown": {
        "id": "Kode kabupaten/kota {regency} pada NIK tidak dikenal",
        "en": "Regency/city code {regency} in the NIK is unknown",
    },
    "nik.kecamatan_invalid": {
        "id": "Kode kecamatan pada NIK tidak boleh 00",
        "en": "The kecamatan code in the NIK cannot be 00",
    },
    "nik.date_invalid": {
        "id": "Tanggal lahir pada NIK ({digits}) bukan tanggal yang benar",
        "en": "The birth date in the NIK ({digits}) is not a real date",
    },
    "nik.serial_zero": {
        "id": "Nomor urut NIK (4 digit terakhir) tidak boleh 0000",
        "en": "The NIK serial (last 4 digits) cannot be 0000",
    },
    "nik.birth_date_mismatch": {
        "id": ("Tanggal lahir pada NIK ({nik_date:date}) berbeda dengan tanggal lahir yang diisi "
               "({form_date:date})"),
        "en": ("The birth date in the NIK ({nik_date:date}) differs from the birth date entered "
               "({form_date:date})"),
    },
    "nik.sex_mismatch": {
        "id": ("Jenis kelamin pada NIK ({nik_sex:sex}) berbeda dengan yang diisi ({form_sex:sex}); "
               "untuk perempuan tanggal lahir pada NIK ditambah 40"),
        "en": ("The sex in the NIK ({nik_sex:sex}) differs from the one entered ({form_sex:sex}); "
               "for women the NIK birth day is increased by 40"),
    },
    "nik.kecamatan_mismatch": {
        "id": ("Kecamatan pada NIK ({nik_kecamatan_label}) berbeda dengan kecamatan alamat "
               "({address_kecamatan_label}). Boleh dilanjutkan bila NIK diterbitkan di wilayah lain "
               "(misalnya warga pulau atau pendatang)"),
        "en": ("The kecamatan in the NIK ({nik_kecamatan_label}) differs from the address kecamatan "
               "({address_kecamatan_label}). You may continue if the NIK was issued elsewhere "
               "(e.g. island residents or migrants)"),
    },
    "kk.required": {
        "id": "Nomor KK wajib diisi",
        "en": "Family card (KK) number is required",
    },
    "kk.format": {
        "id": "Nomor KK harus 16 digit angka",
        "en": "Family card (KK) number must be 16 digits",
    },
    "kk.province_unknown": {
        "id": "Kode provinsi {province} pada nomor KK tidak dikenal",
        "en": "Province code {province} in the family card number is unknown",
    },
    "kk.regency_unknown": {
        "id": "Kode kabupaten/kota {regency} pada nomor KK tidak dikenal",
        "en": "Regency/city code {regency} in the family card number is unknown",
    },
    "kk.date_invalid": {
        "id": "Tanggal terbit pada nomor KK ({digits}) bukan tanggal yang benar",
        "en": "The issue date in the family card number ({digits}) is not a real date",
    },
    "kk.serial_zero": {
        "id": "Nomor urut KK (4 digit terakhir) tidak boleh 0000",
        "en": "The family card serial (last 4 digits) cannot be 0000",
    },
    # --- person --------------------------------------------------------------------
    "name.required": {
        "id": "Nama lengkap wajib diisi",
        "en": "Full name is required",
    },
    "name.invalid": {
        "id": "Nama hanya boleh berisi huruf, spasi, titik, tanda petik (') dan tanda hubung (-)",
        "en": "The name may only contain letters, spaces, dots, apostrophes (') and hyphens (-)",
    },
    "name.too_long": {
        "id": "Nama terlalu panjang (paling banyak {max} karakter)",
        "en": "The name is too long (at most {max} characters)",
    },
    "birth_date.required": {
        "id": "Tanggal lahir wajib diisi",
        "en": "Birth date is required",
    },
    "birth_date.future": {
        "id": "Tanggal lahir tidak boleh di masa depan",
        "en": "The birth date cannot be in the future",
    },
    "age.too_young": {
        "id": "Usia {age} tahun: peserta minimal berusia {min} tahun (usia kerja)",
        "en": "Age {age}: participants must be at least {min} years old (working age)",
    },
    "age.too_old": {
        "id": "Usia {age} tahun: pendaftaran hanya untuk usia di bawah {max} tahun",
        "en": "Age {age}: registration is only for people under {max}",
    },
    "sex.required": {
        "id": "Jenis kelamin wajib dipilih",
        "en": "Sex is required",
    },
    "sex.invalid": {
        "id": "Jenis kelamin harus Laki-laki (M) atau Perempuan (F)",
        "en": "Sex must be male (M) or female (F)",
    },
    "address.required": {
        "id": "Alamat wajib diisi",
        "en": "Address is required",
    },
    "address.invalid": {
        "id": "Alamat harus satu baris, tanpa tab atau karakter kendali",
        "en": "The address must be one line, without tabs or control characters",
    },
    "address.too_long": {
        "id": "Alamat terlalu panjang (paling banyak {max} karakter)",
        "en": "The address is too long (at most {max} characters)",
    },
    "kelurahan.required": {
        "id": "Kelurahan wajib dipilih",
        "en": "Kelurahan is required",
    },
    "kelurahan.not_makassar": {
        "id": "Kelurahan {code} tidak ada di Kota Makassar",
        "en": "Kelurahan {code} is not in Kota Makassar",
    },
    # --- phone ---------------------------------------------------------------------
    "phone.invalid": {
        "id": ("Nomor HP tidak valid: gunakan nomor seluler 10-13 digit yang diawali 08 atau +628 "
               "(contoh 0812-3456-7890)"),
        "en": "Invalid mobile number: use a 10-13 digit mobile number starting with 08 or +628 (e.g. 0812-3456-7890)",
    },
    # --- work and income ----------------------------------------------------------
    "occupation.required": {
        "id": "Pilih minimal 1 pekerjaan",
        "en": "Choose at least 1 occupation",
    },
    "occupation.too_many": {
        "id": "Paling banyak {max} pekerjaan",
        "en": "At most {max} occupations",
    },
    "occupation.unknown": {
        "id": "Pekerjaan \"{name}\" tidak ada dalam daftar",
        "en": "Occupation \"{name}\" is not in the list",
    },
    "occupation.duplicate": {
        "id": "Pekerjaan \"{name}\" dipilih dua kali",
        "en": "Occupation \"{name}\" was chosen twice",
    },
    "income.required": {
        "id": "Penghasilan per bulan wajib diisi",
        "en": "Monthly income is required",
    },
    "income.too_low": {
        "id": "Penghasilan minimal {min:rp} per bulan",
        "en": "Income must be at least {min:rp} a month",
    },
    "income.too_high": {
        "id": "Penghasilan terlalu besar (maksimal {max:rp}); periksa angkanya",
        "en": "Income too large (at most {max:rp}); check the figure",
    },
    # --- programmes and funding ----------------------------------------------------
    "programme.base_required": {
        "id": "Program {programme} wajib diikuti (JKK dan JKM adalah program dasar)",
        "en": "Programme {programme} is required (JKK and JKM are the base programmes)",
    },
    "programme.unknown": {
        "id": "Program \"{programme}\" tidak dikenal",
        "en": "Unknown programme \"{programme}\"",
    },
    "programme.funding_invalid": {
        "id": "Sumber dana \"{source}\" untuk {programme} tidak valid",
        "en": "Funding source \"{source}\" for {programme} is not valid",
    },
    # labels for pickers and reports
    "programme.jkk": {"id": "JKK (Jaminan Kecelakaan Kerja)", "en": "JKK (work accident)"},
    "programme.jkm": {"id": "JKM (Jaminan Kematian)", "en": "JKM (death)"},
    "programme.jht": {"id": "JHT (Jaminan Hari Tua)", "en": "JHT (old-age savings)"},
    "funding.self": {"id": "Mandiri (dibayar sendiri)", "en": "Self-paid"},
    "funding.apbd": {"id": "APBD Kota Makassar", "en": "City budget (APBD)"},
    "funding.apbn": {"id": "APBN", "en": "State budget (APBN)"},
    "funding.village": {"id": "Dana desa/kelurahan", "en": "Village budget"},
    "funding.csr": {"id": "CSR / donatur", "en": "CSR / donor"},
    "sex.M": {"id": "Laki-laki", "en": "Male"},
    "sex.F": {"id": "Perempuan", "en": "Female"},
    "jht.required_for_employer": {
        "id": "JHT wajib untuk pekerja yang juga pemberi kerja (pemilik usaha)",
        "en": "JHT is mandatory for a worker who is also an employer (business owner)",
    },
    "jht.apbd_outside_priority": {
        "id": "JHT dari APBD diprioritaskan untuk desil {desil_list:list}; desil peserta: {desil}",
        "en": "City-funded (APBD) JHT is prioritised to desil {desil_list:list}; this participant's desil: {desil}",
    },
    # --- DTSEN desil ---------------------------------------------------------------
    "desil.invalid": {
        "id": "Desil harus angka 1 sampai 10",
        "en": "Desil must be a number from 1 to 10",
    },
    "desil.source_required": {
        "id": "Sumber data desil wajib diisi bila desil diisi",
        "en": "The desil source is required when a desil is given",
    },
    "desil.date_required": {
        "id": "Tanggal data desil wajib diisi bila desil diisi",
        "en": "The desil date is required when a desil is given",
    },
    "desil.date_future": {
        "id": "Tanggal data desil tidak boleh di masa depan",
        "en": "The desil date cannot be in the future",
    },
    # --- heir ----------------------------------------------------------------------
    "heir.relation_required": {
        "id": "Hubungan ahli waris wajib diisi bila nama ahli waris diisi",
        "en": "The heir's relationship is required when an heir is named",
    },
    "heir.name_invalid": {
        "id": "Nama ahli waris hanya boleh berisi huruf, spasi, titik, tanda petik (') dan tanda hubung (-)",
        "en": "The heir's name may only contain letters, spaces, dots, apostrophes (') and hyphens (-)",
    },
    # --- consent -------------------------------------------------------------------
    "consent.required": {
        "id": "Persetujuan peserta atas pengolahan data pribadi wajib dicatat sebelum mendaftar",
        "en": "The participant's consent to the processing of personal data must be recorded before registering",
    },
    # --- months and payments -------------------------------------------------------
    "month.invalid": {
        "id": "Bulan \"{month}\" tidak valid (format TTTT-BB)",
        "en": "Month \"{month}\" is not valid (format YYYY-MM)",
    },
    "month.before_registration": {
        "id": "Bulan {month} sebelum bulan pendaftaran ({registration_month})",
        "en": "Month {month} is before the registration month ({registration_month})",
    },
    "month.too_old": {
        "id": "Tunggakan hanya dapat dibayar paling lama {max} bulan ke belakang (paling awal {earliest})",
        "en": "Arrears can be paid at most {max} months back (earliest {earliest})",
    },
    "month.already_paid": {
        "id": "Bulan {month} sudah dibayar",
        "en": "Month {month} is already paid",
    },
    "months.count_invalid": {
        "id": "Pembayaran hanya untuk {allowed:list} bulan",
        "en": "Payments are only for {allowed:list} months",
    },
    # --- coverage status (labels) ---------------------------------------------------
    "coverage.active": {"id": "Aktif", "en": "Active"},
    "coverage.grace": {
        "id": "Menunggak {months} bulan",
        "en": "{months} month(s) in arrears",
    },
    "coverage.inactive": {"id": "Tidak aktif", "en": "Inactive"},
    "coverage.never": {"id": "Belum pernah bayar", "en": "Never paid"},
    # --- receipts ------------------------------------------------------------------
    "receipt.invalid": {
        "id": "Nomor kuitansi \"{text}\" tidak valid",
        "en": "Receipt number \"{text}\" is not valid",
    },
}


def register(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add codes to the catalogue (for services/server layers); every entry needs id and en."""
    for code, texts in entries.items():
        missing = [lang for lang in LANGUAGES if lang not in texts]
        if missing:
            raise ValueError(f"message {code!r} lacks {missing}")
        CATALOGUE[code] = dict(texts)


def format_rupiah(amount: int, lang: str = DEFAULT_LANG) -> str:
    """``Rp 1.000.000`` (id, dot thousands) or ``Rp 1,000,000`` (en)."""
    sign = "-" if amount < 0 else ""
    digits = f"{abs(int(amount)):,}"
    if lang == "id":
        digits = digits.replace(",", ".")
    return f"{sign}Rp {digits}"


class _Formatter(string.Formatter):
    """str.format plus ``:rp``, ``:list``, ``:date`` (ISO -> 14/03/1988, the way dates are
    written and typed here) and ``:sex`` (M/F -> the word) specs; a missing field stays
    visible as {name}."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key not in kwargs:
            return _Missing(key)
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return "{" + value.name + "}"
        if format_spec == "rp":
            try:
                return format_rupiah(int(value), self.lang)
            except (TypeError, ValueError):
                return str(value)
        if format_spec == "date":
            text = str(value)
            if len(text) >= 10 and text[4] == "-" and text[7] == "-":
                return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
            return text
        if format_spec == "sex":
            entry = CATALOGUE.get(f"sex.{value}")
            return (entry.get(self.lang) or entry[DEFAULT_LANG]) if entry else str(value)
        if format_spec == "list":
            if isinstance(value, (list, tuple, set, frozenset)):
                return ", ".join(str(v) for v in value)
            return str(value)
        return super().format_field(value, format_spec)


@dataclass(frozen=True)
class _Missing:
    name: str


def render(code: str, /, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The message for ``code`` in ``lang`` ("id" or "en").

    Never raises for an unknown code or language (a message box must not crash): an
    unknown language falls back to Indonesian, an unknown code renders as the code itself.
    """
    entry = CATALOGUE.get(code)
    if entry is None:
        return code
    template = entry.get(lang) or entry[DEFAULT_LANG]
    return _Formatter(lang).format(template, **params)


@dataclass(frozen=True)
class Issue:
    """One validation finding, attached to a form field so the GUI can show it beside it."""

    code: str
    severity: Severity
    field: str
    params: dict[str, Any] = dc_field(default_factory=dict)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return render(self.code, lang, **self.params)

    def __hash__(self) -> int:  # params is a dict: hash a stable view of it
        return hash((self.code, self.severity, self.field, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (for import reports and server answers)."""
        return {"code": self.code, "severity": self.severity, "field": self.field, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Issue:
        return cls(str(data["code"]), data["severity"], str(data.get("field", "")), dict(data.get("params") or {}))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def error(code: str, field: str, /, **params: Any) -> Issue:
    return Issue(code, "error", field, params)


def warning(code: str, field: str, /, **params: Any) -> Issue:
    return Issue(code, "warning", field, params)


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)
