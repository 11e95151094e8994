"""Find a worker: lazy model, search-as-you-type, filters, keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from agent_app.services.workers import WorkerQuery
from agent_app.ui.worker_list import BLOCK, PLACEHOLDER, WorkerListModel, WorkerListPage, mask_nik
from tests.helpers.gui import add_workers, show_active

SITI = dict(full_name="Siti Aminah", nik="7371014501900001", phone="+6281355500001", sex="F")
RIDWAN = dict(full_name="Muhammad Ridwan", nik="7371020202850003", phone="+6285298700002",
              kelurahan_code="73710201002", sync_state="synced", kpj="00012345678")


@pytest.fixture
def people(core, agent_user):
    ids = {}
    ids["siti"] = add_workers(core, agent_user, 1, start=90_000, **SITI)[0]
    ids["ridwan"] = add_workers(core, agent_user, 1, start=90_001, **RIDWAN)[0]
    add_workers(core, agent_user, 40)  # "Pekerja Nomor 000xx", phones +62812000000xx
    core.payments.collect(agent_user, ids["siti"], 3, "cash")
    return ids


@pytest.fixture
def page(qtbot, core, runner, session, people):
    page = WorkerListPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    show_active(qtbot, page)
    page.apply_query()
    qtbot.waitUntil(lambda: page.count_label.text() == "42 pekerja")
    return page


def names(page) -> list[str]:
    model = page.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def settled(page) -> bool:
    model = page.model
    return (not page._debounce.isActive() and not model.loading and not model.in_flight
            and PLACEHOLDER not in names(page))


def search(qtbot, page, text: str, expected_count: str) -> None:
    page.search.clear()
    qtbot.keyClicks(page.search, text)  # a person typing: textEdited, debounce, query
    qtbot.waitUntil(lambda: settled(page), timeout=3000)
    assert page.count_label.text() == expected_count


def test_model_is_valid_for_qt(qtbot, qtmodeltester, core, runner, session, people):
    model = WorkerListModel(core, runner, session)
    model.set_query(WorkerQuery())
    qtbot.waitUntil(lambda: model.rowCount() == 42)
    qtmodeltester.check(model)  # placeholders first ...
    qtbot.waitUntil(lambda: 0 in model.blocks)
    qtmodeltester.check(model)  # ... then real rows


def test_row_shows_masked_nik_kelurahan_phone_status_sync(qtbot, page, people):
    search(qtbot, page, "ridwan", "1 pekerja")
    model = page.model
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row == ["Muhammad Ridwan", "7371********0003", "Parang", "0852-9870-0002",
                   "Belum pernah bayar", "Terkirim", "00012345678"]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "NIK"
    assert model.headerData(4, Qt.Orientation.Horizontal) == "Status cakupan"
    search(qtbot, page, "aminah", "1 pekerja")
    assert model.data(model.index(0, 4)) == "Aktif"
    assert model.data(model.index(0, 5)) == "Belum terkirim"


def test_mask_nik_keeps_region_and_last_four():
    assert mask_nik("7371014501900001") == "7371********0001"


@pytest.mark.parametrize("typed, expected", [
    ("amin", "Siti Aminah"),  # name fragment
    ("SITI AM", "Siti Aminah"),  # case does not matter
    ("737101450190", "Siti Aminah"),  # the start of a NIK
    ("7371020202850003", "Muhammad Ridwan"),  # whole NIK
    ("0852987", "Muhammad Ridwan"),  # phone typed the local way
    ("0852-9870", "Muhammad Ridwan"),  # with a dash
])
def test_search_as_you_type(qtbot, page, typed, expected):
    search(qtbot, page, typed, "1 pekerja")
    assert names(page) == [expected]


def test_clearing_the_search_shows_everyone(qtbot, page):
    search(qtbot, page, "amin", "1 pekerja")
    page.search.setFocus()
    page.search.selectAll()
    qtbot.keyClick(page.search, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: page.count_label.text() == "42 pekerja")


def test_filters_kecamatan_then_kelurahan_coverage_sync(qtbot, page, people):
    page.kecamatan.setCurrentIndex(page.kecamatan.findText("Mamajang"))
    qtbot.waitUntil(lambda: settled(page))
    assert page.count_label.text() == "1 pekerja"
    assert names(page) == ["Muhammad Ridwan"]
    kelurahan = [page.kelurahan.itemText(i) for i in range(1, page.kelurahan.count())]
    assert "Parang" in kelurahan and "Bontorannu" not in kelurahan  # follows the kecamatan
    page.kelurahan.setCurrentIndex(page.kelurahan.findText("Sambung Jawa"))
    qtbot.waitUntil(lambda: page.count_label.text() == "0 pekerja")
    page.kecamatan.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.count_label.text() == "42 pekerja")

    page.status.setCurrentIndex(page.status.findText("Aktif"))
    qtbot.waitUntil(lambda: settled(page))
    assert names(page) == ["Siti Aminah"]
    page.status.setCurrentIndex(page.status.findText("Belum pernah bayar"))
    qtbot.waitUntil(lambda: page.count_label.text() == "41 pekerja")
    page.status.setCurrentIndex(0)
    page.sync.setCurrentIndex(page.sync.findText("Terkirim"))
    qtbot.waitUntil(lambda: settled(page))
    assert names(page) == ["Muhammad Ridwan"]


def test_an_older_answer_never_overwrites_a_newer_query(qtbot, core, runner, session, people):
    model = WorkerListModel(core, runner, session)
    totals = []
    model.count_changed.connect(totals.append)
    model.set_query(WorkerQuery())  # 42 rows: answered first, but already stale
    model.set_query(WorkerQuery(text="ridwan"))
    qtbot.waitUntil(lambda: totals == [1])
    qtbot.wait(100)
    assert totals == [1]
    assert model.rowCount() == 1


def test_down_arrow_enters_the_table_and_enter_opens_the_worker(qtbot, page, people):
    search(qtbot, page, "amin", "1 pekerja")
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.table.hasFocus()
    assert page.table.currentIndex().row() == 0
    with qtbot.waitSignal(page.worker_opened) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [people["siti"]]


def test_thousands_of_workers_load_one_block_at_a_time(qtbot, core, runner, session, agent_user):
    add_workers(core, agent_user, 3000)
    calls = []
    real_search = core.workers.search

    def spy(query, offset=0, limit=100):
        calls.append((offset, limit))
        return real_search(query, offset, limit)

    core.workers.search = spy
    page = WorkerListPage(core, runner, session)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    show_active(qtbot, page)
    page.apply_query()
    qtbot.waitUntil(lambda: page.count_label.text() == "3.000 pekerja")
    qtbot.waitUntil(lambda: PLACEHOLDER not in page.model.data(page.model.index(0, 0)))
    assert calls == []  # the first block came with the count, in the same call

    target = page.model.index(2_900, 0)
    page.table.scrollTo(target)
    qtbot.waitUntil(lambda: page.model.data(target) != PLACEHOLDER)
    assert page.model.data(target).startswith("Pekerja Nomor")
    assert len(calls) <= 2, calls  # the jump cost the block(s) on screen, not 14 blocks
    assert all(limit == BLOCK for _offset, limit in calls)
    assert (2_900 // BLOCK * BLOCK, BLOCK) in calls
    assert len(page.model.blocks) <= 3


def test_a_search_matching_too_many_asks_to_type_more(qtbot, core, runner, session, agent_user,
                                                       monkeypatch):
    import agent_app.services.workers as workers_module

    add_workers(core, agent_user, 30)
    monkeypatch.setattr(workers_module, "SEARCH_COUNT_CAP", 10)
    page = WorkerListPage(core, runner, session)
    qtbot.addWidget(page)
    show_active(qtbot, page)
    qtbot.keyClicks(page.search, "pekerja")
    qtbot.waitUntil(lambda: "ketik" in page.count_label.text(), timeout=5000)
    assert page.count_label.text() == "Lebih dari 10 pekerja: ketik lebih banyak untuk mempersempit pencarian"
    assert page.model.rowCount() == 10


def test_a_supervisor_sees_full_niks_in_the_list(qtbot, core, runner, supervisor_user, people):
    from agent_app.ui.session import UiSession

    model = WorkerListModel(core, runner, UiSession(supervisor_user, "id"))
    model.set_query(WorkerQuery(text="ridwan"))
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.data(model.index(0, 1)) != PLACEHOLDER)
    assert model.data(model.index(0, 1)) == "7371020202850003"


def test_enter_in_the_search_opens_the_only_match(qtbot, page, people):
    search(qtbot, page, "7371020202850003", "1 pekerja")  # a whole NIK typed or scanned
    with qtbot.waitSignal(page.worker_opened) as opened:
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert opened.args == [people["ridwan"]]


def test_coverage_column_says_how_many_months_are_unpaid(qtbot, page, core, agent_user):
    add_workers(core, agent_user, 1, start=90_002, full_name="Daeng Tunggak",
                nik="7371010303800009", paid_through="2026-09")  # Oct + Nov unpaid
    page.status.setCurrentIndex(page.status.findText("Menunggak (1–3 bulan)"))
    qtbot.waitUntil(lambda: settled(page))
    assert names(page) == ["Daeng Tunggak"]
    assert page.model.data(page.model.index(0, 4)) == "Menunggak 2 bulan"


def test_double_click_opens_the_worker(qtbot, page, people):
    search(qtbot, page, "ridwan", "1 pekerja")
    rect = page.table.visualRect(page.model.index(0, 0))
    with qtbot.waitSignal(page.worker_opened) as opened:
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [people["ridwan"]]
