"""Reconcile against the real server: operations the centre lost (its database restored
from a backup) are sent again, each lands exactly once; gaps the server can never fill (an
operation refused before it was sent) are not mistaken for losses; a counter laptop shared
by several users shows no gaps at all."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import urlparse

from sqlmodel import select

from agent_app.services.base import get_meta, set_meta
from agent_app.store.models import OutboxOp, Worker
from sync import headless
from sync.client import SyncClient
from sync.credentials import TokenStore
from sync.pull import cursor_key
from sync.reconcile import stream_hole_key
from tests.helpers.faultproxy import FaultProxy

from .conftest import (
    PASSWORD,
    Central,
    Centre,
    Device,
    check_drained,
    open_device,
    pay,
    register,
    seed_agents,
)


def server_ops(central: Central, dev: Device) -> list[str]:
    return [r[0] for r in central.query("SELECT op_id FROM applied_ops WHERE device_id = :d",
                                        d=dev.core.device_id)]


def acked(dev: Device) -> dict[str, OutboxOp]:
    with dev.db.read() as s:
        return {op.op_id: op for op in s.exec(select(OutboxOp).where(
            OutboxOp.state.in_(("acked", "needs_review"))))}


def assert_each_op_once(central: Central, dev: Device) -> None:
    check_drained([dev], central)
    on_server = server_ops(central, dev)
    assert sorted(on_server) == sorted(acked(dev)), "the server and the device disagree"


def meta(dev: Device, key: str) -> str | None:
    with dev.db.read() as s:
        return get_meta(s, key)


def stream_requests(central: Central) -> int:
    """GET /v1/stream requests the server has answered so far (its access log)."""
    port = urlparse(central.base_url).port
    log = (central.tmp / f"central-server-{port}.log").read_text(errors="replace")
    return log.count('"GET /v1/stream ')


def stream_status(dev: Device, base_url: str):
    tokens = TokenStore(base_url).get(dev.username)
    client = SyncClient(base_url)
    try:
        return client.stream(tokens.access_token)
    finally:
        client.close()


def test_a_centre_restored_from_a_backup_gets_the_lost_operations_again(
        tmp_path, cheap_password_hashing):
    centre = Centre(tmp_path / "centre")
    with centre.running() as central:
        seed_agents(central.db_url, ("agen1",))
        dev = open_device(tmp_path, "restore", central.base_url)
        first = register(dev, 8401, name="Daeng Sebelum Cadangan", birth=date(1977, 8, 9))
        pay(dev, first.id, 1)
        assert dev.engine().sync_round().state == "up_to_date"
    centre.backup(tmp_path / "backup.db")  # the nightly backup
    with centre.running() as central:
        later = register(dev, 8402, name="Daeng Sesudah Cadangan", birth=date(1977, 8, 10))
        later_pay = pay(dev, later.id, 3)
        assert dev.engine().sync_round().acked == 2
        lost = {op_id for op_id, op in acked(dev).items() if op.entity_id in (later.id, later_pay.id)}
        assert lost <= set(server_ops(central, dev))
    centre.restore(tmp_path / "backup.db")  # the disk died; the centre restores last night
    with centre.running() as central:
        assert not lost & set(server_ops(central, dev))
        assert not central.query("SELECT id FROM participants WHERE id = :w", w=later.id)
        # Nothing is queued on the device; the next round finds out and sends them again.
        report = dev.engine().sync_round()
        assert report.state == "up_to_date", report
        assert report.resent == 2 and report.acked >= 2
        assert_each_op_once(central, dev)
        [(kpj,)] = central.query("SELECT kpj FROM participants WHERE id = :w", w=later.id)
        with dev.db.read() as s:
            assert s.get(Worker, later.id).kpj == kpj  # the number the centre gave again
        assert central.query("SELECT amount FROM payments WHERE id = :p", p=later_pay.id) == \
            [(later_pay.amount,)]
        status = stream_status(dev, central.base_url)
        assert status.missing_seqs == [] and status.contiguous_seq == status.highest_seq
        # Once repaired, a round costs no more than before.
        asked = stream_requests(central)
        again = dev.engine().sync_round()
        assert (again.state, again.resent, again.pushed) == ("up_to_date", 0, 0)
        assert stream_requests(central) == asked
        dev.core.close()


def test_the_push_answer_alone_reveals_lost_operations(tmp_path, cheap_password_hashing):
    """The centre was restored while the device kept working: its next push is answered
    with a contiguous seq below what it had acknowledged. (The pull cursor is reset here so
    that the pull, which would also notice a cursor beyond the restored log, tells nothing.)
    An operation the centre rejected before the restore is not sent again: it changed
    nothing there, and the gap it leaves is remembered, not reconciled over and over."""
    centre = Centre(tmp_path / "centre")
    with centre.running() as central:
        seed_agents(central.db_url, ("agen1",))
        dev = open_device(tmp_path, "answer", central.base_url)
        pay(dev, register(dev, 8403, name="Daeng Awal", birth=date(1980, 1, 2)).id, 1)
        assert dev.engine().sync_round().state == "up_to_date"
    centre.backup(tmp_path / "backup.db")
    with centre.running() as central:
        kept = register(dev, 8404, name="Daeng Hilang", birth=date(1980, 1, 3))
        refused = register(dev, 8405, name="Daeng Ditolak", birth=date(1980, 1, 4))
        _make_the_server_refuse(dev, refused.id)
        report = dev.engine().sync_round()
        assert (report.acked, report.rejected) == (1, 1)
    centre.restore(tmp_path / "backup.db")
    with centre.running() as central:
        with dev.db.write() as s:
            set_meta(s, cursor_key(dev.user.id), "0")
        newest = register(dev, 8406, name="Daeng Terbaru", birth=date(1980, 1, 5))
        said = io.StringIO()  # the scheduled task's round, as support staff read it
        rc = headless.sync_once(dev.core, central.base_url, dev.username, out=said)
        assert rc == headless.EXIT_REJECTED, said.getvalue()  # the refused one still needs attention
        # the acknowledged registration is sent again; not the rejected one
        assert "1 operasi dikirim ulang: server pusat tidak lagi menyimpannya" in said.getvalue()
        assert_each_op_once(central, dev)
        ids = {r[0] for r in central.query("SELECT id FROM participants")}
        assert {kept.id, newest.id} <= ids and refused.id not in ids
        with dev.db.read() as s:
            refused_op = s.exec(select(OutboxOp).where(OutboxOp.entity_id == refused.id)).one()
        assert refused_op.state == "rejected"
        assert stream_status(dev, central.base_url).missing_seqs == [refused_op.seq]
        assert meta(dev, stream_hole_key(dev.user.id)) == str(refused_op.seq)
        # That gap is known: later pushes do not start a reconcile again.
        asked = stream_requests(central)
        pay(dev, newest.id, 1)
        again = dev.engine().sync_round()
        assert (again.state, again.acked, again.resent) == ("up_to_date", 1, 0)
        assert stream_requests(central) == asked
        dev.core.close()


def _make_the_server_refuse(dev: Device, worker_id: str) -> None:
    """Rewrite the queued registration behind the service's back: an unknown kelurahan."""
    import json

    from perisai_protocol import canonical_json, payload_hash

    with dev.db.write() as s:
        op = s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker_id)).one()
        payload = json.loads(op.payload)
        payload["kelurahan_code"] = "73719999999"
        op.payload, op.payload_hash = canonical_json(payload), payload_hash(payload)
        s.add(op)


