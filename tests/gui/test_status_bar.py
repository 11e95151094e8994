"""The status bar tells the truth about sync: progress, the last success, what is wrong,
the app's version, and a newer version when the server announces one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from agent_app.ui.status import NoticeBanner, StatusBar
from agent_app.version import __version__
from tests.gui.conftest import open_main_window


def bar(qtbot, core, runner, session) -> StatusBar:
    widget = StatusBar(core, runner, session)
    qtbot.addWidget(widget)
    return widget


def test_progress_last_sync_and_problem_in_indonesian(qtbot, core, runner, session):
    status = bar(qtbot, core, runner, session)
    assert status.version_label.text() == f"v{__version__}"
    status.set_sync_state("syncing")
    status.set_progress(40, 120)
    assert status.sync_label.text() == "Sedang sinkron… 40/120"
    status.set_sync_state("up_to_date", "Terkirim 120, diterima 3.")
    status.set_last_sync("2026-11-24T02:05:00+00:00")
    assert status.sync_label.text() == "Sudah sinkron"
    assert status.last_sync_label.text().startswith("Sinkron terakhir: 24/11")
    status.set_sync_state("problem", "Masuk lagi saat online untuk melanjutkan sinkronisasi.")
    assert status.sync_label.text() == (
        "Masalah sinkron: Masuk lagi saat online untuk melanjutkan sinkronisasi.")


def test_update_notice_only_for_a_newer_version(qtbot, core, runner, session):
    status = bar(qtbot, core, runner, session)
    status.show()
    status.set_update(__version__, "https://example.invalid/old")
    assert status.update_label.isHidden()
    status.set_update("99.0.0", "https://example.invalid/perisai-99.exe")
    assert not status.update_label.isHidden()
    assert "Versi 99.0.0 tersedia" in status.update_label.text()
    assert "https://example.invalid/perisai-99.exe" in status.update_label.text()


def test_a_long_problem_never_widens_the_window_and_is_whole_in_the_tooltip(qtbot, core, runner,
                                                                           session):
    """A server's long sync message once widened the window past a 1366-pixel screen."""
    status = bar(qtbot, core, runner, session)
    detail = ("Sesi sinkronisasi berakhir; masuk lagi saat online. " * 6).strip()
    status.set_sync_state("problem", detail)
    status.resize(900, 30)
    status.show()
    qtbot.waitExposed(status)
    assert status.minimumSizeHint().width() < 900
    label = status.sync_label
    assert label.toolTip() == f"Masalah sinkron: {detail}"
    assert label.shown_text().endswith("…") and len(label.shown_text()) < len(label.toolTip())


def test_never_up_to_date_while_something_waits_and_times_in_wita(qtbot, core, runner, session):
    """"Sudah sinkron" showed beside "Menunggu dikirim: 2", and the last sync in UTC."""
    status = bar(qtbot, core, runner, session)
    status.set_sync_state("up_to_date", "Terkirim 3, diterima 0.")
    status.set_pending(0)
    assert status.sync_label.text() == "Sudah sinkron"
    status.set_pending(2)  # a registration saved after the round
    assert status.sync_label.text() == "Perubahan menunggu sinkron berikutnya"
    status.set_last_sync("2026-11-24T02:05:00+00:00")
    assert status.last_sync_label.text() == "Sinkron terakhir: 24/11 10:05 WITA"


def test_a_long_round_counts_its_seconds_and_can_be_cancelled(qtbot, core, runner, session):
    status = bar(qtbot, core, runner, session)
    status.show()
    status.set_sync_state("syncing", "Mengirim…")
    assert status.cancel_button.isVisible() and status.sync_label.text() == "Sedang sinkron…"
    status.syncing_since -= 42  # as if the server had not answered for 42 s
    qtbot.waitUntil(lambda: status.sync_label.text() in (
        "Sedang sinkron… (42 dtk)", "Sedang sinkron… (43 dtk)", "Sedang sinkron… (44 dtk)"),
        timeout=3000)
    with qtbot.waitSignal(status.cancel_requested):
        status.cancel_button.click()
    status.set_sync_state("cancelled", "")
    assert not status.cancel_button.isVisible()
    assert status.sync_label.text() == "Sinkron dibatalkan"


