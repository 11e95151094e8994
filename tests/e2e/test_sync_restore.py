"""The centre restored from a backup: every device notices at its next contact and, in
that one normal round, sends again all the centre lost (a payment refused for a worker the
centre no longer knew goes again once that worker is back), and pulls again from the start
when its cursor belongs to the log the restore threw away."""

from __future__ import annotations

import time
from datetime import date

from sqlmodel import select

from agent_app.store.models import OutboxOp, OutboxState, Worker

from .conftest import Centre, Device, check_drained, open_device, pay, register, seed_agents


def on_server(central, dev: Device) -> set[str]:
    return {r[0] for r in central.query("SELECT op_id FROM applied_ops WHERE device_id = :d",
                                        d=dev.core.device_id)}


def held(dev: Device) -> set[str]:
    """Operations of this device the centre had answered as applied (or in review)."""
    with dev.db.read() as s:
        return set(s.exec(select(OutboxOp.op_id).where(
            OutboxOp.state.in_(OutboxState.on_server()))))


def workers_of(dev: Device) -> set[str]:
    with dev.db.read() as s:
        return set(s.exec(select(Worker.id).where(Worker.deleted == False)))  # noqa: E712


def one_round(dev: Device) -> tuple[float, object]:
    started = time.monotonic()
    report = dev.engine().sync_round()
    return time.monotonic() - started, report


def test_after_a_restore_every_device_is_whole_again_after_one_round(
        tmp_path, cheap_password_hashing):
    centre = Centre(tmp_path / "centre")
    with centre.running() as central:
        seed_agents(central.db_url)
        a, b, c = (open_device(tmp_path, name, central.base_url, user)
                   for name, user in (("a", "agen1"), ("b", "agen2"), ("c", "agen3")))
        for dev in (a, b, c):
            assert dev.engine().sync_round().state == "up_to_date"
    centre.backup(tmp_path / "backup.db")  # last night's backup
    with centre.running() as central:
        wa = register(a, 8601, name="Daeng Hilang Satu", birth=date(1971, 1, 2))
        wb = register(b, 8602, name="Daeng Hilang Dua", birth=date(1971, 1, 3))
        pay(b, wb.id, 1)
        for dev in (a, b):
            assert dev.engine().sync_round().state == "up_to_date"
    centre.restore(tmp_path / "backup.db")  # the disk died: last night's copy comes back
    centre.new_epoch()
    with centre.running() as central:
        assert not central.query("SELECT id FROM participants WHERE id IN (:a, :b)",
                                 a=wa.id, b=wb.id)  # lost with the disk
        # a collects for a person the restored centre does not know any more.
        pa = pay(a, wa.id, 1)
        # c keeps working: the log grows past b's old cursor before b's next contact.
        new = [register(c, 8610 + i, name=f"Daeng Baru {'ABCDEF'[i]}", birth=date(1972, 2, 3)).id
               for i in range(6)]
        assert c.engine().sync_round().state == "up_to_date"
        repair = {}
        for dev in (a, b):  # one normal round each
            repair[dev.name], report = one_round(dev)
            assert report.state == "up_to_date", report
        print(f"repair round after the restore: {repair}")
        for dev in (a, b, c):
            assert held(dev) <= on_server(central, dev), f"{dev.name} still misses operations"
            assert dev.core.attention.items(dev.user.id) == [], dev.name
        assert central.query("SELECT id FROM payments WHERE id = :p", p=pa.id) == [(pa.id,)]
        assert set(new) <= workers_of(b)  # b pulled the log the restore began again
        check_drained([a, b, c], central)
        for dev in (a, b, c):
            dev.core.close()


def test_a_device_that_saw_the_lost_log_starts_a_new_epoch_for_everyone(
        tmp_path, cheap_password_hashing):
    """Restored without telling anyone: the first device whose cursor lies beyond the
    restored log proves it; the centre starts a new epoch, and a device whose cursor is
    still inside that log learns it at its next contact and pulls again from the start."""
    centre = Centre(tmp_path / "centre")
    with centre.running() as central:
        seed_agents(central.db_url, ("agen1", "agen2"))
        early, late = (open_device(tmp_path, name, central.base_url, user)
                       for name, user in (("early", "agen1"), ("late", "agen2")))
        register(early, 8620, name="Daeng Sebelum", birth=date(1973, 3, 4))
        assert early.engine().sync_round().state == "up_to_date"
    centre.backup(tmp_path / "backup.db")
    with centre.running() as central:
        lost = register(late, 8621, name="Daeng Sesudah", birth=date(1973, 3, 5))
        assert late.engine().sync_round().state == "up_to_date"
        assert early.engine().sync_round().state == "up_to_date"  # early saw it too
    centre.restore(tmp_path / "backup.db")
    with centre.running() as central:
        [(before,)] = central.query("SELECT value FROM server_meta WHERE key = 'epoch'")
        report = late.engine().sync_round()  # its cursor is beyond the restored log
        assert report.state == "up_to_date" and report.resent == 1
        [(after,)] = central.query("SELECT value FROM server_meta WHERE key = 'epoch'")
        assert after != before
        fresh = register(late, 8622, name="Daeng Terbaru", birth=date(1973, 3, 6))
        assert late.engine().sync_round().state == "up_to_date"
        report = early.engine().sync_round()
        assert report.state == "up_to_date"
        assert {lost.id, fresh.id} <= workers_of(early)
        check_drained([early, late], central)
        for dev in (early, late):
            dev.core.close()
