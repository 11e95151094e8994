<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="id_ID" sourcelanguage="en">
    <context>
        <name>FirstUserDialog</name>
        <message>
            <source>Perisai Agent: first start</source>
            <translation>Perisai Agent: mulai pertama</translation>
        </message>
        <message>
            <source>Create the first user</source>
            <translation>Buat pengguna pertama</translation>
        </message>
        <message>
            <source>Nobody uses this laptop yet. Create the first account; it can add others later.</source>
            <translation>Laptop ini belum punya pengguna. Buat akun pertama; akun ini nanti dapat menambah pengguna lain.</translation>
        </message>
        <message>
            <source>&amp;Username</source>
            <translation>Nama &amp;pengguna</translation>
        </message>
        <message>
            <source>&amp;Full name</source>
            <translation>Nama &amp;lengkap</translation>
        </message>
        <message>
            <source>&amp;Role</source>
            <translation>Pe&amp;ran</translation>
        </message>
        <message>
            <source>&amp;Password</source>
            <translation>&amp;Kata sandi</translation>
        </message>
        <message>
            <source>Password &amp;again</source>
            <translation>Ulangi kata &amp;sandi</translation>
        </message>
        <message>
            <source>&amp;Kecamatan</source>
            <translation>Keca&amp;matan</translation>
        </message>
        <message>
            <source>K&amp;elurahan</source>
            <translation>K&amp;elurahan</translation>
        </message>
        <message>
            <source>Perisai agent</source>
            <translation>Agen Perisai</translation>
        </message>
        <message>
            <source>Cooperative clerk</source>
            <translation>Petugas koperasi</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Whole city</source>
            <translation>Seluruh kota</translation>
        </message>
        <message>
            <source>Whole kecamatan</source>
            <translation>Seluruh kecamatan</translation>
        </message>
        <message>
            <source>Create user</source>
            <translation>Buat pengguna</translation>
        </message>
        <message>
            <source>The two passwords are not the same.</source>
            <translation>Kedua kata sandi tidak sama.</translation>
        </message>
    </context>
    <context>
        <name>ImportPage</name>
        <message>
            <source>Import workers</source>
            <translation>Impor pekerja</translation>
        </message>
        <message>
            <source>Add many workers at once from an Excel or CSV file (for example the city's list of vulnerable workers). You see a check of every row before anything is saved.</source>
            <translation>Tambahkan banyak pekerja sekaligus dari berkas Excel atau CSV (misalnya daftar pekerja rentan dari Pemkot). Setiap baris diperiksa dan ditampilkan dulu sebelum ada yang disimpan.</translation>
        </message>
        <message>
            <source>Choose a file…</source>
            <translation>Pilih berkas…</translation>
        </message>
    </context>
    <context>
        <name>LockPage</name>
        <message>
            <source>Locked</source>
            <translation>Terkunci</translation>
        </message>
        <message>
            <source>%1 is signed in. Enter the password to continue; nothing you typed is lost.</source>
            <translation>%1 sedang masuk. Masukkan kata sandi untuk melanjutkan; isian Anda tidak hilang.</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Kata sandi</translation>
        </message>
        <message>
            <source>Unlock</source>
            <translation>Buka kunci</translation>
        </message>
        <message>
            <source>Wrong password.</source>
            <translation>Kata sandi salah.</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Perisai Agent · Program Makassar Berjasa</source>
            <translation>Perisai Agent · Program Makassar Berjasa</translation>
        </message>
        <message>
            <source>Find worker</source>
            <translation>Cari Pekerja</translation>
        </message>
        <message>
            <source>New registration</source>
            <translation>Daftar Baru</translation>
        </message>
        <message>
            <source>Import</source>
            <translation>Impor</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>Pengaturan</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>&amp;Berkas</translation>
        </message>
        <message>
            <source>&amp;Workers</source>
            <translation>&amp;Pekerja</translation>
        </message>
        <message>
            <source>&amp;Find worker</source>
            <translation>&amp;Cari pekerja</translation>
        </message>
        <message>
            <source>&amp;New registration</source>
            <translation>&amp;Daftar baru</translation>
        </message>
        <message>
            <source>&amp;Refresh</source>
            <translation>&amp;Muat ulang</translation>
        </message>
        <message>
            <source>&amp;Collect contribution</source>
            <translation>&amp;Terima iuran</translation>
        </message>
        <message>
            <source>&amp;Lock now</source>
            <translation>&amp;Kunci sekarang</translation>
        </message>
        <message>
            <source>&amp;Settings</source>
            <translation>&amp;Pengaturan</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>&amp;Keluar</translation>
        </message>
        <message>
            <source>Follow-up</source>
            <translation>Tindak Lanjut</translation>
        </message>
        <message>
            <source>My day</source>
            <translation>Hari Saya</translation>
        </message>
        <message>
            <source>Cash close-out</source>
            <translation>Tutup Kas</translation>
        </message>
        <message>
            <source>Reports</source>
            <translation>Laporan</translation>
        </message>
        <message>
            <source>Needs attention</source>
            <translation>Perlu Perhatian</translation>
        </message>
        <message>
            <source>S&amp;ync now</source>
            <translation>&amp;Sinkronkan sekarang</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>Ban&amp;tuan</translation>
        </message>
        <message>
            <source>&amp;About Perisai Agent</source>
            <translation>&amp;Tentang Perisai Agent</translation>
        </message>
        <message>
            <source>Sign in to the se&amp;rver…</source>
            <translation>Masuk ke se&amp;rver…</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>Keluar</translation>
        </message>
        <message>
            <source>The registration you have not finished is kept as a draft and comes back when you open New registration again.</source>
            <translation>Pendaftaran yang belum selesai disimpan sebagai draf dan muncul lagi saat Anda membuka Daftar Baru.</translation>
        </message>
        <message>
            <source>&amp;Quit, keep the draft</source>
            <translation>&amp;Keluar, simpan draf</translation>
        </message>
        <message>
            <source>Quit and &amp;throw it away</source>
            <translation>Keluar dan &amp;buang draf</translation>
        </message>
        <message>
            <source>&amp;Back to the form</source>
            <translation>Kembali ke &amp;formulir</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>Settings</source>
            <translation>Pengaturan</translation>
        </message>
    </context>
    <context>
        <name>SettingsPage</name>
        <message>
            <source>Settings</source>
            <translation>Pengaturan</translation>
        </message>
        <message>
            <source>&amp;Language</source>
            <translation>Ba&amp;hasa</translation>
        </message>
        <message>
            <source>&amp;Auto-lock after (minutes idle)</source>
            <translation>Kunci &amp;otomatis setelah (menit tidak aktif)</translation>
        </message>
        <message>
            <source> min</source>
            <translation> menit</translation>
        </message>
        <message>
            <source>The language is remembered for the signed-in user; the auto-lock time is the same for everyone on this laptop. Lock now with Ctrl+L.</source>
            <translation>Bahasa disimpan untuk pengguna yang sedang masuk; waktu kunci otomatis berlaku untuk semua pengguna di laptop ini. Kunci sekarang dengan Ctrl+L.</translation>
        </message>
        <message>
            <source>Office &amp;proxy</source>
            <translation>Pro&amp;xy kantor</translation>
        </message>
        <message>
            <source>empty: the system's proxy settings</source>
            <translation>kosong: pengaturan proxy sistem</translation>
        </message>
        <message>
            <source>Only when sync fails behind the office proxy: its address and port, e.g. proxy.kantor:8080 (ask IT support).</source>
            <translation>Hanya jika sinkronisasi gagal di balik proxy kantor: alamat dan port-nya, mis. proxy.kantor:8080 (tanyakan ke dukungan TI).</translation>
        </message>
        <message>
            <source>Not a proxy address: write its name or IP address and port, e.g. proxy.kantor:8080.</source>
            <translation>Bukan alamat proxy: tulis nama atau alamat IP dan port-nya, mis. proxy.kantor:8080.</translation>
        </message>
        <message>
            <source>Receipt pri&amp;nter</source>
            <translation>Printer k&amp;uitansi</translation>
        </message>
        <message>
            <source>Receipt pape&amp;r</source>
            <translation>K&amp;ertas kuitansi</translation>
        </message>
        <message>
            <source>System default printer</source>
            <translation>Printer bawaan sistem</translation>
        </message>
    </context>
    <context>
        <name>SignInDialog</name>
        <message>
            <source>Perisai Agent: sign in</source>
            <translation>Perisai Agent: masuk</translation>
        </message>
        <message>
            <source>Sign in</source>
            <translation>Masuk</translation>
        </message>
        <message>
            <source>&amp;Username</source>
            <translation>Nama &amp;pengguna</translation>
        </message>
        <message>
            <source>&amp;Password</source>
            <translation>&amp;Kata sandi</translation>
        </message>
        <message>
            <source>Enter your username and password.</source>
            <translation>Isi nama pengguna dan kata sandi.</translation>
        </message>
    </context>
    <context>
        <name>StatusBar</name>
        <message>
            <source>Signed in: %1 (%2)</source>
            <translation>Masuk sebagai: %1 (%2)</translation>
        </message>
        <message>
            <source>Pending: …</source>
            <translation>Menunggu dikirim: …</translation>
        </message>
        <message>
            <source>Waiting to send: %1</source>
            <translation>Menunggu dikirim: %1</translation>
        </message>
        <message>
            <source>Never synced</source>
            <translation>Belum pernah sinkron</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>Luring (offline)</translation>
        </message>
        <message>
            <source>Syncing…</source>
            <translation>Sedang sinkron…</translation>
        </message>
        <message>
            <source>Up to date</source>
            <translation>Sudah sinkron</translation>
        </message>
        <message>
            <source>Sync problem</source>
            <translation>Masalah sinkron</translation>
        </message>
        <message>
            <source>Last sync: %1</source>
            <translation>Sinkron terakhir: %1</translation>
        </message>
        <message>
            <source>Version %1 is available</source>
            <translation>Versi %1 tersedia</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batalkan</translation>
        </message>
        <message>
            <source>Stop this sync; nothing is lost.</source>
            <translation>Hentikan sinkron ini; tidak ada yang hilang.</translation>
        </message>
        <message>
            <source>Sign in to the server…</source>
            <translation>Masuk ke server…</translation>
        </message>
        <message>
            <source>Sync cancelled</source>
            <translation>Sinkron dibatalkan</translation>
        </message>
        <message>
            <source>Changes wait for the next sync</source>
            <translation>Perubahan menunggu sinkron berikutnya</translation>
        </message>
        <message>
            <source>(%1 s)</source>
            <translation>(%1 dtk)</translation>
        </message>
    </context>
    <context>
        <name>WorkerListModel</name>
        <message>
            <source>Name</source>
            <translation>Nama</translation>
        </message>
        <message>
            <source>NIK</source>
            <translation>NIK</translation>
        </message>
        <message>
            <source>Kelurahan</source>
            <translation>Kelurahan</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>Telepon</translation>
        </message>
        <message>
            <source>Coverage</source>
            <translation>Status cakupan</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>Sinkron</translation>
        </message>
        <message>
            <source>KPJ</source>
            <translation>KPJ</translation>
        </message>
        <message>
            <source>Not sent yet</source>
            <translation>Belum terkirim</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>Terkirim</translation>
        </message>
        <message>
            <source>Rejected</source>
            <translation>Ditolak</translation>
        </message>
        <message>
            <source>Needs review</source>
            <translation>Perlu diperiksa</translation>
        </message>
    </context>
    <context>
        <name>WorkerListPage</name>
        <message>
            <source>Find a worker</source>
            <translation>Cari pekerja</translation>
        </message>
        <message>
            <source>Type a name, NIK or phone number (Ctrl+F)</source>
            <translation>Ketik nama, NIK atau nomor telepon (Ctrl+F)</translation>
        </message>
        <message>
            <source>All kecamatan</source>
            <translation>Semua kecamatan</translation>
        </message>
        <message>
            <source>All kelurahan</source>
            <translation>Semua kelurahan</translation>
        </message>
        <message>
            <source>Any coverage</source>
            <translation>Semua cakupan</translation>
        </message>
        <message>
            <source>Any sync state</source>
            <translation>Semua sinkron</translation>
        </message>
        <message>
            <source>Kecamatan</source>
            <translation>Kecamatan</translation>
        </message>
        <message>
            <source>Kelurahan</source>
            <translation>Kelurahan</translation>
        </message>
        <message>
            <source>Coverage status</source>
            <translation>Status cakupan</translation>
        </message>
        <message>
            <source>Sync state</source>
            <translation>Status sinkron</translation>
        </message>
        <message>
            <source>%1 workers</source>
            <translation>%1 pekerja</translation>
        </message>
        <message>
            <source>More than %1 workers: type more to narrow the search</source>
            <translation>Lebih dari %1 pekerja: ketik lebih banyak untuk mempersempit pencarian</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>Aktif</translation>
        </message>
        <message>
            <source>In arrears (1–3 months)</source>
            <translation>Menunggak (1–3 bulan)</translation>
        </message>
        <message>
            <source>Inactive</source>
            <translation>Tidak aktif</translation>
        </message>
        <message>
            <source>Never paid</source>
            <translation>Belum pernah bayar</translation>
        </message>
    </context>
    <context>
        <name>WorkerPage</name>
        <message>
            <source>Paid</source>
            <translation>Lunas</translation>
        </message>
        <message>
            <source>Not paid</source>
            <translation>Belum bayar</translation>
        </message>
        <message>
            <source>Voided</source>
            <translation>Dibatalkan</translation>
        </message>
        <message>
            <source>Not due yet</source>
            <translation>Belum jatuh tempo</translation>
        </message>
        <message>
            <source>Before registration</source>
            <translation>Sebelum terdaftar</translation>
        </message>
        <message>
            <source>← Back to list</source>
            <translation>← Kembali ke daftar</translation>
        </message>
        <message>
            <source>Collect contribution (Ctrl+P)</source>
            <translation>Terima iuran (Ctrl+P)</translation>
        </message>
        <message>
            <source>Void payment</source>
            <translation>Batalkan pembayaran</translation>
        </message>
        <message>
            <source>Reprint receipt</source>
            <translation>Cetak ulang kuitansi</translation>
        </message>
        <message>
            <source>Profile</source>
            <translation>Profil</translation>
        </message>
        <message>
            <source>Paid months</source>
            <translation>Bulan terbayar</translation>
        </message>
        <message>
            <source>Payments</source>
            <translation>Pembayaran</translation>
        </message>
        <message>
            <source>History of changes</source>
            <translation>Riwayat perubahan</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Nama</translation>
        </message>
        <message>
            <source>NIK</source>
            <translation>NIK</translation>
        </message>
        <message>
            <source>KPJ</source>
            <translation>KPJ</translation>
        </message>
        <message>
            <source>Birth date</source>
            <translation>Tanggal lahir</translation>
        </message>
        <message>
            <source>Sex</source>
            <translation>Jenis kelamin</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>Telepon</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>Alamat</translation>
        </message>
        <message>
            <source>Kelurahan</source>
            <translation>Kelurahan</translation>
        </message>
        <message>
            <source>Occupation</source>
            <translation>Pekerjaan</translation>
        </message>
        <message>
            <source>Declared income</source>
            <translation>Penghasilan (dilaporkan)</translation>
        </message>
        <message>
            <source>Programmes</source>
            <translation>Program</translation>
        </message>
        <message>
            <source>Registered</source>
            <translation>Terdaftar</translation>
        </message>
        <message>
            <source>Coverage</source>
            <translation>Status cakupan</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>Sinkron</translation>
        </message>
        <message>
            <source>Date</source>
            <translation>Tanggal</translation>
        </message>
        <message>
            <source>Receipt no.</source>
            <translation>No. kuitansi</translation>
        </message>
        <message>
            <source>Months</source>
            <translation>Bulan</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>Jumlah</translation>
        </message>
        <message>
            <source>Method</source>
            <translation>Cara bayar</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Keterangan</translation>
        </message>
        <message>
            <source>When</source>
            <translation>Waktu</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>Oleh</translation>
        </message>
        <message>
            <source>What</source>
            <translation>Perubahan</translation>
        </message>
        <message>
            <source>This worker is no longer on this device.</source>
            <translation>Pekerja ini sudah tidak ada di perangkat ini.</translation>
        </message>
        <message>
            <source>paid through %1</source>
            <translation>lunas s.d. %1</translation>
        </message>
        <message>
            <source>not assigned yet (after sync)</source>
            <translation>belum ada (setelah sinkron)</translation>
        </message>
        <message>
            <source>Female</source>
            <translation>Perempuan</translation>
        </message>
        <message>
            <source>Male</source>
            <translation>Laki-laki</translation>
        </message>
        <message>
            <source>Not sent yet</source>
            <translation>Belum terkirim</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>Terkirim</translation>
        </message>
        <message>
            <source>Rejected by the server</source>
            <translation>Ditolak server</translation>
        </message>
        <message>
            <source>Needs review</source>
            <translation>Perlu diperiksa</translation>
        </message>
        <message>
            <source>Cash</source>
            <translation>Tunai</translation>
        </message>
        <message>
            <source>QRIS</source>
            <translation>QRIS</translation>
        </message>
        <message>
            <source>Transfer</source>
            <translation>Transfer</translation>
        </message>
        <message>
            <source>Reversal of %1: %2</source>
            <translation>Pembatalan %1: %2</translation>
        </message>
        <message>
            <source>Registered on this device</source>
            <translation>Didaftarkan di perangkat ini</translation>
        </message>
        <message>
            <source>Data changed</source>
            <translation>Data diubah</translation>
        </message>
        <message>
            <source>Updated from the server</source>
            <translation>Diperbarui dari server</translation>
        </message>
        <message>
            <source>Contribution collected</source>
            <translation>Iuran diterima</translation>
        </message>
        <message>
            <source>Payment voided</source>
            <translation>Pembayaran dibatalkan</translation>
        </message>
        <message>
            <source>Exported</source>
            <translation>Diekspor</translation>
        </message>
        <message>
            <source>Correct data…</source>
            <translation>Koreksi data…</translation>
        </message>
        <message>
            <source>Copy of data (PDF)…</source>
            <translation>Salinan data (PDF)…</translation>
        </message>
        <message>
            <source>Deletion request…</source>
            <translation>Permintaan hapus…</translation>
        </message>
        <message>
            <source>Copy saved: %1</source>
            <translation>Salinan disimpan: %1</translation>
        </message>
        <message>
            <source>Only a supervisor can void another person's payment or one from an earlier day.</source>
            <translation>Hanya supervisor yang dapat membatalkan pembayaran milik orang lain atau dari hari sebelumnya.</translation>
        </message>
        <message>
            <source>Recorded on another device: here it can only be viewed.</source>
            <translation>Dicatat di perangkat lain: di sini hanya bisa dilihat.</translation>
        </message>
        <message>
            <source> (payment voided)</source>
            <translation> (pembayaran dibatalkan)</translation>
        </message>
    </context>
    <context>
        <name>QPlatformTheme</name>
        <message>
            <source>OK</source>
            <translation>OK</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>Simpan</translation>
        </message>
        <message>
            <source>Save All</source>
            <translation>Simpan semua</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Buka</translation>
        </message>
        <message>
            <source>&amp;Yes</source>
            <translation>&amp;Ya</translation>
        </message>
        <message>
            <source>Yes to &amp;All</source>
            <translation>Ya untuk &amp;semua</translation>
        </message>
        <message>
            <source>&amp;No</source>
            <translation>&amp;Tidak</translation>
        </message>
        <message>
            <source>N&amp;o to All</source>
            <translation>T&amp;idak untuk semua</translation>
        </message>
        <message>
            <source>Abort</source>
            <translation>Hentikan</translation>
        </message>
        <message>
            <source>Retry</source>
            <translation>Coba lagi</translation>
        </message>
        <message>
            <source>Ignore</source>
            <translation>Abaikan</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Tutup</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Discard</source>
            <translation>Buang</translation>
        </message>
        <message>
            <source>Help</source>
            <translation>Bantuan</translation>
        </message>
        <message>
            <source>Apply</source>
            <translation>Terapkan</translation>
        </message>
        <message>
            <source>Reset</source>
            <translation>Atur ulang</translation>
        </message>
        <message>
            <source>Restore Defaults</source>
            <translation>Kembalikan bawaan</translation>
        </message>
        <message>
            <source>Don't Save</source>
            <translation>Jangan simpan</translation>
        </message>
        <message>
            <source>Close without Saving</source>
            <translation>Tutup tanpa menyimpan</translation>
        </message>
    </context>
    <context>
        <name>QLineEdit</name>
        <message>
            <source>&amp;Undo</source>
            <translation>&amp;Urungkan</translation>
        </message>
        <message>
            <source>&amp;Redo</source>
            <translation>&amp;Ulangi</translation>
        </message>
        <message>
            <source>Cu&amp;t</source>
            <translation>Po&amp;tong</translation>
        </message>
        <message>
            <source>&amp;Copy</source>
            <translation>&amp;Salin</translation>
        </message>
        <message>
            <source>&amp;Paste</source>
            <translation>T&amp;empel</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Hapus</translation>
        </message>
        <message>
            <source>Select All</source>
            <translation>Pilih semua</translation>
        </message>
    </context>
    <context>
        <name>QWidgetTextControl</name>
        <message>
            <source>&amp;Undo</source>
            <translation>&amp;Urungkan</translation>
        </message>
        <message>
            <source>&amp;Redo</source>
            <translation>&amp;Ulangi</translation>
        </message>
        <message>
            <source>Cu&amp;t</source>
            <translation>Po&amp;tong</translation>
        </message>
        <message>
            <source>&amp;Copy</source>
            <translation>&amp;Salin</translation>
        </message>
        <message>
            <source>Copy &amp;Link Location</source>
            <translation>Salin &amp;alamat tautan</translation>
        </message>
        <message>
            <source>&amp;Paste</source>
            <translation>T&amp;empel</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Hapus</translation>
        </message>
        <message>
            <source>Select All</source>
            <translation>Pilih semua</translation>
        </message>
    </context>
    <context>
        <name>DataCopyDialog</name>
        <message>
            <source>Copy of participant data</source>
            <translation>Salinan data peserta</translation>
        </message>
        <message>
            <source>A PDF with everything this device holds about the participant: personal data, consent, contributions and who processed the data. Give it to the participant only; the full NIK is printed on it. Making the copy is recorded in the audit log.</source>
            <translation>PDF berisi semua data peserta yang tersimpan di perangkat ini: data pribadi, persetujuan, iuran, dan siapa yang memproses data. Berikan hanya kepada peserta yang bersangkutan; NIK lengkap tercetak di dalamnya. Pembuatan salinan dicatat di log audit.</translation>
        </message>
        <message>
            <source>&amp;Save PDF…</source>
            <translation>&amp;Simpan PDF…</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Tutup</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Save the copy as</source>
            <translation>Simpan salinan sebagai</translation>
        </message>
        <message>
            <source>PDF files (*.pdf)</source>
            <translation>Berkas PDF (*.pdf)</translation>
        </message>
        <message>
            <source>Preparing the copy…</source>
            <translation>Menyiapkan salinan…</translation>
        </message>
        <message>
            <source>Saved: %1</source>
            <translation>Tersimpan: %1</translation>
        </message>
    </context>
    <context>
        <name>CorrectionDialog</name>
        <message>
            <source>Correct participant data</source>
            <translation>Koreksi data peserta</translation>
        </message>
        <message>
            <source>&amp;NIK</source>
            <translation>&amp;NIK</translation>
        </message>
        <message>
            <source>&amp;Birth date</source>
            <translation>&amp;Tanggal lahir</translation>
        </message>
        <message>
            <source>Se&amp;x</source>
            <translation>&amp;Jenis kelamin</translation>
        </message>
        <message>
            <source>&amp;Full name</source>
            <translation>Nama &amp;lengkap</translation>
        </message>
        <message>
            <source>&amp;Mobile phone</source>
            <translation>Nomor &amp;HP</translation>
        </message>
        <message>
            <source>&amp;Address</source>
            <translation>Ala&amp;mat</translation>
        </message>
        <message>
            <source>&amp;Kelurahan</source>
            <translation>&amp;Kelurahan</translation>
        </message>
        <message>
            <source>Monthly &amp;income (Rp)</source>
            <translation>&amp;Penghasilan sebulan (Rp)</translation>
        </message>
        <message>
            <source>&amp;Heir</source>
            <translation>Ahli &amp;waris</translation>
        </message>
        <message>
            <source>Heir's &amp;relation</source>
            <translation>Hubungan ahli wa&amp;ris</translation>
        </message>
        <message>
            <source>Male</source>
            <translation>Laki-laki</translation>
        </message>
        <message>
            <source>Female</source>
            <translation>Perempuan</translation>
        </message>
        <message>
            <source>R&amp;eason for the correction</source>
            <translation>&amp;Alasan koreksi</translation>
        </message>
        <message>
            <source>e.g. the participant showed their KTP</source>
            <translation>mis. peserta menunjukkan KTP</translation>
        </message>
        <message>
            <source>&amp;Save correction</source>
            <translation>&amp;Simpan koreksi</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Fix and resubmit</source>
            <translation>Perbaiki dan kirim ulang</translation>
        </message>
        <message>
            <source>&amp;Save and resubmit</source>
            <translation>&amp;Simpan dan kirim ulang</translation>
        </message>
        <message>
            <source>The server's reason: %1</source>
            <translation>Alasan dari server: %1</translation>
        </message>
        <message>
            <source>NIK, birth date and sex: the centre decides after sync (see Needs attention).</source>
            <translation>Koreksi NIK, tanggal lahir atau jenis kelamin diputuskan pusat setelah sinkron (lihat Perlu Perhatian).</translation>
        </message>
    </context>
    <context>
        <name>DeletionRequestDialog</name>
        <message>
            <source>Deletion request</source>
            <translation>Permintaan penghapusan</translation>
        </message>
        <message>
            <source>The participant asks that their personal data be deleted. The request is sent to the central office, which decides and carries it out; until then the record stays. Payments are financial records the law requires to be kept.</source>
            <translation>Peserta meminta agar data pribadinya dihapus. Permintaan ini dikirim ke kantor pusat yang memutuskan dan melaksanakannya; sampai saat itu data tetap tersimpan. Pembayaran adalah catatan keuangan yang wajib disimpan menurut hukum.</translation>
        </message>
        <message>
            <source>&amp;Reason given by the participant</source>
            <translation>&amp;Alasan dari peserta</translation>
        </message>
        <message>
            <source>The &amp;participant asked for this in person</source>
            <translation>&amp;Peserta sendiri yang meminta secara langsung</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Tick the box: only the participant may ask.</source>
            <translation>Centang kotaknya: hanya peserta sendiri yang boleh meminta.</translation>
        </message>
        <message>
            <source>Rec&amp;ord request</source>
            <translation>&amp;Catat permintaan</translation>
        </message>
    </context>
    <context>
        <name>ParticipantCopy</name>
        <message>
            <source>Registered</source>
            <translation>Didaftarkan</translation>
        </message>
        <message>
            <source>Record opened</source>
            <translation>Data dibuka</translation>
        </message>
        <message>
            <source>Data corrected</source>
            <translation>Data dikoreksi</translation>
        </message>
        <message>
            <source>Deletion requested</source>
            <translation>Penghapusan diminta</translation>
        </message>
        <message>
            <source>Contribution received</source>
            <translation>Iuran diterima</translation>
        </message>
        <message>
            <source>Payment voided</source>
            <translation>Pembayaran dibatalkan</translation>
        </message>
        <message>
            <source>Copy of the data given</source>
            <translation>Salinan data diberikan</translation>
        </message>
        <message>
            <source>Male</source>
            <translation>Laki-laki</translation>
        </message>
        <message>
            <source>Female</source>
            <translation>Perempuan</translation>
        </message>
        <message>
            <source>Full name</source>
            <translation>Nama lengkap</translation>
        </message>
        <message>
            <source>NIK</source>
            <translation>NIK</translation>
        </message>
        <message>
            <source>KPJ membership number</source>
            <translation>Nomor kepesertaan KPJ</translation>
        </message>
        <message>
            <source>not yet assigned</source>
            <translation>belum diterbitkan</translation>
        </message>
        <message>
            <source>Birth date</source>
            <translation>Tanggal lahir</translation>
        </message>
        <message>
            <source>Sex</source>
            <translation>Jenis kelamin</translation>
        </message>
        <message>
            <source>Mobile phone</source>
            <translation>Nomor HP</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>Alamat</translation>
        </message>
        <message>
            <source>Kelurahan / kecamatan</source>
            <translation>Kelurahan / kecamatan</translation>
        </message>
        <message>
            <source>Occupations</source>
            <translation>Pekerjaan</translation>
        </message>
        <message>
            <source>Declared monthly income</source>
            <translation>Penghasilan sebulan yang dilaporkan</translation>
        </message>
        <message>
            <source>Programmes and who pays</source>
            <translation>Program dan sumber iuran</translation>
        </message>
        <message>
            <source>Welfare decile (DTSEN)</source>
            <translation>Desil kesejahteraan (DTSEN)</translation>
        </message>
        <message>
            <source>Disability</source>
            <translation>Disabilitas</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>ya</translation>
        </message>
        <message>
            <source>no</source>
            <translation>tidak</translation>
        </message>
        <message>
            <source>Heir</source>
            <translation>Ahli waris</translation>
        </message>
        <message>
            <source>Covered from</source>
            <translation>Terlindungi sejak</translation>
        </message>
        <message>
            <source>Paid through</source>
            <translation>Lunas sampai</translation>
        </message>
        <message>
            <source>Version</source>
            <translation>Versi</translation>
        </message>
        <message>
            <source>recorded by</source>
            <translation>dicatat oleh</translation>
        </message>
        <message>
            <source>voided</source>
            <translation>dibatalkan</translation>
        </message>
        <message>
            <source>Receipt</source>
            <translation>Kuitansi</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>Waktu</translation>
        </message>
        <message>
            <source>Months</source>
            <translation>Bulan</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>Jumlah</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Catatan</translation>
        </message>
        <message>
            <source>No payments recorded on this device.</source>
            <translation>Belum ada pembayaran tercatat di perangkat ini.</translation>
        </message>
        <message>
            <source>A deletion request was recorded on</source>
            <translation>Permintaan penghapusan dicatat pada</translation>
        </message>
        <message>
            <source>Copy of personal data</source>
            <translation>Salinan data pribadi</translation>
        </message>
        <message>
            <source>BPJS Ketenagakerjaan participant (BPU), as held on this Perisai device. Given at the participant’s request under Law 27/2022 on Personal Data Protection.</source>
            <translation>Peserta BPJS Ketenagakerjaan (BPU), sebagaimana tersimpan di perangkat Perisai ini. Diberikan atas permintaan peserta berdasarkan UU 27/2022 tentang Pelindungan Data Pribadi.</translation>
        </message>
        <message>
            <source>Made on</source>
            <translation>Dibuat pada</translation>
        </message>
        <message>
            <source>by</source>
            <translation>oleh</translation>
        </message>
        <message>
            <source>Personal data</source>
            <translation>Data pribadi</translation>
        </message>
        <message>
            <source>Consent</source>
            <translation>Persetujuan</translation>
        </message>
        <message>
            <source>Contributions</source>
            <translation>Iuran</translation>
        </message>
        <message>
            <source>Processing history</source>
            <translation>Riwayat pemrosesan</translation>
        </message>
        <message>
            <source>What</source>
            <translation>Apa</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>Siapa</translation>
        </message>
        <message>
            <source>Your rights</source>
            <translation>Hak Anda</translation>
        </message>
        <message>
            <source>You may ask for a correction of wrong data or for deletion. Why we hold these data: to register you in BPJS Ketenagakerjaan and record your contributions. Payments are financial records that must be kept by law.</source>
            <translation>Anda boleh meminta koreksi data yang salah atau penghapusan. Mengapa data ini kami simpan: untuk mendaftarkan Anda di BPJS Ketenagakerjaan dan mencatat iuran Anda. Pembayaran adalah catatan keuangan yang wajib disimpan menurut hukum.</translation>
        </message>
    </context>
    <context>
        <name>SyncController</name>
        <message>
            <source>Sending and receiving changes…</source>
            <translation>Mengirim dan menerima perubahan…</translation>
        </message>
        <message>
            <source>Sending %1 of %2…</source>
            <translation>Mengirim %1 dari %2…</translation>
        </message>
        <message>
            <source>Unexpected error during sync; see the log.</source>
            <translation>Terjadi kesalahan tak terduga saat sinkronisasi; lihat log.</translation>
        </message>
        <message>
            <source>Sent %1, received %2.</source>
            <translation>Terkirim %1, diterima %2.</translation>
        </message>
        <message>
            <source>%1 need attention.</source>
            <translation>%1 perlu perhatian.</translation>
        </message>
        <message>
            <source>Server not reachable; the data stays on this laptop. Next try in %1 s.</source>
            <translation>Server tidak dapat dihubungi; data tetap tersimpan di laptop ini. Dicoba lagi dalam %1 detik.</translation>
        </message>
        <message>
            <source>Sign in again while online to continue syncing.</source>
            <translation>Masuk lagi saat online untuk melanjutkan sinkronisasi.</translation>
        </message>
        <message>
            <source>This version is too old; install the update. Unsent data stays on this laptop.</source>
            <translation>Versi ini terlalu lama; pasang pembaruan. Data yang belum terkirim tetap tersimpan di laptop ini.</translation>
        </message>
        <message>
            <source>Sync problem: %1</source>
            <translation>Masalah sinkronisasi: %1</translation>
        </message>
        <message>
            <source>Sync cancelled; nothing is lost. It runs again with "Sync now" or in a few minutes.</source>
            <translation>Sinkron dibatalkan; tidak ada yang hilang. Sinkron berjalan lagi dengan "Sinkronkan sekarang" atau beberapa menit lagi.</translation>
        </message>
    </context>
    <context>
        <name>AttentionPage</name>
        <message>
            <source>Needs attention</source>
            <translation>Perlu perhatian</translation>
        </message>
        <message>
            <source>Nothing needs attention: the server accepted everything sent.</source>
            <translation>Tidak ada yang perlu perhatian: server menerima semua yang dikirim.</translation>
        </message>
        <message>
            <source>Fix and resubmit</source>
            <translation>Perbaiki dan kirim ulang</translation>
        </message>
        <message>
            <source>Void payment</source>
            <translation>Batalkan</translation>
        </message>
        <message>
            <source>Mark as read</source>
            <translation>Tandai sudah dibaca</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Muat ulang</translation>
        </message>
        <message>
            <source>Record</source>
            <translation>Data</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>Perubahan</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Server's reason</source>
            <translation>Alasan dari server</translation>
        </message>
        <message>
            <source>Registration</source>
            <translation>Pendaftaran</translation>
        </message>
        <message>
            <source>Correction</source>
            <translation>Perbaikan</translation>
        </message>
        <message>
            <source>Payment</source>
            <translation>Pembayaran</translation>
        </message>
        <message>
            <source>Void</source>
            <translation>Pembatalan</translation>
        </message>
        <message>
            <source>Rejected</source>
            <translation>Ditolak</translation>
        </message>
        <message>
            <source>In review</source>
            <translation>Sedang diperiksa</translation>
        </message>
        <message>
            <source>Why is receipt %1 voided? (at least 5 characters)</source>
            <translation>Mengapa kuitansi %1 dibatalkan? (minimal 5 karakter)</translation>
        </message>
    </context>
    <context>
        <name>ImportDialog</name>
        <message>
            <source>Import workers</source>
            <translation>Impor data pekerja</translation>
        </message>
        <message>
            <source>&amp;Choose file…</source>
            <translation>&amp;Pilih berkas…</translation>
        </message>
        <message>
            <source>No file chosen (CSV or XLSX)</source>
            <translation>Belum ada berkas (CSV atau XLSX)</translation>
        </message>
        <message>
            <source>Columns: nik, nama, tanggal_lahir, jenis_kelamin, alamat, kelurahan, pekerjaan, penghasilan, persetujuan (and optional ones). Every row is checked like the registration form; only valid rows are imported, all in one go.</source>
            <translation>Kolom: nik, nama, tanggal_lahir, jenis_kelamin, alamat, kelurahan, pekerjaan, penghasilan, persetujuan (dan kolom tambahan). Setiap baris diperiksa seperti formulir pendaftaran; hanya baris yang benar yang diimpor, sekaligus.</translation>
        </message>
        <message>
            <source>Save &amp;report (CSV)…</source>
            <translation>Simpan &amp;laporan (CSV)…</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Tutup</translation>
        </message>
        <message>
            <source>Checking the rows…</source>
            <translation>Memeriksa baris…</translation>
        </message>
        <message>
            <source>%1 workers imported.</source>
            <translation>%1 pekerja diimpor.</translation>
        </message>
        <message>
            <source>&amp;Import %1 valid rows</source>
            <translation>&amp;Impor %1 baris yang benar</translation>
        </message>
        <message>
            <source>Importing…</source>
            <translation>Mengimpor…</translation>
        </message>
        <message>
            <source>Checking the rows… %1</source>
            <translation>Memeriksa baris… %1</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Cancelled: nothing was imported.</source>
            <translation>Dibatalkan: tidak ada yang diimpor.</translation>
        </message>
        <message>
            <source>Report saved: %1</source>
            <translation>Laporan tersimpan: %1</translation>
        </message>
        <message>
            <source>Choose the list to import</source>
            <translation>Pilih daftar yang akan diimpor</translation>
        </message>
        <message>
            <source>Worker lists (*.csv *.xlsx)</source>
            <translation>Daftar pekerja (*.csv *.xlsx)</translation>
        </message>
        <message>
            <source>Save the import report</source>
            <translation>Simpan laporan impor</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>Berkas CSV (*.csv)</translation>
        </message>
    </context>
    <context>
        <name>ImportReportModel</name>
        <message>
            <source>Valid</source>
            <translation>Benar</translation>
        </message>
        <message>
            <source>Invalid</source>
            <translation>Ditolak</translation>
        </message>
        <message>
            <source>Duplicate in file</source>
            <translation>Ganda di berkas</translation>
        </message>
        <message>
            <source>Already on this device</source>
            <translation>Sudah ada di perangkat ini</translation>
        </message>
        <message>
            <source>Row</source>
            <translation>Baris</translation>
        </message>
        <message>
            <source>NIK</source>
            <translation>NIK</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Nama</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>Keterangan</translation>
        </message>
    </context>
    <context>
        <name>KelurahanPicker</name>
        <message>
            <source>Kecamatan %1</source>
            <translation>Kecamatan %1</translation>
        </message>
    </context>
    <context>
        <name>OccupationPicker</name>
        <message>
            <source>None chosen (tick 1 or 2 with Space)</source>
            <translation>Belum dipilih (centang 1 atau 2 dengan Spasi)</translation>
        </message>
        <message>
            <source>Main: %1</source>
            <translation>Utama: %1</translation>
        </message>
        <message>
            <source>also: %1</source>
            <translation>juga: %1</translation>
        </message>
    </context>
    <context>
        <name>PaymentDialog</name>
        <message>
            <source>paid through %1</source>
            <translation>lunas s.d. %1</translation>
        </message>
        <message>
            <source>Collect contribution</source>
            <translation>Terima iuran</translation>
        </message>
        <message>
            <source>Months to pay</source>
            <translation>Bulan yang dibayar</translation>
        </message>
        <message>
            <source>Paid months as known on this laptop; payments made at a bank or shop may not show until the next sync.</source>
            <translation>Bulan terbayar menurut data di laptop ini; pembayaran di bank atau toko mungkin baru terlihat setelah sinkronisasi berikutnya.</translation>
        </message>
        <message>
            <source>&amp;%1 month(s)</source>
            <translation>&amp;%1 bulan</translation>
        </message>
        <message>
            <source>%1 month(s)</source>
            <translation>%1 bulan</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>Jumlah</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>Total</translation>
        </message>
        <message>
            <source>Payment method</source>
            <translation>Cara bayar</translation>
        </message>
        <message>
            <source>Cash</source>
            <translation>Tunai</translation>
        </message>
        <message>
            <source>QRIS</source>
            <translation>QRIS</translation>
        </message>
        <message>
            <source>Transfer</source>
            <translation>Transfer</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Save payment</source>
            <translation>Simpan pembayaran</translation>
        </message>
        <message>
            <source>Payment saved</source>
            <translation>Pembayaran tersimpan</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Tutup</translation>
        </message>
        <message>
            <source>Loading…</source>
            <translation>Memuat…</translation>
        </message>
        <message>
            <source>NIK %1 · %2</source>
            <translation>NIK %1 · %2</translation>
        </message>
        <message>
            <source>Includes arrears: %1</source>
            <translation>Termasuk tunggakan: %1</translation>
        </message>
        <message>
            <source>Includes the contribution discount (%1).</source>
            <translation>Sudah termasuk keringanan iuran (%1).</translation>
        </message>
    </context>
    <context>
        <name>ReceiptOutput</name>
        <message>
            <source>Save receipt as PDF</source>
            <translation>Simpan kuitansi sebagai PDF</translation>
        </message>
        <message>
            <source>PDF files (*.pdf)</source>
            <translation>Berkas PDF (*.pdf)</translation>
        </message>
        <message>
            <source>&amp;Paper:</source>
            <translation>&amp;Kertas:</translation>
        </message>
        <message>
            <source>A4</source>
            <translation>A4</translation>
        </message>
        <message>
            <source>Thermal 80 mm</source>
            <translation>Termal 80 mm</translation>
        </message>
        <message>
            <source>Thermal 58 mm</source>
            <translation>Termal 58 mm</translation>
        </message>
        <message>
            <source>Print receipt</source>
            <translation>Cetak kuitansi</translation>
        </message>
        <message>
            <source>Save PDF</source>
            <translation>Simpan PDF</translation>
        </message>
        <message>
            <source>Receipt printed.</source>
            <translation>Kuitansi sudah dicetak.</translation>
        </message>
        <message>
            <source>Saved: %1</source>
            <translation>Tersimpan: %1</translation>
        </message>
    </context>
    <context>
        <name>RegistrationPage</name>
        <message>
            <source>Register a new participant</source>
            <translation>Pendaftaran peserta baru</translation>
        </message>
        <message>
            <source>Identity</source>
            <translation>Identitas</translation>
        </message>
        <message>
            <source>Work and programmes</source>
            <translation>Pekerjaan dan program</translation>
        </message>
        <message>
            <source>&amp;NIK</source>
            <translation>&amp;NIK</translation>
        </message>
        <message>
            <source>&amp;Birth date</source>
            <translation>Tanggal &amp;lahir</translation>
        </message>
        <message>
            <source>Se&amp;x</source>
            <translation>Jenis &amp;kelamin</translation>
        </message>
        <message>
            <source>A&amp;ddress</source>
            <translation>&amp;Alamat</translation>
        </message>
        <message>
            <source>&amp;Kelurahan</source>
            <translation>Kel&amp;urahan</translation>
        </message>
        <message>
            <source>Heir's re&amp;lationship</source>
            <translation>Hubungan ahli wa&amp;ris</translation>
        </message>
        <message>
            <source>&amp;Occupations (max. 2)</source>
            <translation>Peker&amp;jaan (maks. 2)</translation>
        </message>
        <message>
            <source>Monthly &amp;income (Rp)</source>
            <translation>Pen&amp;ghasilan per bulan (Rp)</translation>
        </message>
        <message>
            <source>Desil source</source>
            <translation>Sumber data desil</translation>
        </message>
        <message>
            <source>Desil date</source>
            <translation>Tanggal data desil</translation>
        </message>
        <message>
            <source>Disabilit&amp;y</source>
            <translation>Disab&amp;ilitas</translation>
        </message>
        <message>
            <source>Male</source>
            <translation>Laki-laki</translation>
        </message>
        <message>
            <source>Female</source>
            <translation>Perempuan</translation>
        </message>
        <message>
            <source>Type to search, e.g. Bitowa</source>
            <translation>Ketik untuk mencari, mis. Bitowa</translation>
        </message>
        <message>
            <source>Self-funded (Mandiri)</source>
            <translation>Mandiri</translation>
        </message>
        <message>
            <source>City budget (APBD Kota)</source>
            <translation>APBD Kota</translation>
        </message>
        <message>
            <source>Village fund (Dana Desa)</source>
            <translation>Dana Desa</translation>
        </message>
        <message>
            <source>CSR / donor</source>
            <translation>CSR / Donatur</translation>
        </message>
        <message>
            <source>JHT is mandatory for a business owner who employs others: it has been switched on.</source>
            <translation>JHT wajib untuk pemilik usaha yang mempekerjakan orang lain: JHT sudah diaktifkan.</translation>
        </message>
        <message>
            <source>e.g. DTSEN list of the city</source>
            <translation>mis. daftar DTSEN Pemkot</translation>
        </message>
        <message>
            <source>Has a disability</source>
            <translation>Penyandang disabilitas</translation>
        </message>
        <message>
            <source>Kind (optional)</source>
            <translation>Jenis (boleh kosong)</translation>
        </message>
        <message>
            <source>(version %1)</source>
            <translation>(versi %1)</translation>
        </message>
        <message>
            <source>The participant &amp;agrees</source>
            <translation>Peserta men&amp;yetujui</translation>
        </message>
        <message>
            <source>Open this participant</source>
            <translation>Buka data peserta ini</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Buka</translation>
        </message>
        <message>
            <source>&amp;Save (Ctrl+S)</source>
            <translation>&amp;Simpan (Ctrl+S)</translation>
        </message>
        <message>
            <source>%1 of 16 digits</source>
            <translation>%1 dari 16 digit</translation>
        </message>
        <message>
            <source>female</source>
            <translation>perempuan</translation>
        </message>
        <message>
            <source>male</source>
            <translation>laki-laki</translation>
        </message>
        <message>
            <source>NIK says: born %1, %2, %3</source>
            <translation>Menurut NIK: lahir %1, %2, %3</translation>
        </message>
        <message>
            <source>Saving…</source>
            <translation>Menyimpan…</translation>
        </message>
        <message>
            <source>%1 field(s) to complete or fix (Ctrl+S shows them)</source>
            <translation>%1 isian belum lengkap atau salah (Ctrl+S menunjukkannya)</translation>
        </message>
        <message>
            <source>NIK %1 is already registered on this device: %2. Open that participant instead of registering them twice.</source>
            <translation>NIK %1 sudah terdaftar di perangkat ini: %2. Buka data peserta tersebut, jangan didaftarkan dua kali.</translation>
        </message>
        <message>
            <source>Maybe the same person (mungkin orang yang sama): %1, NIK %2, same name and birth date. Check the KTP before saving.</source>
            <translation>Mungkin orang yang sama: %1, NIK %2 (nama dan tanggal lahir sama). Periksa KTP sebelum menyimpan.</translation>
        </message>
        <message>
            <source>Saved: %1</source>
            <translation>Tersimpan: %1</translation>
        </message>
        <message>
            <source>Full na&amp;me</source>
            <translation>Na&amp;ma lengkap</translation>
        </message>
        <message>
            <source>Mobile &amp;phone</source>
            <translation>Nomor &amp;HP</translation>
        </message>
        <message>
            <source>Pro&amp;grammes and who pays</source>
            <translation>Pr&amp;ogram dan sumber dana</translation>
        </message>
        <message>
            <source>Clea&amp;r form</source>
            <translation>Kosongkan &amp;formulir</translation>
        </message>
        <message>
            <source>The registration you had not finished is back (kept at %1).</source>
            <translation>Pendaftaran yang belum selesai dipulihkan (disimpan %1).</translation>
        </message>
        <message>
            <source>Clear the form</source>
            <translation>Kosongkan formulir</translation>
        </message>
        <message>
            <source>Throw away everything typed in this registration?</source>
            <translation>Buang semua isian pendaftaran ini?</translation>
        </message>
        <message>
            <source>&amp;Clear the form</source>
            <translation>&amp;Kosongkan</translation>
        </message>
        <message>
            <source>&amp;Keep it</source>
            <translation>&amp;Biarkan</translation>
        </message>
        <message>
            <source>H&amp;eir's name</source>
            <translation>Nama ahli &amp;waris</translation>
        </message>
        <message>
            <source>D&amp;TSEN desil</source>
            <translation>&amp;Desil DTSEN</translation>
        </message>
    </context>
    <context>
        <name>ReprintDialog</name>
        <message>
            <source>Reprint receipt</source>
            <translation>Cetak ulang kuitansi</translation>
        </message>
        <message>
            <source>Reprint (marked SALINAN / COPY)</source>
            <translation>Cetak ulang (bertanda SALINAN / COPY)</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Tutup</translation>
        </message>
    </context>
    <context>
        <name>VoidDialog</name>
        <message>
            <source>Void payment</source>
            <translation>Batalkan pembayaran</translation>
        </message>
        <message>
            <source>Void a mistaken payment</source>
            <translation>Batalkan pembayaran yang keliru</translation>
        </message>
        <message>
            <source>Receipt</source>
            <translation>Kuitansi</translation>
        </message>
        <message>
            <source>Participant</source>
            <translation>Peserta</translation>
        </message>
        <message>
            <source>Months</source>
            <translation>Bulan</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>Jumlah</translation>
        </message>
        <message>
            <source>&amp;Reason</source>
            <translation>&amp;Alasan</translation>
        </message>
        <message>
            <source>Why is this payment void? (at least 5 characters)</source>
            <translation>Mengapa pembayaran ini dibatalkan? (minimal 5 karakter)</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>&amp;Void payment</source>
            <translation>&amp;Batalkan pembayaran</translation>
        </message>
        <message>
            <source>Print void slip</source>
            <translation>Cetak bukti pembatalan</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Tutup</translation>
        </message>
        <message>
            <source>This entry is itself a void; it cannot be voided.</source>
            <translation>Entri ini sendiri adalah pembatalan; tidak dapat dibatalkan.</translation>
        </message>
        <message>
            <source>Voided. Reversal receipt %1.</source>
            <translation>Dibatalkan. Kuitansi pembatalan %1.</translation>
        </message>
    </context>
    <context>
        <name>CloseoutPage</name>
        <message>
            <source>Cash close-out</source>
            <translation>Tutup kas</translation>
        </message>
        <message>
            <source>Since the last close-out</source>
            <translation>Sejak tutup kas terakhir</translation>
        </message>
        <message>
            <source>Cash receipts</source>
            <translation>Penerimaan tunai</translation>
        </message>
        <message>
            <source>Cash voids</source>
            <translation>Pembatalan tunai</translation>
        </message>
        <message>
            <source>Expected cash</source>
            <translation>Kas seharusnya</translation>
        </message>
        <message>
            <source>QRIS / transfer (not in the cash)</source>
            <translation>QRIS / transfer (bukan uang tunai)</translation>
        </message>
        <message>
            <source>Count the cash</source>
            <translation>Hitung uang tunai</translation>
        </message>
        <message>
            <source>&amp;Counted cash</source>
            <translation>Uang &amp;dihitung</translation>
        </message>
        <message>
            <source>Variance</source>
            <translation>Selisih</translation>
        </message>
        <message>
            <source>&amp;Explanation</source>
            <translation>Pen&amp;jelasan</translation>
        </message>
        <message>
            <source>Required when the variance is not zero</source>
            <translation>Wajib diisi bila ada selisih</translation>
        </message>
        <message>
            <source>Close out…</source>
            <translation>Tutup kas…</translation>
        </message>
        <message>
            <source>Lock this close-out? It can never be changed afterwards.</source>
            <translation>Kunci tutup kas ini? Setelah dikunci tidak dapat diubah lagi.</translation>
        </message>
        <message>
            <source>&amp;Lock close-out</source>
            <translation>&amp;Kunci tutup kas</translation>
        </message>
        <message>
            <source>&amp;Back</source>
            <translation>Kemba&amp;li</translation>
        </message>
        <message>
            <source>Entries of this period</source>
            <translation>Transaksi periode ini</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>Waktu</translation>
        </message>
        <message>
            <source>Receipt</source>
            <translation>Kuitansi</translation>
        </message>
        <message>
            <source>Participant</source>
            <translation>Peserta</translation>
        </message>
        <message>
            <source>Method</source>
            <translation>Cara bayar</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>Jumlah</translation>
        </message>
        <message>
            <source>Earlier close-outs</source>
            <translation>Tutup kas sebelumnya</translation>
        </message>
        <message>
            <source>Closed at</source>
            <translation>Ditutup</translation>
        </message>
        <message>
            <source>Expected</source>
            <translation>Seharusnya</translation>
        </message>
        <message>
            <source>Counted</source>
            <translation>Dihitung</translation>
        </message>
        <message>
            <source>Handed to</source>
            <translation>Diserahkan kepada</translation>
        </message>
        <message>
            <source>&amp;Received by</source>
            <translation>Diterima &amp;oleh</translation>
        </message>
        <message>
            <source>Name of the treasurer</source>
            <translation>Nama bendahara</translation>
        </message>
        <message>
            <source>Save &amp;PDF…</source>
            <translation>Si&amp;mpan PDF…</translation>
        </message>
        <message>
            <source>Cash</source>
            <translation>Tunai</translation>
        </message>
        <message>
            <source>QRIS</source>
            <translation>QRIS</translation>
        </message>
        <message>
            <source>Transfer</source>
            <translation>Transfer</translation>
        </message>
        <message>
            <source>the start</source>
            <translation>awal</translation>
        </message>
        <message>
            <source>Period: since %1 until now (%2 entries)</source>
            <translation>Periode: sejak %1 sampai sekarang (%2 transaksi)</translation>
        </message>
        <message>
            <source>void</source>
            <translation>batal</translation>
        </message>
        <message>
            <source>(more than expected)</source>
            <translation>(lebih dari seharusnya)</translation>
        </message>
        <message>
            <source>(short)</source>
            <translation>(kurang)</translation>
        </message>
        <message>
            <source>Type the cash you counted.</source>
            <translation>Ketik jumlah uang yang Anda hitung.</translation>
        </message>
        <message>
            <source>Explain the variance (at least 5 letters).</source>
            <translation>Jelaskan selisihnya (minimal 5 huruf).</translation>
        </message>
        <message>
            <source>Close-out locked. Hand the cash over and record who received it.</source>
            <translation>Tutup kas dikunci. Serahkan uangnya dan catat siapa yang menerima.</translation>
        </message>
        <message>
            <source>Handover recorded.</source>
            <translation>Serah terima dicatat.</translation>
        </message>
        <message>
            <source>Save close-out as PDF</source>
            <translation>Simpan tutup kas sebagai PDF</translation>
        </message>
        <message>
            <source>Saved: %1</source>
            <translation>Tersimpan: %1</translation>
        </message>
        <message>
            <source>Agent</source>
            <translation>Agen</translation>
        </message>
        <message>
            <source>Period</source>
            <translation>Periode</translation>
        </message>
        <message>
            <source>Counted cash</source>
            <translation>Uang dihitung</translation>
        </message>
        <message>
            <source>Explanation</source>
            <translation>Penjelasan</translation>
        </message>
        <message>
            <source>Close-out no.</source>
            <translation>Tutup kas no.</translation>
        </message>
        <message>
            <source>locked</source>
            <translation>terkunci</translation>
        </message>
        <message>
            <source>Signature of the agent</source>
            <translation>Tanda tangan agen</translation>
        </message>
        <message>
            <source>Signature of the treasurer</source>
            <translation>Tanda tangan bendahara</translation>
        </message>
        <message>
            <source>Record hando&amp;ver</source>
            <translation>Catat &amp;serah terima</translation>
        </message>
    </context>
    <context>
        <name>DashboardPage</name>
        <message>
            <source>My day</source>
            <translation>Hari saya</translation>
        </message>
        <message>
            <source>Refresh (F5)</source>
            <translation>Muat ulang (F5)</translation>
        </message>
        <message>
            <source>Registered today</source>
            <translation>Didaftarkan hari ini</translation>
        </message>
        <message>
            <source>Collected today</source>
            <translation>Iuran diterima hari ini</translation>
        </message>
        <message>
            <source>Registered this month</source>
            <translation>Didaftarkan bulan ini</translation>
        </message>
        <message>
            <source>Collected this month</source>
            <translation>Iuran diterima bulan ini</translation>
        </message>
        <message>
            <source>Incentive this month (estimate)</source>
            <translation>Insentif bulan ini (perkiraan)</translation>
        </message>
        <message>
            <source>Targets</source>
            <translation>Target</translation>
        </message>
        <message>
            <source>New NIKs this month</source>
            <translation>NIK baru bulan ini</translation>
        </message>
        <message>
            <source>City JHT quota, desil 1-3</source>
            <translation>Kuota JHT kota, desil 1-3</translation>
        </message>
        <message>
            <source>Collections per day this month</source>
            <translation>Iuran per hari bulan ini</translation>
        </message>
        <message>
            <source>Coverage per kelurahan of my area</source>
            <translation>Cakupan per kelurahan wilayah saya</translation>
        </message>
        <message>
            <source>%1 receipts</source>
            <translation>%1 kuitansi</translation>
        </message>
        <message>
            <source>target %1</source>
            <translation>target %1</translation>
        </message>
        <message>
            <source>estimate</source>
            <translation>perkiraan</translation>
        </message>
        <message>
            <source>Estimate (perkiraan) under the Perisai rules: %1 new participants × %2 = %3, plus %4 of %5 collected in participants' months 1-24 and %6 of %7 in months 25-60 = %8. The official amount is calculated by BPJS Ketenagakerjaan.</source>
            <translation>Perkiraan menurut aturan Perisai: %1 peserta baru × %2 = %3, ditambah %4 dari %5 iuran bulan ke-1 s.d. 24 kepesertaan dan %6 dari %7 iuran bulan ke-25 s.d. 60 = %8. Jumlah resmi dihitung oleh BPJS Ketenagakerjaan.</translation>
        </message>
        <message>
            <source>Counts the APBD-funded JHT participants (desil 1-3) known on this device.</source>
            <translation>Menghitung peserta JHT yang dibiayai APBD (desil 1-3) yang tercatat di perangkat ini.</translation>
        </message>
        <message>
            <source>Active participants against the worker population; the red line is the city target of %1 %.</source>
            <translation>Peserta aktif dibanding jumlah pekerja; garis merah adalah target kota %1 %.</translation>
        </message>
        <message>
            <source>%1 active / %2 registered</source>
            <translation>%1 aktif / %2 terdaftar</translation>
        </message>
        <message>
            <source>The reference data has no worker population per kelurahan yet, so the coverage against the city target of %1 % cannot be computed: shown are the active and registered participants on this device.</source>
            <translation>Data referensi belum memuat jumlah pekerja per kelurahan, jadi cakupan terhadap target kota %1 % belum dapat dihitung: yang ditampilkan adalah peserta aktif dan terdaftar di perangkat ini.</translation>
        </message>
    </context>
    <context>
        <name>FollowupPage</name>
        <message>
            <source>Urgency</source>
            <translation>Urgensi</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Nama</translation>
        </message>
        <message>
            <source>Kelurahan</source>
            <translation>Kelurahan</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>Telepon</translation>
        </message>
        <message>
            <source>Paid through</source>
            <translation>Lunas s.d.</translation>
        </message>
        <message>
            <source>Months due</source>
            <translation>Bulan tertunggak</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>Jumlah</translation>
        </message>
        <message>
            <source>Contacted</source>
            <translation>Dihubungi</translation>
        </message>
        <message>
            <source>Ends this month</source>
            <translation>Berakhir bulan ini</translation>
        </message>
        <message>
            <source>Inactive</source>
            <translation>Tidak aktif</translation>
        </message>
        <message>
            <source>Grace: %1 month(s) unpaid</source>
            <translation>Tenggang: %1 bulan belum bayar</translation>
        </message>
        <message>
            <source>Follow-up</source>
            <translation>Tindak lanjut</translation>
        </message>
        <message>
            <source>&amp;Show</source>
            <translation>Tampi&amp;lkan</translation>
        </message>
        <message>
            <source>Everyone to follow up</source>
            <translation>Semua yang perlu dihubungi</translation>
        </message>
        <message>
            <source>Grace period</source>
            <translation>Masa tenggang</translation>
        </message>
        <message>
            <source>Coverage ends this month</source>
            <translation>Perlindungan berakhir bulan ini</translation>
        </message>
        <message>
            <source>Newly inactive</source>
            <translation>Baru tidak aktif</translation>
        </message>
        <message>
            <source>All kelurahan of my area</source>
            <translation>Semua kelurahan wilayah saya</translation>
        </message>
        <message>
            <source>Only not contacted this month</source>
            <translation>Hanya yang belum dihubungi bulan ini</translation>
        </message>
        <message>
            <source>Reminder (Bahasa Indonesia)</source>
            <translation>Pesan pengingat</translation>
        </message>
        <message>
            <source>&amp;Copy reminder</source>
            <translation>&amp;Salin pengingat</translation>
        </message>
        <message>
            <source>Contacted on</source>
            <translation>Dihubungi tanggal</translation>
        </message>
        <message>
            <source>Note (optional)</source>
            <translation>Catatan (tidak wajib)</translation>
        </message>
        <message>
            <source>&amp;Mark contacted</source>
            <translation>Tandai sudah &amp;dihubungi</translation>
        </message>
        <message>
            <source>%1 to follow up: %2 in the last grace month, %3 in grace, %4 ending this month, %5 newly inactive</source>
            <translation>%1 perlu dihubungi: %2 di bulan tenggang terakhir, %3 dalam masa tenggang, %4 berakhir bulan ini, %5 baru tidak aktif</translation>
        </message>
        <message>
            <source>Reminder copied: paste it into SMS or WhatsApp.</source>
            <translation>Pengingat disalin: tempelkan ke SMS atau WhatsApp.</translation>
        </message>
        <message>
            <source>Marked as contacted.</source>
            <translation>Ditandai sudah dihubungi.</translation>
        </message>
        <message>
            <source>Where to &amp;pay</source>
            <translation>Te&amp;mpat bayar</translation>
        </message>
    </context>
    <context>
        <name>ProgressDialog</name>
        <message>
            <source>Please wait</source>
            <translation>Mohon tunggu</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Cancelling…</source>
            <translation>Membatalkan…</translation>
        </message>
    </context>
    <context>
        <name>ReportsPage</name>
        <message>
            <source>Reports</source>
            <translation>Laporan</translation>
        </message>
        <message>
            <source>&amp;Report</source>
            <translation>&amp;Laporan</translation>
        </message>
        <message>
            <source>Collections of a day</source>
            <translation>Iuran harian</translation>
        </message>
        <message>
            <source>Collections of a month</source>
            <translation>Iuran bulanan</translation>
        </message>
        <message>
            <source>Registrations per kecamatan</source>
            <translation>Pendaftaran per kecamatan</translation>
        </message>
        <message>
            <source>Payments flagged by the server</source>
            <translation>Pembayaran yang ditandai server</translation>
        </message>
        <message>
            <source>&amp;Date</source>
            <translation>Tan&amp;ggal</translation>
        </message>
        <message>
            <source>Show (F5)</source>
            <translation>Tampilkan (F5)</translation>
        </message>
        <message>
            <source>Export &amp;XLSX…</source>
            <translation>Ekspor &amp;XLSX…</translation>
        </message>
        <message>
            <source>Export &amp;CSV…</source>
            <translation>Ekspor &amp;CSV…</translation>
        </message>
        <message>
            <source>&amp;Print to PDF…</source>
            <translation>C&amp;etak ke PDF…</translation>
        </message>
        <message>
            <source>Preparing the report…</source>
            <translation>Menyiapkan laporan…</translation>
        </message>
        <message>
            <source>Cancelled.</source>
            <translation>Dibatalkan.</translation>
        </message>
        <message>
            <source>%1 – %2: %3 receipts, net %4</source>
            <translation>%1 – %2: %3 kuitansi, bersih %4</translation>
        </message>
        <message>
            <source>New registrations in %1: %2 · workers on this device: %3</source>
            <translation>Pendaftaran baru %1: %2 · pekerja di perangkat ini: %3</translation>
        </message>
        <message>
            <source>%1 payments flagged by the server.</source>
            <translation>%1 pembayaran ditandai server.</translation>
        </message>
        <message>
            <source>Per kelurahan</source>
            <translation>Per kelurahan</translation>
        </message>
        <message>
            <source>Kecamatan</source>
            <translation>Kecamatan</translation>
        </message>
        <message>
            <source>Kelurahan</source>
            <translation>Kelurahan</translation>
        </message>
        <message>
            <source>Receipts</source>
            <translation>Kuitansi</translation>
        </message>
        <message>
            <source>Voids</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Cash</source>
            <translation>Tunai</translation>
        </message>
        <message>
            <source>QRIS / transfer</source>
            <translation>QRIS / transfer</translation>
        </message>
        <message>
            <source>Net</source>
            <translation>Bersih</translation>
        </message>
        <message>
            <source>Per user</source>
            <translation>Per petugas</translation>
        </message>
        <message>
            <source>User</source>
            <translation>Petugas</translation>
        </message>
        <message>
            <source>Per day</source>
            <translation>Per hari</translation>
        </message>
        <message>
            <source>Date</source>
            <translation>Tanggal</translation>
        </message>
        <message>
            <source>New this month</source>
            <translation>Baru bulan ini</translation>
        </message>
        <message>
            <source>All workers</source>
            <translation>Semua pekerja</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>Aktif</translation>
        </message>
        <message>
            <source>Grace period</source>
            <translation>Masa tenggang</translation>
        </message>
        <message>
            <source>Inactive</source>
            <translation>Tidak aktif</translation>
        </message>
        <message>
            <source>Flagged payments</source>
            <translation>Pembayaran ditandai</translation>
        </message>
        <message>
            <source>Receipt</source>
            <translation>Kuitansi</translation>
        </message>
        <message>
            <source>Collected at</source>
            <translation>Waktu bayar</translation>
        </message>
        <message>
            <source>Participant</source>
            <translation>Peserta</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>Jumlah</translation>
        </message>
        <message>
            <source>Method</source>
            <translation>Cara bayar</translation>
        </message>
        <message>
            <source>Flag</source>
            <translation>Tanda</translation>
        </message>
        <message>
            <source>Collected by</source>
            <translation>Diterima oleh</translation>
        </message>
        <message>
            <source>Save report</source>
            <translation>Simpan laporan</translation>
        </message>
        <message>
            <source>Exporting…</source>
            <translation>Mengekspor…</translation>
        </message>
        <message>
            <source>Saved: %1</source>
            <translation>Tersimpan: %1</translation>
        </message>
        <message>
            <source>Period: %1 – %2</source>
            <translation>Periode: %1 – %2</translation>
        </message>
        <message>
            <source>Month: %1</source>
            <translation>Bulan: %1</translation>
        </message>
        <message>
            <source>All payments flagged so far</source>
            <translation>Semua pembayaran yang ditandai sampai sekarang</translation>
        </message>
        <message>
            <source>Made %1 by %2</source>
            <translation>Dibuat %1 oleh %2</translation>
        </message>
    </context>
    <context>
        <name>Crash</name>
        <message>
            <source>Perisai Agent: unexpected error</source>
            <translation>Perisai Agent: kesalahan tak terduga</translation>
        </message>
        <message>
            <source>Something went wrong and Perisai Agent could not finish what it was doing.</source>
            <translation>Terjadi kesalahan dan Perisai Agent tidak dapat menyelesaikan pekerjaannya.</translation>
        </message>
        <message>
            <source>Your data that is not yet synced is safe: it is stored on this laptop and will be sent at the next sync.</source>
            <translation>Data Anda yang belum tersinkron aman: tersimpan di laptop ini dan akan dikirim pada sinkronisasi berikutnya.</translation>
        </message>
        <message>
            <source>The details were written to the log file:
%1</source>
            <translation>Rinciannya dicatat di berkas log:
%1</translation>
        </message>
        <message>
            <source>If this happens again, please send that file to your supervisor.</source>
            <translation>Jika ini terjadi lagi, kirimkan berkas tersebut kepada supervisor Anda.</translation>
        </message>
    </context>
    <context>
        <name>Errors</name>
        <message>
            <source>The server cannot be reached now. Nothing is lost: the data stays on this laptop.</source>
            <translation>Server tidak dapat dihubungi sekarang. Tidak ada yang hilang: data tetap di laptop ini.</translation>
        </message>
        <message>
            <source>The server gave an answer this app does not understand. Nothing is lost: the data stays on this laptop.</source>
            <translation>Server memberi jawaban yang tidak dipahami aplikasi ini. Tidak ada yang hilang: data tetap di laptop ini.</translation>
        </message>
        <message>
            <source>The database key is kept in this computer's credential store (Windows Credential Manager), which cannot be used now. Nothing was changed. Ask your supervisor.</source>
            <translation>Kunci basis data disimpan di penyimpanan kredensial komputer ini (Windows Credential Manager), yang sekarang tidak dapat dipakai. Tidak ada yang diubah. Hubungi supervisor Anda.</translation>
        </message>
        <message>
            <source>The key of this laptop's database is missing from the credential store. Nothing was changed or deleted: your supervisor can restore the key (perisai-agent recover-key).</source>
            <translation>Kunci basis data laptop ini tidak ada di penyimpanan kredensial. Tidak ada yang diubah atau dihapus: supervisor Anda dapat memulihkan kuncinya (perisai-agent recover-key).</translation>
        </message>
        <message>
            <source>This laptop's key does not open its database. Nothing was changed or deleted: your supervisor can restore the key (perisai-agent recover-key).</source>
            <translation>Kunci laptop ini tidak membuka basis datanya. Tidak ada yang diubah atau dihapus: supervisor Anda dapat memulihkan kuncinya (perisai-agent recover-key).</translation>
        </message>
        <message>
            <source>This database was written by a newer Perisai Agent. Install the newest version; nothing was changed.</source>
            <translation>Basis data ini ditulis oleh Perisai Agent yang lebih baru. Pasang versi terbaru; tidak ada yang diubah.</translation>
        </message>
        <message>
            <source>Perisai Agent is already open on this laptop, or another program is using its database. Close it and start again; nothing was changed.</source>
            <translation>Perisai Agent sudah terbuka di laptop ini, atau program lain sedang memakai basis datanya. Tutup lalu mulai lagi; tidak ada yang diubah.</translation>
        </message>
        <message>
            <source>The database cannot be opened. Nothing was changed.</source>
            <translation>Basis data tidak dapat dibuka. Tidak ada yang diubah.</translation>
        </message>
        <message>
            <source>The database is busy. Wait a moment and try again; nothing was saved.</source>
            <translation>Basis data sedang sibuk. Tunggu sebentar lalu coba lagi; belum ada yang tersimpan.</translation>
        </message>
        <message>
            <source>The disk is full or cannot be written. Free some space and try again; nothing was saved.</source>
            <translation>Disk penuh atau tidak dapat ditulisi. Kosongkan sebagian ruang lalu coba lagi; belum ada yang tersimpan.</translation>
        </message>
        <message>
            <source>The file could not be written%1: %2</source>
            <translation>Berkas tidak dapat ditulis%1: %2</translation>
        </message>
        <message>
            <source>Something went wrong and this could not be finished. Your saved data is safe on this laptop.</source>
            <translation>Terjadi kesalahan dan proses ini tidak dapat diselesaikan. Data Anda yang sudah tersimpan aman di laptop ini.</translation>
        </message>
        <message>
            <source>The details are in the log file %1; if this happens again, send that file to your supervisor.</source>
            <translation>Rinciannya ada di berkas log %1; jika terjadi lagi, kirim berkas itu ke supervisor Anda.</translation>
        </message>
        <message>
            <source>Perisai Agent</source>
            <translation>Perisai Agent</translation>
        </message>
    </context>
    <context>
        <name>AboutDialog</name>
        <message>
            <source>About Perisai Agent</source>
            <translation>Tentang Perisai Agent</translation>
        </message>
        <message>
            <source>Demo / development build</source>
            <translation>Build demo / pengembangan</translation>
        </message>
        <message>
            <source>Release build</source>
            <translation>Build rilis</translation>
        </message>
        <message>
            <source>Program Makassar Berjasa, with BPJS Ketenagakerjaan</source>
            <translation>Program Makassar Berjasa, bersama BPJS Ketenagakerjaan</translation>
        </message>
        <message>
            <source>Key recovery: key %1</source>
            <translation>Pemulihan kunci: kunci %1</translation>
        </message>
        <message>
            <source>This build seals the database key to the demo recovery key, whose private key is public. Use it only for training and testing, never for real participants' data.</source>
            <translation>Build ini menyegel kunci basis data dengan kunci pemulihan demo, yang kunci privatnya publik. Pakai hanya untuk pelatihan dan pengujian, jangan untuk data peserta sungguhan.</translation>
        </message>
    </context>
    <context>
        <name>UpdateDialog</name>
        <message>
            <source>Update Perisai Agent</source>
            <translation>Perbarui Perisai Agent</translation>
        </message>
        <message>
            <source>Version %1 is available (%2 MB). Perisai Agent downloads it, checks that it is the installer the centre published, closes, updates itself and opens again. Your data and the records waiting to be sent stay as they are.</source>
            <translation>Versi %1 tersedia (%2 MB). Perisai Agent mengunduhnya, memeriksa bahwa itu pemasang yang diterbitkan pusat, menutup diri, memperbarui, lalu terbuka lagi. Data Anda dan catatan yang menunggu dikirim tetap seperti semula.</translation>
        </message>
        <message>
            <source>Download and install</source>
            <translation>Unduh dan pasang</translation>
        </message>
        <message>
            <source>Later</source>
            <translation>Nanti</translation>
        </message>
    </context>
    <context>
        <name>ServerSignInDialog</name>
        <message>
            <source>Sign in to the server</source>
            <translation>Masuk ke server</translation>
        </message>
        <message>
            <source>The sync session with the central server has ended. Sign in again with your password to send what waits on this laptop; nothing is lost.</source>
            <translation>Sesi sinkronisasi dengan server pusat sudah berakhir. Masuk lagi dengan kata sandi Anda untuk mengirim data yang menunggu di laptop ini; tidak ada yang hilang.</translation>
        </message>
        <message>
            <source>Server</source>
            <translation>Server</translation>
        </message>
        <message>
            <source>User</source>
            <translation>Pengguna</translation>
        </message>
        <message>
            <source>&amp;Password</source>
            <translation>&amp;Kata sandi</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Batal</translation>
        </message>
        <message>
            <source>Sign in</source>
            <translation>Masuk</translation>
        </message>
        <message>
            <source>Type your password.</source>
            <translation>Ketik kata sandi Anda.</translation>
        </message>
        <message>
            <source>Signing in…</source>
            <translation>Sedang masuk…</translation>
        </message>
    </context>
</TS>
