"""Reports, dashboard figures and exports over real payments."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from openpyxl import load_workbook

from agent_app.services.exports import Table, write_csv, write_xlsx
from agent_app.services.reports import Cancelled, CancelToken
from tests.helpers.forms import make_form


@pytest.fixture
def setup(core, user, clock):
    w = core.workers.register(user, make_form())
    p1 = core.payments.collect(user, w.id, 1, "cash")
    p2 = core.payments.collect(user, w.id, 3, "qris")
    core.payments.void(user, p2.id, "salah metode bayar")
    clock.advance(days=1)
    p3 = core.payments.collect(user, w.id, 1, "cash")
    return w, p1, p2, p3


def test_collections_day_and_month(core, setup):
    _w, p1, _p2, p3 = setup
    day = core.reports.collections("day", date(2026, 11, 24))
    assert day.total == p1.amount and day.receipts == 2
    [kel] = day.by_kelurahan
    assert kel["name"] == "Bontorannu" and kel["voids"] == 1 and kel["cash"] == p1.amount
    month = core.reports.collections("month", date(2026, 11, 2))
    assert month.total == p1.amount + p3.amount
    assert [r["day"] for r in month.by_day] == ["2026-11-24", "2026-11-25"]
    assert month.by_user[0]["name"] == "Besse Agen"


def test_registrations_and_cancel(core, setup):
    reg = core.reports.registrations("2026-11")
    mariso = next(r for r in reg.by_kecamatan if r["code"] == "7371010")
    assert mariso["new"] == 1 and mariso["total"] == 1 and mariso["active"] == 1
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        core.reports.registrations("2026-11", cancel=token)


def test_dashboard(core, user, setup, clock):
    _w, p1, _p2, p3 = setup
    d = core.dashboard.summary(user)
    assert d.registrations_month == 1 and d.registrations_today == 0
    assert d.collected_today == p3.amount and d.collected_month == p1.amount + p3.amount
    inc = d.incentive
    assert inc.registration_part == 10_000
    assert inc.collected_early == p1.amount + p3.amount  # months 1-2 of the participant
    assert inc.collection_part == round((p1.amount + p3.amount) * 0.15)
    assert d.jht_quota == 45000 and not d.has_population
    assert len(d.kelurahan) > 1  # whole city for a user without area


def test_exports_round_trip(tmp_path):
    table = Table("Setoran / hari", ["Kelurahan", "Jumlah"], [["Bontorannu", 16800],
                                                             ["=HYPERLINK()", None]], (1,))
    n = write_csv(tmp_path / "a.csv", table)
    assert n == 2
    with open(tmp_path / "a.csv", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows == [["Kelurahan", "Jumlah"], ["Bontorannu", "16800"], ["'=HYPERLINK()", ""]]
    write_xlsx(tmp_path / "a.xlsx", [table])
    ws = load_workbook(tmp_path / "a.xlsx").active
    assert ws.title == "Setoran - hari"
    assert [c.value for c in ws[2]] == ["Bontorannu", 16800]
    assert [c.value for c in ws[3]] == ["'=HYPERLINK()", None]
    assert not list(tmp_path.glob(".*tmp"))


def test_export_cells_with_control_characters_are_written_visibly(tmp_path):
    """An imported name with a NUL or a line break: XLSX refused it, CSV kept it as is."""
    table = Table("Daftar", ["Nama"], [["Sitti\x00Rahma"], ["\t=1+1"], ["-5"], ["+6281234567890"]])
    write_csv(tmp_path / "a.csv", table)
    with open(tmp_path / "a.csv", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[1:] == [["Sitti\ufffdRahma"], ["'\ufffd=1+1"], ["-5"], ["+6281234567890"]]
    write_xlsx(tmp_path / "a.xlsx", [table])
    ws = load_workbook(tmp_path / "a.xlsx").active
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == ["Sitti\ufffdRahma", "'\ufffd=1+1", "-5",
                                                                   "+6281234567890"]