def test_an_operation_refused_before_sending_is_a_gap_not_a_loss(central, device):
    """A batch-level 400 isolates one poison operation, rejected here and never recorded by
    the server: its seq stays missing there for good. The periodic reconcile sees it,
    re-sends nothing and remembers it; pushes after it do not trigger a reconcile."""
    u = urlparse(central.base_url)
    with FaultProxy(u.hostname, u.port, seed=7) as proxy:
        dev = device("gap", base_url=proxy.url)
        for serial in range(3):
            register(dev, 8410 + serial, name=f"Daeng Celah {'ABC'[serial]}", birth=date(1981, 2, 3))
        with dev.db.read() as s:
            poison = s.exec(select(OutboxOp).order_by(OutboxOp.seq)).all()[1]
        proxy.inject("http_400", path="/v1/push", times=100, if_contains=poison.op_id)
        engine = dev.engine(client=SyncClient(proxy.url, connect_timeout=1, read_timeout=3,
                                              deadline=8))
        asked = stream_requests(central)
        assert engine.drain(max_rounds=5, sleep=lambda _s: None).state == "up_to_date"
        assert stream_requests(central) == asked  # no false alarm
        proxy.clear()
        with dev.db.read() as s:
            assert s.get(OutboxOp, poison.op_id).state == "rejected"
        assert stream_status(dev, proxy.url).missing_seqs == [poison.seq]
        asked = stream_requests(central)
        dev.clock.advance(hours=7)  # the periodic comparison is due
        report = dev.engine().sync_round()
        assert (report.state, report.resent) == ("up_to_date", 0)
        assert stream_requests(central) == asked + 1
        assert meta(dev, stream_hole_key(dev.user.id)) == str(poison.seq)
        register(dev, 8419, name="Daeng Sesudah Celah", birth=date(1981, 2, 3))
        report = dev.engine().sync_round()
        assert (report.acked, report.resent) == (1, 0)
        assert stream_requests(central) == asked + 1  # the known gap asks for nothing
    assert_each_op_once(central, dev)


def test_a_counter_laptop_shared_by_two_users_shows_no_gaps(central, device):
    """Seqs are numbered per user on a device, as the server tracks its (device, user)
    streams: each user's stream is gapless, whoever else works on the laptop."""
    dev = device("shared-streams", "agen1")
    assert headless.login(dev.core, central.base_url, "agen2", PASSWORD, out=io.StringIO()) == 0
    other = Device("shared-streams-2", dev.core, central.base_url, "agen2",
                   dev.core.users.authenticate("agen2", PASSWORD), dev.clock, 600)
    for turn in range(3):  # the two users take turns at the counter
        letter = "ABC"[turn]
        pay(dev, register(dev, 8420 + turn, name=f"Daeng Loket {letter}", birth=date(1982, 3, 4)).id, 1)
        register(other, 8430 + turn, name=f"Daeng Loket Dua {letter}", birth=date(1982, 3, 5))
    for person in (dev, other):
        asked = stream_requests(central)
        report = person.engine().sync_round()
        assert report.state == "up_to_date" and report.resent == 0
        assert stream_requests(central) == asked  # nothing looked lost
        with person.db.read() as s:
            seqs = sorted(s.exec(select(OutboxOp.seq).where(OutboxOp.user_id == person.user.id)))
        status = stream_status(person, central.base_url)
        assert status.missing_seqs == []
        assert status.contiguous_seq == status.highest_seq == seqs[-1] == len(seqs)
    check_drained([dev], central)
