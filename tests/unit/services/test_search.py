"""Finding workers: NIK, phone, any part of the name, filters; what the search box promises."""

from __future__ import annotations

from datetime import date

import pytest

from agent_app.services.workers import WorkerQuery
from tests.helpers.forms import make_form

PEOPLE = [
    # nik, name, birth date, sex, phone, kelurahan (Bontorannu/Mariso; Barombong/Tamalate)
    ("7371014107900001", "Sitti Rahmawati", date(1990, 7, 1), "F", "0812-3456-7890", "73710101001"),
    ("7371100505850002", "Baso Daeng Nai", date(1985, 5, 5), "M", "0853 1111 2222", "73711001001"),
    ("7371101212800003", "Andi Barrang Lompo", date(1980, 12, 12), "M", "", "73711001001"),
]


@pytest.fixture
def people(core, user):
    ids = {}
    for nik, name, born, sex, phone, kel in PEOPLE:
        ids[name] = core.workers.register(user, make_form(
            nik=nik, full_name=name, birth_date=born, sex=sex, phone=phone, kelurahan_code=kel)).id
    return ids


def names(core, **query) -> list[str]:
    rows = core.workers.search(WorkerQuery(**query))
    assert core.workers.count(WorkerQuery(**query)) == len(rows)
    return sorted(r.full_name for r in rows)


def test_search_by_nik_start_and_by_its_last_digits(core, people):
    assert names(core, text="737110") == ["Andi Barrang Lompo", "Baso Daeng Nai"]
    assert names(core, text="7371 0141") == ["Sitti Rahmawati"]
    # Lists and receipts show "7371********0002": the last digits find the person too.
    assert names(core, text="0002") == ["Baso Daeng Nai"]
    assert names(core, text="999999") == []


def test_search_by_phone_as_people_type_it(core, people):
    assert names(core, text="0853-1111") == ["Baso Daeng Nai"]
    assert names(core, text="+62812") == ["Sitti Rahmawati"]


def test_search_any_part_of_the_name_case_and_spelling_insensitive(core, people):
    assert names(core, text="RAHMA") == ["Sitti Rahmawati"]
    assert names(core, text="daeng") == ["Baso Daeng Nai"]
    assert names(core, text="barang lompo") == ["Andi Barrang Lompo"]  # Barang/Barrang
    assert names(core, text="an") == ["Andi Barrang Lompo"]  # short: name prefix
    assert names(core, text="zzz") == []


def test_filters_by_area_coverage_and_sync_state(core, user, people):
    assert names(core, kecamatan_code="7371100") == ["Andi Barrang Lompo", "Baso Daeng Nai"]
    assert names(core, kelurahan_code="73710101001") == ["Sitti Rahmawati"]
    core.payments.collect(user, people["Baso Daeng Nai"], 1, "cash")
    assert names(core, status="active") == ["Baso Daeng Nai"]
    assert names(core, status="never") == ["Andi Barrang Lompo", "Sitti Rahmawati"]
    assert names(core, status="active", text="sitti") == []
    assert len(names(core, sync_state="pending")) == 3
    assert names(core, sync_state="synced") == []


def test_a_deleted_worker_is_neither_found_nor_counted(core, people):
    from agent_app.store.models import Worker

    with core.db.write() as s:
        worker = s.get(Worker, people["Sitti Rahmawati"])
        worker.deleted = True  # a tombstone from the server (deletion carried out)
        s.add(worker)
    assert names(core, text="rahma") == [] and names(core, text="7371 0141") == []
    assert core.workers.first_page(WorkerQuery(text="rahma")).total == 0
    assert core.workers.first_page(WorkerQuery(text="daeng")).total == 1
    with core.db.write() as s:
        worker = s.get(Worker, people["Sitti Rahmawati"])
        worker.deleted = False
        s.add(worker)
    assert names(core, text="rahma") == ["Sitti Rahmawati"]


def test_paging_is_stable_and_complete(core, people):
    everyone = [r.id for r in core.workers.search(WorkerQuery(), 0, 100)]
    paged = [r.id for offset in range(3) for r in core.workers.search(WorkerQuery(), offset, 1)]
    assert paged == everyone and len(set(everyone)) == 3


def _many(core, user, n: int, *, kelurahan: str, first: str, start: int) -> list:
    """n workers whose names share ``first`` (more than a trigram search sorts: its page
    walks the list's index), inserted directly like a pulled list."""
    from agent_app.store.models import Worker

    workers = []
    with core.db.write() as s:
        for i in range(start, start + n):
            worker = core.workers.build_worker(
                make_form(nik=f"737101{i:010d}", full_name=f"{first} {i * 7919 % 10007:05d}",
                          kelurahan_code=kelurahan),
                user, now=core.clock.stamp(), today=core.clock.today())
            s.add(worker)
            workers.append(worker)
        s.flush()
        for worker in workers[::50]:
            s.get(Worker, worker.id).deleted = True
    return [w for w in workers if not w.deleted]


def test_a_search_matching_thousands_pages_them_in_name_order(core, user):
    from agent_app.services.workers import SORT_FEW_MATCHES

    bontorannu = _many(core, user, 1_150, kelurahan="73710101001", first="Daeng", start=0)
    barombong = _many(core, user, 60, kelurahan="73711001001", first="Daeng", start=5_000)
    assert len(bontorannu) > SORT_FEW_MATCHES  # the index-walking plan

    def expected(workers):
        return [w.id for w in sorted(workers, key=lambda w: (w.name_key, w.id))]

    everyone = expected(bontorannu + barombong)
    page = core.workers.first_page(WorkerQuery(text="daeng"), 200)
    assert [r.id for r in page.rows] == everyone[:200]
    assert page.total == len(everyone)
    assert [r.id for r in core.workers.search(WorkerQuery(text="daeng"), 1_000, 200)] \
        == everyone[1_000:1_200]
    in_bontorannu = WorkerQuery(text="daeng", kelurahan_code="73710101001")
    assert [r.id for r in core.workers.first_page(in_bontorannu, 200).rows] \
        == expected(bontorannu)[:200]
    in_barombong = WorkerQuery(text="daeng", kelurahan_code="73711001001")
    assert [r.id for r in core.workers.first_page(in_barombong, 200).rows] == expected(barombong)


def test_warming_up_changes_nothing_a_search_finds(core, people):
    before = names(core, text="rahma"), names(core, text="0853"), names(core)
    core.workers.warm_up()
    assert (names(core, text="rahma"), names(core, text="0853"), names(core)) == before


def test_warming_up_an_empty_store(core):
    core.workers.warm_up()
    assert core.workers.first_page(WorkerQuery(text="sitti")).total == 0
