"""GET /v1/pull: scope, cursor paging, tombstones, expiry, participant summaries."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

import perisai_protocol as protocol
from central_server.ops import carry_out_deletion
from tests.helpers.samples import BONTORANNU, MARISO, make_op, payment_payload, void_payload, worker_payload

from .helpers import assert_error


def _ids(changes, entity="worker", op="upsert"):
    return [c["id"] for c in changes if c["entity"] == entity and c["op"] == op]


def test_pull_is_scoped_to_the_agents_kecamatan(central):
    central.add_user("agen.tamalate")
    central.add_user("agen.mariso", kecamatan=MARISO)
    central.add_user("kota", role="supervisor", kecamatan=None)
    t = central.login("agen.tamalate")
    w_t = worker_payload(serial=1)
    w_m = worker_payload(serial=2, kecamatan_code=MARISO, kelurahan_code=BONTORANNU)
    t.push([make_op("worker.register", w_t, 1), make_op("worker.register", w_m, 2)])  # anywhere is fine
    pay = payment_payload(w_m["id"], ["2026-03"])
    t.push([make_op("payment.collect", pay, 3)])
    tamalate, _ = t.pull_all()
    mariso, _ = central.login("agen.mariso").pull_all()
    city, _ = central.login("kota").pull_all()
    assert _ids(tamalate) == [w_t["id"]] and _ids(tamalate, "payment") == []
    assert _ids(mariso) == [w_m["id"]] and _ids(mariso, "payment") == [pay["id"]]
    assert sorted(_ids(city)) == sorted([w_t["id"], w_m["id"]])


def test_pull_is_scoped_to_kelurahan_when_user_has_one(central):
    central.add_user("agen.kel", kelurahan="73711001001")
    agent = central.login("agen.kel")
    here = worker_payload(serial=1)
    there = worker_payload(serial=2, kelurahan_code="73711001003")
    agent.push([make_op("worker.register", here, 1), make_op("worker.register", there, 2)])
    changes, _ = agent.pull_all()
    assert _ids(changes) == [here["id"]]


def test_paging_in_seq_order_and_cursor_resume(agent):
    workers = [worker_payload(serial=10 + i, full_name=f"Pekerja {i}") for i in range(7)]
    agent.push([make_op("worker.register", w, i + 1) for i, w in enumerate(workers)])
    r = agent.pull(0, limit=3)
    page = protocol.PullResponse.model_validate(r.json())
    assert page.has_more and len(page.changes) == 3
    rest, cursor = agent.pull_all(page.cursor, limit=3)
    seqs = [c.seq for c in page.changes] + [c["seq"] for c in rest]
    assert seqs == sorted(seqs) and len(set(seqs)) == 7
    assert [c.id for c in page.changes] + _ids(rest) == [w["id"] for w in workers]
    # nothing new: same cursor, no changes
    again = agent.pull(cursor).json()
    assert (again["changes"], again["cursor"], again["has_more"]) == ([], cursor, False)


def test_worker_change_carries_kpj_alias_and_paid_through(central):
    central.add_user("agen.satu")
    agent = central.login("agen.satu")
    w = worker_payload()
    twin = worker_payload(nik=w["nik"])
    res = agent.push([make_op("worker.register", w, 1), make_op("worker.register", twin, 2)])["results"]
    p1 = payment_payload(w["id"], ["2026-01", "2026-02"])
    p2 = payment_payload(twin["id"], ["2026-03"])  # through the alias
    agent.push([make_op("payment.collect", p1, 3), make_op("payment.collect", p2, 4)])
    changes, cursor = agent.pull_all()
    latest = {c["id"]: c for c in changes}
    canon = latest[w["id"]]["data"]
    assert canon["kpj"] == res[0]["assigned"]["kpj"] and canon["canonical_id"] == w["id"]
    assert canon["alias_of"] is None and canon["nik"] == w["nik"]
    assert canon["paid_through"] == "2026-03" and canon["paid_months"] == ["2026-01", "2026-02", "2026-03"]
    alias = latest[twin["id"]]["data"]
    assert alias["alias_of"] == w["id"] and alias["kpj"] == canon["kpj"]
    assert latest[p2["id"]]["data"]["participant_id"] == w["id"]
    # a void shrinks paid_through, and the client sees both payment rows change
    agent.push([make_op("payment.void", void_payload(p2), 5)])
    more, _ = agent.pull_all(cursor)
    got = {c["id"]: c["data"] for c in more}
    assert got[w["id"]]["paid_through"] == "2026-02"
    assert got[p2["id"]]["voided_by"] is not None
    assert [d["kind"] for d in got.values() if d.get("voids_payment_id") == p2["id"]] == ["void"]


def test_log_is_compacted_one_row_per_entity(agent):
    w = worker_payload()
    agent.push([make_op("worker.register", w, 1)])
    for i in range(5):
        agent.push([make_op("worker.update", {"id": w["id"], "address": f"Jl. Baru {i}"}, i + 2)])
    changes, _ = agent.pull_all()
    assert _ids(changes) == [w["id"]]
    assert changes[0]["data"]["address"] == "Jl. Baru 4"


def test_moving_out_of_scope_sends_a_delete_to_the_old_scope(central):
    central.add_user("agen.tamalate")
    central.add_user("agen.mariso", kecamatan=MARISO)
    t, m = central.login("agen.tamalate"), central.login("agen.mariso")
    w = worker_payload()
    t.push([make_op("worker.register", w, 1)])
    _, cursor = t.pull_all()
    t.push([make_op("worker.update", {"id": w["id"], "kecamatan_code": MARISO, "kelurahan_code": BONTORANNU}, 2)])
    changes, _ = t.pull_all(cursor)
    assert [(c["id"], c["op"]) for c in changes] == [(w["id"], "delete")]
    assert _ids(m.pull_all()[0]) == [w["id"]]


def test_tombstone_after_admin_deletion_then_cursor_expiry(make_central, clock):
    central = make_central(change_retention=timedelta(days=30))
    central.add_user("agen.satu")
    agent = central.login("agen.satu")
    w1, w2 = worker_payload(serial=1), worker_payload(serial=2)
    agent.push([make_op("worker.register", w1, 1)])
    _, old_cursor = agent.pull_all()
    agent.push([make_op("worker.register", w2, 2)])
    _, mid_cursor = agent.pull_all(old_cursor)
    with Session(central.engine) as s:
        assert carry_out_deletion(s, clock(), w1["id"])
        s.commit()
    changes, new_cursor = agent.pull_all(mid_cursor)
    assert [(c["id"], c["op"], c["data"]) for c in changes] == [(w1["id"], "delete", None)]
    # a fresh device gets the survivor only
    full, _ = agent.pull_all(0)
    assert _ids(full) == [w2["id"]]
    # 31 days later the tombstone is pruned: a device that never saw it must resync
    clock.advance(days=31)
    agent = central.login("agen.satu", agent.device_id)  # the access token expired meanwhile
    assert_error(agent.pull(mid_cursor), 410, "cursor_expired")
    assert agent.pull(new_cursor).status_code == 200
    assert agent.pull(0).status_code == 200


def test_cursor_beyond_the_log_is_expired(agent):
    assert_error(agent.pull(10_000), 410, "cursor_expired")


def test_bad_query_parameters_are_400(agent):
    assert_error(agent.central.http.get("/v1/pull", params={"cursor": "abc"}, headers=agent.headers), 400,
                 "invalid_request")
    assert_error(agent.central.http.get("/v1/pull", params={"cursor": -1}, headers=agent.headers), 400)


def test_payment_for_an_erased_participant_is_kept_and_the_tombstone_stays(central, clock):
    central.add_user("agen.satu")
    agent = central.login("agen.satu")
    w = worker_payload()
    agent.push([make_op("worker.register", w, 1)])
    with Session(central.engine) as s:
        carry_out_deletion(s, clock(), w["id"])
        s.commit()
    pay = payment_payload(w["id"], ["2026-03"])  # collected offline before the erasure reached the device
    assert agent.push([make_op("payment.collect", pay, 2)])["results"][0]["status"] == "applied"
    changes, _ = agent.pull_all()
    assert [(c["id"], c["op"]) for c in changes] == [(w["id"], "delete"), (pay["id"], "upsert")]