def test_a_notice_from_the_centre_in_the_person_s_language_until_it_no_longer_holds(
        qtbot, core, runner, session):
    host = QWidget()
    qtbot.addWidget(host)
    banner = NoticeBanner(core, session)
    QVBoxLayout(host).addWidget(banner)
    host.resize(600, 80)
    host.show()
    qtbot.waitExposed(host)
    assert not banner.isVisible()
    clock = {"id": "Jam laptop ini 2 jam lebih cepat dari jam server pusat.",
             "en": "This laptop's clock is 2 hours ahead of the central server's."}
    tariff = {"id": "Tarif baru berlaku mulai 01/12/2026.", "en": "A new tariff applies from 01/12/2026."}
    banner.set_notice("tariff", tariff)
    banner.set_notice("clock", clock)
    assert banner.isVisible()
    assert banner.text() == f"{clock['id']}\n{tariff['id']}"
    session.set_language("en")
    assert banner.text() == f"{clock['en']}\n{tariff['en']}"
    banner.set_notice("clock", None)  # the clock was set right
    assert banner.text() == tariff["en"]
    banner.set_notice("tariff", None)
    assert not banner.isVisible()
    session.set_language("id")


def test_a_notice_is_read_whole_beside_a_long_sync_problem_on_a_narrow_window(
        qtbot, core, runner, session):
    """A clock found off once showed as "Ja…" in the status bar, crowded out by a long
    sign-in problem: it changes the dates of money, so it stands above the pages, whole."""
    window = open_main_window(qtbot, core, runner, session, (900, 500))
    window.status.set_sync_state("signin", "Sesi sinkronisasi berakhir; masuk lagi saat online. " * 3)
    clock = {"id": "Jam laptop ini 3 hari lebih lambat dari jam server pusat. Cocokkan jam Windows.",
             "en": "-"}
    window.notice_banner.set_notice("clock", clock)
    QApplication.processEvents()
    banner = window.notice_banner
    assert banner.isVisible() and banner.width() < 900
    assert banner.fontMetrics().boundingRect(  # every word is drawn, wrapped
        0, 0, banner.contentsRect().width(), 10_000, int(Qt.TextFlag.TextWordWrap),
        banner.text()).height() <= banner.contentsRect().height()
    window.shutdown()


def crowded(status: StatusBar, width: int | None = None) -> StatusBar:
    """The bar with a long sync problem and a last sync, shown at ``width`` (None: as
    narrow as it goes, as at 150 % on 1366x768)."""
    status.set_sync_state("signin", "Sesi sinkronisasi berakhir; masuk lagi saat online. " * 3)
    status.set_last_sync("2026-11-24T02:05:00+00:00")
    status.show()
    status.resize(width or status.minimumSizeHint().width(), 30)
    QApplication.processEvents()
    return status


def test_on_a_narrow_screen_the_last_sync_keeps_its_time(qtbot, core, runner, session):
    """At 150 % the last sync read "Sinkron terakhir: 24/11 1…": the caption gives way, not
    the time."""
    status = crowded(bar(qtbot, core, runner, session))
    assert status.last_sync_label.shown_text().startswith("24/11 10:05")
    assert status.last_sync_label.toolTip() == "Sinkron terakhir: 24/11 10:05 WITA"
    crowded(status, 2400)  # room for everything
    assert status.last_sync_label.shown_text() == "Sinkron terakhir: 24/11 10:05 WITA"


def test_on_a_narrow_screen_who_is_signed_in_keeps_their_name(qtbot, core, runner, session):
    """At 150 % "Masuk sebagai: Besse Agen (agen)" read "Ma…": the caption and the
    username give way, the person's name stays readable; the whole text is in the tooltip."""
    status = crowded(bar(qtbot, core, runner, session))
    assert status.user_label.shown_text() == session.user.full_name
    assert status.user_label.toolTip() == status.user_label.text()
    assert session.user.username in status.user_label.text()
    crowded(status, 2400)  # room for everything
    assert status.user_label.shown_text() == status.user_label.text()
