"""Dashboard: today's and this month's figures, the incentive estimate, coverage charts."""

from __future__ import annotations

from PySide6.QtCore import Qt

from agent_app.ui.dashboard_page import DashboardPage


def rp(n: int) -> str:
    return f"Rp {n:,}".replace(",", ".")


def test_dashboard_figures(qtbot, core, runner, session, agent_user, workers_factory, clock):
    a, b, _c = workers_factory(3)
    p1 = core.payments.collect(agent_user, a, 1, "cash")
    p2 = core.payments.collect(agent_user, b, 3, "qris")
    page = DashboardPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1176, 700)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.show()
    tiles = page.tiles
    assert tiles["regToday"].value.text() == "3"
    assert tiles["regMonth"].value.text() == "3"
    assert tiles["cashToday"].value.text() == rp(p1.amount + p2.amount)
    assert tiles["cashToday"].detail.text() == "2 kuitansi"
    share = round((p1.amount + p2.amount) * 0.15)
    assert tiles["incentive"].value.text() == "± " + rp(3 * 10_000 + share)
    assert "perkiraan" in tiles["incentive"].caption.text()
    note = page.incentive_note.text()
    assert "3 peserta baru × Rp 10.000 = Rp 30.000" in note and "15 %" in note
    assert page.nik_bar.value() == 3 and page.nik_bar.maximum() == 25
    assert page.jht_bar.maximum() == 45000
    # No population per kelurahan in the reference data: the page says so.
    assert "belum memuat jumlah pekerja" in page.coverage_note.text()
    assert "Bontorannu: 2 aktif / 3 terdaftar" in page.coverage_chart.summary()
    # Today's bar is highlighted; the chart's numbers are readable as text.
    assert page.daily_chart.items[23] == ("24", p1.amount + p2.amount)
    assert page.daily_chart.highlight == 23

    # A payment later in the day shows after F5.
    clock.advance(hours=1)
    p3 = core.payments.collect(agent_user, a, 1, "cash")
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        qtbot.keyClick(page, Qt.Key.Key_F5)
    assert tiles["cashToday"].value.text() == rp(p1.amount + p2.amount + p3.amount)


def test_my_pages_switch_language_live(qtbot, core, runner, session, agent_user,
                                       workers_factory):
    """Close-out, follow-up, dashboard and reports: no English left in Indonesian and back."""
    from agent_app.ui.closeout_page import CloseoutPage
    from agent_app.ui.followup_page import FollowupPage
    from agent_app.ui.reports_page import ReportsPage
    from tests.helpers.gui import TS, readable, texts_of, ts_pairs

    pairs = [(readable(s), readable(t)) for _c, s, t, kind in ts_pairs(TS)
             if t and kind != "unfinished"]
    english = {s for s, t in pairs if s != t}
    indonesian = {t for s, t in pairs if s != t}
    english, indonesian = english - indonesian, indonesian - english

    [a] = workers_factory(1, paid_through="2026-10", registration_month="2025-01")
    core.payments.collect(agent_user, a, 1, "cash")
    pages = [cls(core, runner, session) for cls in
             (CloseoutPage, FollowupPage, DashboardPage, ReportsPage)]
    for page in pages:
        qtbot.addWidget(page)
        page.resize(1176, 700)
        page.show()
    reports = pages[3]
    with qtbot.waitSignal(reports.report_ready, timeout=10000):
        reports.kind.setCurrentIndex(1)
        reports.run()
    qtbot.waitUntil(lambda: pages[2].data is not None and pages[1].model.rowCount() == 1
                    and pages[0].preview is not None)

    def texts():
        out = set()
        for page in pages:
            out |= texts_of(page)
        return out

    assert not sorted(texts() & english)
    assert {"Tutup kas", "Tindak lanjut", "Hari saya", "Laporan"} <= texts()
    session.set_language("en")
    qtbot.waitUntil(lambda: pages[2].title.text() == "My day")
    qtbot.wait(50)
    assert not sorted(texts() & indonesian)
    assert {"Cash close-out", "Follow-up", "Reports", "Per kelurahan"} <= texts()
    assert pages[1].model.index(0, 0).data() == "Grace: 1 month(s) unpaid"
    session.set_language("id")
    qtbot.waitUntil(lambda: pages[2].title.text() == "Hari saya")


def test_day_labels_never_overlap_today_s(qtbot):
    """Today's label was drawn beside its neighbour's on a narrow chart: "2324"."""
    from agent_app.ui.charts import BarChart, labelled

    for count, every, today in [(30, 3, 23), (31, 2, 0), (30, 4, 29), (28, 1, 5), (30, 5, None)]:
        shown = labelled(count, every, today)
        assert today is None or today in shown
        assert all(b - a >= every for a, b in zip(shown, shown[1:], strict=False)), (count, every, shown)
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(240, 160)
    chart.set_data([(f"{d:02d}", d * 1000) for d in range(1, 31)], highlight=23)
    chart.show()
    assert not chart.grab().isNull()
