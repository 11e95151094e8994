"""The console's words in Bahasa Indonesia (first) and English, and Indonesian formats.

Numbers and dates are shown the Indonesian way in both languages ("1.234.567",
"Rp 35.000", "2 Mar 2026"): the figures are the ones people compare with their own
Indonesian reports.
"""

from __future__ import annotations

from datetime import date

LANGS = ("id", "en")

WORDS: dict[str, tuple[str, str]] = {
    "app_title": ("Konsol Pusat Perisai", "Perisai Centre Console"),
    "programme": ("Program Makassar Berjasa", "Program Makassar Berjasa"),
    "skip": ("Lewati ke isi", "Skip to content"),
    "sign_in": ("Masuk", "Sign in"),
    "sign_out": ("Keluar", "Sign out"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "signed_in_as": ("Masuk sebagai", "Signed in as"),
    "language": ("Bahasa", "Language"),
    "nav_coverage": ("Cakupan", "Coverage"),
    "nav_money": ("Setoran", "Money"),
    "nav_agents": ("Agen & perangkat", "Agents & devices"),
    "nav_review": ("Pemeriksaan", "Review"),
    "nav_people": ("Pengguna", "People"),
    "nav_exports": ("Ekspor", "Exports"),
    "role_admin": ("Administrator", "Administrator"),
    "role_city_viewer": ("Pemantau kota (Dinas/Pemkot)", "City viewer (Dinas/Pemkot)"),
    "role_bpjs_viewer": ("Pemantau BPJS Ketenagakerjaan", "BPJS branch viewer"),
    "role_supervisor": ("Supervisor", "Supervisor"),
    "role_agent": ("Agen", "Agent"),
    "role_clerk": ("Petugas loket", "Counter clerk"),
    "whole_city": ("Seluruh Kota Makassar", "All of Kota Makassar"),
    "area": ("Wilayah", "Area"),
    "kecamatan": ("Kecamatan", "Kecamatan"),
    "kelurahan": ("Kelurahan", "Kelurahan"),
    "show": ("Tampilkan", "Show"),
    "all": ("Semua", "All"),
    "from": ("Dari", "From"),
    "to": ("Sampai", "To"),
    "total": ("Jumlah", "Total"),
    "none_yet": ("Belum ada data.", "No data yet."),
    # sign-in messages
    "bad_credentials": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "inactive": ("Akun ini tidak aktif; hubungi admin pusat.", "This account is inactive; contact the centre's admin."),
    "too_many": ("Terlalu banyak percobaan yang gagal. Coba lagi dalam {seconds} detik.",
                 "Too many failed attempts. Try again in {seconds} seconds."),
    "device_role": ("Akun agen dan petugas loket memakai aplikasi Perisai Agent, bukan konsol ini.",
                    "Agent and clerk accounts use the Perisai Agent app, not this console."),
    "session_ended": ("Sesi berakhir; silakan masuk lagi.", "Your session ended; please sign in again."),
    "form_expired": ("Formulir kedaluwarsa; muat ulang halaman dan coba lagi.",
                     "The form expired; reload the page and try again."),
    "forbidden": ("Halaman ini tidak tersedia untuk peran Anda.", "This page is not available to your role."),
    "out_of_scope": ("Data ini di luar kecamatan Anda.", "This data is outside your kecamatan."),
    "not_found": ("Halaman tidak ditemukan.", "Page not found."),
    "bad_request": ("Alamat atau isian tidak valid.", "Invalid address or form field."),
    "server_error": ("Terjadi kesalahan di server. Coba lagi nanti.", "Server error. Try again later."),
    "back_home": ("Kembali ke beranda", "Back to the start page"),
    # coverage
    "coverage_title": ("Cakupan kepesertaan", "Coverage"),
    "registered": ("Terdaftar", "Registered"),
    "active": ("Aktif", "Active"),
    "grace": ("Tenggang", "Grace"),
    "inactive_status": ("Tidak aktif", "Inactive"),
    "never": ("Belum pernah bayar", "Never paid"),
    "population": ("Pekerja informal (data)", "Informal workers (data)"),
    "coverage_pct": ("Cakupan", "Coverage"),
    "target": ("Target", "Target"),
    "no_population": ("Data jumlah pekerja per kelurahan belum tersedia; persentase cakupan tidak dihitung.",
                      "Worker population per kelurahan is not available yet; no coverage percentage is computed."),
    "population_partial": ("Data jumlah pekerja hanya ada untuk sebagian wilayah; persentase hanya untuk wilayah itu.",
                           "Worker population is known for part of the area only; percentages cover that part."),
    "status_rule": ("Aktif: iuran bulan ini sudah dibayar. Tenggang: 1-3 bulan belum dibayar. "
                    "Tidak aktif: lebih dari 3 bulan.",
                    "Active: this month is paid. Grace: 1-3 months unpaid. Inactive: more than 3 months."),
    "jht_title": ("Kuota JHT (APBD) menurut desil", "JHT places (APBD) by desil"),
    "jht_quota": ("Kuota {year}: {quota} pekerja, prioritas desil {desil}.",
                  "Quota {year}: {quota} workers, priority desil {desil}."),
    "desil": ("Desil", "Desil"),
    "desil_unknown": ("Tanpa desil", "No desil"),
    "jht_used": ("Terpakai", "Used"),
    "jht_left": ("Sisa kuota", "Places left"),
    "jht_priority": ("Di desil prioritas", "In priority desil"),
    "over_time": ("Cakupan dari waktu ke waktu", "Coverage over time"),
    "over_time_rule": ("Status tiap peserta di akhir setiap bulan, menurut iuran yang sudah ditagih sampai bulan itu "
                       "(iuran yang dibatalkan tidak dihitung).",
                       "Each participant's status at the end of each month, by the contributions collected up to "
                       "that month (voided payments do not count)."),
    "active_share": ("Aktif / pekerja", "Active / workers"),
    "target_line": ("Target {pct} dari pekerja", "Target: {pct} of workers"),
    "target_workers": ("Target {pct} dari {workers} pekerja informal: {needed} peserta aktif.",
                       "Target {pct} of {workers} informal workers: {needed} active participants."),
    "over_time_no_population": ("Jumlah pekerja wilayah ini belum tersedia, jadi target {pct} tidak digambar.",
                                "This area's worker population is not available, so the {pct} target is not drawn."),
    "month": ("Bulan", "Month"),
    "chart_table_note": ("Angka grafik ada di tabel di bawahnya.", "The chart's figures are in the table below it."),
    # money
    "money_title": ("Setoran iuran", "Collections"),
    "period": ("Periode", "Period"),
    "per_day": ("Per hari", "Per day"),
    "per_agent": ("Per agen", "Per agent"),
    "rows_folded": ("{count} baris: buka untuk melihat semuanya", "{count} rows: open to see them all"),
    "per_kelurahan": ("Per kelurahan", "Per kelurahan"),
    "per_method": ("Per cara bayar", "Per method"),
    "day": ("Tanggal", "Date"),
    "agent": ("Agen", "Agent"),
    "receipts": ("Kuitansi", "Receipts"),
    "amount": ("Jumlah (Rp)", "Amount (Rp)"),
    "voids": ("Pembatalan", "Voids"),
    "net": ("Bersih (Rp)", "Net (Rp)"),
    "method_cash": ("Tunai", "Cash"),
    "method_qris": ("QRIS", "QRIS"),
    "method_transfer": ("Transfer", "Transfer"),
    "closeouts": ("Tutup kas dan serah terima", "Close-outs and handovers"),
    "closeout_day": ("Hari", "Day"),
    "expected": ("Seharusnya (Rp)", "Expected (Rp)"),
    "counted": ("Dihitung (Rp)", "Counted (Rp)"),
    "variance": ("Selisih (Rp)", "Variance (Rp)"),
    "handover": ("Serah terima", "Handover"),
    "handed_to": ("Diserahkan kepada", "Handed to"),
    "flagged": ("Pembayaran yang ditandai kemungkinan dobel", "Payments flagged as possible double collection"),
    "receipt_no": ("No. kuitansi", "Receipt no."),
    "months": ("Bulan iuran", "Months"),
    "participant": ("Peserta", "Participant"),
    "collected": ("Diterima", "Collected"),
    # agents
    "agents_title": ("Agen dan perangkat", "Agents and devices"),
    "device": ("Perangkat", "Device"),
    "last_sync": ("Sinkron terakhir", "Last sync"),
    "app_version": ("Versi aplikasi", "App version"),
    "pending": ("Antrean", "Queued"),
    "clock": ("Jam perangkat", "Device clock"),
    "clock_ahead_minutes": ("{n} menit lebih cepat", "{n} minutes fast"),
    "clock_ahead_hours": ("{n} jam lebih cepat", "{n} hours fast"),
    "clock_ahead_days": ("{n} hari lebih cepat", "{n} days fast"),
    "clock_behind_minutes": ("{n} menit lebih lambat", "{n} minutes slow"),
    "clock_behind_hours": ("{n} jam lebih lambat", "{n} hours slow"),
    "clock_behind_days": ("{n} hari lebih lambat", "{n} days slow"),
    "method": ("Cara bayar", "Method"),
    "clock_ok": ("Tepat", "Right"),
    "unknown": ("tidak diketahui", "unknown"),
    "never_synced": ("belum pernah", "never"),
    "revoked": ("Dicabut", "Revoked"),
    "devices_by_kecamatan": ("Perangkat per kecamatan", "Devices by kecamatan"),
    "synced_today": ("Sinkron 24 jam terakhir", "Synced in the last 24 hours"),
    "with_queue": ("Masih ada antrean", "Still queued"),
    "pick_kecamatan": ("Pilih kecamatan untuk melihat setiap perangkat: sinkron terakhir, versi aplikasi, antrean.",
                       "Pick a kecamatan to see each device: last sync, app version, queue."),
    "clock_devices": ("Perangkat dengan jam meleset (lebih dari {minutes} menit)",
                      "Devices whose clock is off (by more than {minutes} minutes)"),
    # review
    "review_title": ("Antrean pemeriksaan NIK", "NIK review queue"),
    "identity_case": ("koreksi NIK, tanggal lahir atau jenis kelamin", "correction of NIK, birth date or sex"),
    "corrected_fields": ("Dikoreksi oleh supervisor", "Corrected by the supervisor"),
    "correction_asked": ("Koreksi yang diminta", "Correction asked for"),
    "record_now": ("Data saat kasus dibuka", "Record when the case opened"),
    "nik_taken_by": ("NIK baru ini sudah terdaftar atas peserta lain. Koreksi tidak dapat diterapkan; tolak "
                     "dengan alasan (misalnya minta supervisor memeriksa KTP).",
                     "This new NIK is already registered to another participant. The correction cannot be "
                     "applied; refuse it with a reason (for instance, ask the supervisor to check the ID card)."),
    "nik_holder": ("Terdaftar dengan NIK baru", "Registered under the new NIK"),
    "decide_apply": ("Terapkan koreksi", "Apply the correction"),
    "decide_reject_correction": ("Tolak koreksi", "Refuse the correction"),
    "correction_cannot_apply": ("Koreksi tidak dapat diterapkan. {id}", "The correction cannot be applied. {en}"),
    "review_empty": ("Tidak ada kasus yang menunggu.", "No case is waiting."),
    "review_case": ("Kasus {id}", "Case {id}"),
    "new_registration": ("Pendaftaran baru", "New registration"),
    "existing": ("Sudah terdaftar", "Already registered"),
    "sent_by": ("Dikirim oleh", "Sent by"),
    "name": ("Nama", "Name"),
    "birth_date": ("Tanggal lahir", "Birth date"),
    "sex": ("Jenis kelamin", "Sex"),
    "sex_M": ("Laki-laki", "Male"),
    "sex_F": ("Perempuan", "Female"),
    "address": ("Alamat", "Address"),
    "phone": ("Telepon", "Phone"),
    "registered_at": ("Didaftarkan", "Registered"),
    "payments_on": ("Pembayaran", "Payments"),
    "no_payments": ("Tidak ada pembayaran.", "No payments."),
    "decide_alias": ("Orang yang sama: jadikan alias", "Same person: make it an alias"),
    "decide_reject": ("Orang berbeda: tolak pendaftaran", "Different person: refuse the registration"),
    "decision_reason": ("Alasan keputusan (disimpan bersama kasus; alasan penolakan dikirim ke perangkat agen)",
                        "Reason for the decision (kept with the case; a refusal's reason goes to the agent's device)"),
    "reason_needed": ("Tulis alasan keputusan.", "Write the reason for the decision."),
    "decided": ("Kasus {id} diputuskan.", "Case {id} decided."),
    "already_decided": ("Kasus ini sudah diputuskan.", "This case was already decided."),
    "cases_waiting": ("{n} kasus menunggu; {shown} yang tertua ditampilkan.",
                      "{n} cases waiting; the oldest {shown} are shown."),
    "recent_decisions": ("Keputusan terakhir", "Recent decisions"),
    "decided_by": ("Diputuskan oleh", "Decided by"),
    "decision": ("Keputusan", "Decision"),
    "resolution_alias": ("alias", "alias"),
    "resolution_reject": ("ditolak", "refused"),
    "resolution_distinct": ("orang berbeda", "distinct person"),
    "resolution_apply": ("koreksi diterapkan", "correction applied"),
    # people
    "people_title": ("Pengguna dan perangkat", "People and devices"),
    "role": ("Peran", "Role"),
    "full_name": ("Nama lengkap", "Full name"),
    "wadah": ("Wadah", "Wadah"),
    "state": ("Status", "State"),
    "user_active": ("aktif", "active"),
    "user_inactive": ("nonaktif", "inactive"),
    "create_user": ("Buat pengguna", "Create a user"),
    "create": ("Buat", "Create"),
    "deactivate": ("Nonaktifkan", "Deactivate"),
    "activate": ("Aktifkan", "Activate"),
    "reset_password": ("Atur ulang kata sandi", "Reset password"),
    "new_password": ("Kata sandi baru (minimal 8 karakter)", "New password (at least 8 characters)"),
    "revoke": ("Cabut", "Revoke"),
    "devices": ("Perangkat", "Devices"),
    "done": ("Tersimpan.", "Saved."),
    "actions": ("Tindakan", "Actions"),
    "optional": ("opsional", "optional"),
    "find_user": ("Cari nama", "Find a name"),
    "users_found": ("{n} pengguna", "{n} users"),
    "pages": ("Halaman", "Pages"),
    "previous": ("Sebelumnya", "Previous"),
    "next": ("Berikutnya", "Next"),
    "page_of": ("Halaman {n} dari {total}", "Page {n} of {total}"),
    "cannot_self": ("Anda tidak bisa menonaktifkan akun Anda sendiri.", "You cannot deactivate your own account."),
    # exports
    "exports_title": ("Ekspor data", "Data exports"),
    "what": ("Data", "Data"),
    "participants": ("Peserta", "Participants"),
    "payments": ("Pembayaran", "Payments"),
    "format": ("Format", "Format"),
    "download": ("Unduh", "Download"),
    "export_note": ("Berisi data pribadi (UU PDP 27/2022): simpan di tempat yang aman dan hanya untuk "
                    "keperluan program.",
                    "Contains personal data (UU PDP 27/2022): keep it safe and use it for the programme only."),
    "api_title": ("API ekspor (JSON)", "Export API (JSON)"),
    "api_note": ("Untuk sistem BPJS Ketenagakerjaan atau alat BI: GET {base}/api/v1/export/participants dan "
                 "/api/v1/export/payments dengan header Authorization: Bearer TOKEN; dokumentasi di /docs.",
                 "For BPJS Ketenagakerjaan's systems or a BI tool: GET {base}/api/v1/export/participants and "
                 "/api/v1/export/payments with the header Authorization: Bearer TOKEN; documented at /docs."),
    "token_name": ("Nama pemakai token", "Token holder"),
    "new_token": ("Buat token", "Create token"),
    "token_once": ("Token baru (salin sekarang, tidak akan ditampilkan lagi):",
                   "New token (copy it now, it will not be shown again):"),
    "token_name_needed": ("Tulis nama pemakai token dan pilih wilayah yang benar.",
                          "Write the token holder's name and pick a valid area."),
    "last_used": ("Terakhir dipakai", "Last used"),
    "bad_period": ("Periode tidak valid.", "Invalid period."),
    # receipts
    "receipt_title": ("Cek kuitansi", "Check a receipt"),
    "receipt_valid": ("Kuitansi sah", "Genuine receipt"),
    "receipt_valid_text": ("Pembayaran ini tercatat di pusat.", "This payment is recorded at the centre."),
    "receipt_voided": ("Kuitansi sah, tetapi pembayarannya dibatalkan", "Genuine receipt, but the payment was voided"),
    "receipt_unknown": ("Tidak dikenal / tidak cocok", "Unknown / does not match"),
    "receipt_unknown_text": (
        "Kuitansi ini belum diterima pusat atau datanya tidak cocok. Kuitansi yang dicetak saat agen offline "
        "baru bisa dicek setelah agen menyinkronkan datanya; coba lagi nanti. Jika tetap tidak dikenal, "
        "hubungi kantor kelurahan atau BPJS Ketenagakerjaan.",
        "The centre has not received this receipt yet, or its data does not match. A receipt printed while "
        "the agent was offline can be checked once the agent has synced; try again later. If it stays "
        "unknown, contact the kelurahan office or BPJS Ketenagakerjaan."),
    "receipt_flagged": ("Bulan ini juga dibayar dengan kuitansi lain; petugas akan memeriksanya.",
                        "These months were also paid with another receipt; the staff will look into it."),
    "worker_initials": ("Peserta (inisial)", "Participant (initials)"),
    "collected_by_wadah": ("Diterima oleh wadah", "Collected by wadah"),
    "date": ("Tanggal", "Date"),
    "rate_limited": ("Terlalu banyak pengecekan dari alamat ini. Coba lagi dalam {seconds} detik.",
                     "Too many checks from this address. Try again in {seconds} seconds."),
}

MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def pick_lang(value: str | None) -> str:
    return value if value in LANGS else "id"


def translate(key: str, lang: str, **params: object) -> str:
    id_text, en_text = WORDS[key]
    chosen = en_text if lang == "en" else id_text
    return chosen.format(**params) if params else chosen


def number(value: int | float | None) -> str:
    """1234567 -> "1.234.567" (Indonesian grouping); None -> "-"."""
    if value is None:
        return "-"
    return f"{int(value):,}".replace(",", ".")


def percent(value: float | None) -> str:
    """0.7251 -> "72,5 %"."""
    if value is None:
        return "-"
    return f"{value * 100:.1f}".replace(".", ",") + " %"


def month_label(month: str | None, lang: str) -> str:
    """"2026-03" -> "Mar 2026"."""
    if not month:
        return "-"
    year, mm = month.split("-")
    return f"{MONTHS[lang][int(mm) - 1]} {year}"


def day_label(day: str | None, lang: str) -> str:
    """"2026-03-02" (or an ISO stamp, read as its date) -> "2 Mar 2026"."""
    if not day:
        return "-"
    d = date.fromisoformat(day[:10])
    return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"
