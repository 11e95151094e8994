"""Messages of the use cases (refusals a person reads), added to the domain catalogue."""

from agent_app.domain.messages import register

register({
    "user.required": {"id": "Nama pengguna dan nama lengkap wajib diisi",
                      "en": "Username and full name are required"},
    "user.role": {"id": "Peran pengguna tidak dikenal", "en": "Unknown user role"},
    "user.password_short": {"id": "Kata sandi minimal {n} karakter",
                            "en": "The password needs at least {n} characters"},
    "user.password_mismatch": {"id": "Kedua kata sandi tidak sama",
                               "en": "The two passwords differ"},
    "user.exists": {"id": "Nama pengguna {username} sudah dipakai",
                    "en": "The username {username} is already taken"},
    "user.not_allowed": {"id": "Hanya supervisor yang boleh menambah pengguna",
                         "en": "Only a supervisor may add users"},
    "auth.invalid": {"id": "Nama pengguna atau kata sandi salah",
                     "en": "Wrong username or password"},
    "auth.closed": {"id": "Akun ini tidak lagi dapat dipakai di aplikasi ini: pusat menonaktifkannya "
                          "atau mengubah perannya. Hubungi admin",
                    "en": "This account can no longer be used in this app: the centre deactivated it "
                          "or changed its role. Contact the admin"},
    "auth.throttled": {"id": "Terlalu banyak percobaan gagal. Coba lagi dalam {seconds} detik",
                       "en": "Too many failed attempts. Try again in {seconds} seconds"},
    "worker.invalid": {"id": "Data pekerja belum lengkap atau belum benar",
                       "en": "The worker's data is incomplete or incorrect"},
    "worker.nik_exists": {"id": "NIK {nik} sudah terdaftar di perangkat ini",
                          "en": "NIK {nik} is already registered on this device"},
    "worker.not_found": {"id": "Pekerja tidak ditemukan", "en": "Worker not found"},
    "payment.method": {"id": "Pilih cara bayar: tunai, QRIS atau transfer",
                       "en": "Choose a payment method: cash, QRIS or transfer"},
    "payment.period": {"id": "Pilih 1, 3, 6 atau 12 bulan",
                       "en": "Choose 1, 3, 6 or 12 months"},
    "payment.not_found": {"id": "Pembayaran tidak ditemukan", "en": "Payment not found"},
    "payment.void_reason": {"id": "Tulis alasan pembatalan (minimal 5 karakter)",
                            "en": "Give the reason for the void (at least 5 characters)"},
    "payment.already_voided": {"id": "Kuitansi {receipt} sudah dibatalkan",
                               "en": "Receipt {receipt} has already been voided"},
    "payment.pulled_read_only": {
        "id": "Kuitansi {receipt} dicatat di perangkat lain (data dari pusat); di sini "
              "hanya bisa dilihat",
        "en": "Receipt {receipt} was recorded on another device (data from the centre); "
              "here it can only be viewed"},
    "import.unreadable": {"id": "Berkas tidak bisa dibaca: {detail}",
                          "en": "The file cannot be read: {detail}"},
    "import.no_header": {"id": "Kolom wajib tidak ada: {columns}",
                         "en": "Required columns are missing: {columns}"},
    "import.unsupported": {"id": "Hanya berkas CSV atau XLSX yang bisa diimpor",
                           "en": "Only CSV or XLSX files can be imported"},
    "import.duplicate_file": {"id": "NIK sama dengan baris {row} di berkas ini",
                              "en": "Same NIK as row {row} of this file"},
    "import.duplicate_store": {"id": "NIK sudah terdaftar di perangkat ini",
                               "en": "NIK already registered on this device"},
    "import.value": {"id": "Nilai kolom {column} tidak dikenali: {value}",
                     "en": "Value of column {column} not understood: {value}"},
    "import.summary": {"id": "{total} baris: {valid} diterima, {invalid} ditolak, "
                              "{duplicate_file} ganda di berkas, {duplicate_store} sudah terdaftar",
                       "en": "{total} rows: {valid} accepted, {invalid} refused, "
                             "{duplicate_file} duplicates in the file, {duplicate_store} already registered"},
    "import.nothing_valid": {"id": "Tidak ada baris yang valid untuk diimpor",
                             "en": "No valid row to import"},
    "import.too_big": {"id": "Berkas terlalu besar ({size_mb} MB; paling besar {max_mb} MB). "
                              "Bagi daftar menjadi beberapa berkas",
                       "en": "The file is too large ({size_mb} MB; at most {max_mb} MB). "
                             "Split the list into several files"},
    "import.too_many_rows": {"id": "Daftar lebih dari {max} baris. Bagi menjadi beberapa berkas",
                             "en": "The list has more than {max} rows. Split it into several files"},
    "import.not_xlsx": {"id": "Berkas ini bukan buku kerja Excel (.xlsx) yang utuh. Buka di Excel, "
                               "lalu simpan sebagai Excel Workbook (.xlsx) atau CSV",
                        "en": "This file is not a complete Excel workbook (.xlsx). Open it in Excel, "
                              "then save it as Excel Workbook (.xlsx) or CSV"},
    "import.encoding": {"id": "Huruf dalam berkas tidak bisa dibaca (bukan UTF-8 atau Windows-1252). "
                               "Simpan ulang dari Excel sebagai CSV UTF-8",
                        "en": "The characters of the file cannot be read (neither UTF-8 nor "
                              "Windows-1252). Save it again from Excel as CSV UTF-8"},
    "import.nik_number": {"id": "NIK tersimpan sebagai angka di Excel, sehingga digit terakhirnya "
                                 "hilang ({value}). Format kolom nik sebagai Teks, ketik ulang NIK, "
                                 "lalu impor lagi",
                          "en": "The NIK is stored as a number in Excel, which lost its last digit "
                                "({value}). Format the nik column as Text, type the NIK again, "
                                "then import again"},
    "import.busy": {"id": "Impor lain sedang berjalan di perangkat ini. Tunggu sampai selesai",
                    "en": "Another import is running on this device. Wait until it finishes"},
    "import.conflict": {"id": "NIK {nik} (dan {count} NIK seluruhnya) baru saja didaftarkan di "
                               "perangkat ini, jadi tidak ada yang diimpor. Periksa berkas lagi, "
                               "lalu impor",
                        "en": "NIK {nik} ({count} NIKs in all) was just registered on this device, "
                              "so nothing was imported. Check the file again, then import"},
})
