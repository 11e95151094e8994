"""The centre's reference bundle reaches the fee engine: a tariff the centre publishes
(PP 50/2025's discount extended through 2027, say) is used once validated, by its
effective date, recorded on each payment, and announced to the person; a bad bundle is
refused and the last good one stays, across restarts."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

from agent_app.domain.reference import default_reference_dir
from agent_app.services.base import WITA
from tests.helpers.central import run_server

from .conftest import open_device, pay, register, reopen_device, seed_agents

EXTENSION = {
    "id": "perpanjangan-2027", "source": "Perpanjangan keringanan (uji)",
    "description": "Diskon 50 % iuran JKK dan JKM Mei-Desember 2027",
    "programmes": ["jkk", "jkm"], "factor": "0.5", "sectors": ["transport", "other"],
    "from": "2027-05", "to": "2027-12", "excluded_funding": ["apbn", "apbd"],
}


def publish(folder: Path, version: str, *, effective_from: str = "2026-01-01", change=None) -> None:
    """What the people who run the centre do: a new tariffs.json (the shipped one, changed)
    in its reference folder."""
    tariffs = json.loads((default_reference_dir() / "tariffs.json").read_text(encoding="utf-8"))
    tariffs.update(version=version, effective_from=effective_from)
    if change:
        change(tariffs)
    (folder / "tariffs.json").write_text(json.dumps(tariffs, ensure_ascii=False, indent=1),
                                         encoding="utf-8")


def test_a_tariff_the_centre_publishes_reaches_the_fee_engine(tmp_path, cheap_password_hashing):
    folder = tmp_path / "centre-reference"
    shutil.copytree(default_reference_dir(), folder)
    publish(folder, "2026.2", change=lambda t: t["overrides"].append(EXTENSION))
    (tmp_path / "centre").mkdir()
    with run_server(tmp_path / "centre", reference_dir=folder) as url:
        seed_agents(url.db_url, ("agen1",))
        dev = open_device(tmp_path, "tariff", url)
        shipped = dev.core.ref.tariff_version
        worker = register(dev, 8801, name="Daeng Tarif", birth=date(1980, 6, 7))
        full = dev.core.payments.quote(worker.id, ["2027-06"]).total

        report = dev.engine().sync_round()
        assert report.state == "up_to_date", report
        assert dev.core.ref.tariff_version == "2026.2"
        june = dev.core.payments.quote(worker.id, ["2027-06"])
        assert june.total < full and "perpanjangan-2027" in june.overrides_applied
        assert f"versi {shipped} menjadi 2026.2" in report.tariff_notice["id"]
        assert dev.core.payments.quote(worker.id, ["2027-04"]).total == full  # outside its months
        paid = pay(dev, worker.id, 1)
        assert paid.tariff_version == "2026.2"

        # A broken bundle (no JKM rate): refused, the last good one stays.
        publish(folder, "2026.3", change=lambda t: t["rates"].pop("jkm"))
        dev.clock.advance(days=1, minutes=1)  # the daily check
        report = dev.engine().sync_round()
        assert report.state == "up_to_date" and report.tariff_notice is None
        assert any("refused" in e and "jkm" in e for e in report.errors), report.errors
        assert dev.core.ref.tariff_version == "2026.2"

        # A tariff that takes effect next year waits for its date.
        publish(folder, "2027.1", effective_from="2027-01-01")
        dev.clock.advance(days=1, minutes=1)
        report = dev.engine().sync_round()
        assert report.errors == [] and report.tariff_notice is None
        assert dev.core.ref.tariff_version == "2026.2"
    dev = reopen_device(dev)  # a restart, offline
    assert dev.core.ref.tariff_version == "2026.2" and dev.core.tariff_notice is None
    assert dev.core.payments.quote(worker.id, ["2027-06"]).total == june.total
    dev.clock.moment = datetime(2027, 1, 2, 9, 0, tzinfo=WITA)  # New Year has come
    dev = reopen_device(dev)
    assert dev.core.ref.tariff_version == "2027.1"
    assert "2026.2 menjadi 2027.1" in dev.core.tariff_notice["id"]
    dev.core.close()
