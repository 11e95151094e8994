"""POST /v1/push: idempotency, isolation of bad operations, identities, money."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

import perisai_protocol as protocol
from central_server.db import _lock_id, lock_keys, make_engine
from central_server.models import AppliedOp, Participant, ReviewItem, ServerPayment
from tests.helpers.samples import BONTORANNU, MARISO, make_op, payment_payload, void_payload, worker_payload

from .helpers import row_counts


def register(agent, **kw):
    payload = worker_payload(**kw)
    op = make_op("worker.register", payload, agent.next_seq())
    return payload, op, agent.push([op])["results"][0]


def test_register_assigns_kpj_and_echoes_batch(agent):
    payload = worker_payload()
    op = make_op("worker.register", payload, agent.next_seq())
    body = {"batch_id": "batch-0001", "device_id": agent.device_id, "app_version": "0.1.0", "ops": [op]}
    r = agent.push_raw(body)
    assert r.status_code == 200
    resp = protocol.PushResponse.model_validate(r.json())
    assert resp.batch_id == "batch-0001"
    assert resp.contiguous_seq == 1
    (result,) = resp.results
    assert result.status == "applied" and result.op_id == op["op_id"]
    assert result.assigned["canonical_id"] == payload["id"]
    kpj = result.assigned["kpj"]
    assert isinstance(kpj, str) and len(kpj) == 11 and kpj.isdigit()


def test_same_op_twice_is_duplicate_with_same_result(agent):
    payload = worker_payload()
    op = make_op("worker.register", payload, agent.next_seq())
    first = agent.push([op])["results"][0]
    second = agent.push([op])["results"][0]
    assert first["status"] == "applied"
    assert second["status"] == "duplicate"
    assert second["original_status"] == "applied"
    assert second["assigned"] == first["assigned"]
    with Session(agent.central.engine) as s:
        assert len(s.exec(select(Participant)).all()) == 1


def test_same_op_id_different_payload_is_rejected(agent):
    payload = worker_payload()
    op = make_op("worker.register", payload, agent.next_seq())
    agent.push([op])
    changed = dict(payload, full_name="Someone Else")
    forged = dict(op, payload=changed, payload_hash=protocol.payload_hash(changed))
    result = agent.push([forged])["results"][0]
    assert result["status"] == "rejected" and result["code"] == "op_id_reused"
    with Session(agent.central.engine) as s:
        assert s.get(Participant, payload["id"]).full_name == payload["full_name"]


def test_poison_ops_in_the_middle_do_not_block_the_batch(agent):
    good1 = make_op("worker.register", worker_payload(serial=11), 1)
    bad_hash = make_op("worker.register", worker_payload(serial=12), 2)
    bad_hash["payload_hash"] = "0" * 64
    unknown = make_op("worker.teleport", {"id": "x"}, 3)
    too_new = make_op("worker.register", worker_payload(serial=13), 4, schema_version=99)
    invalid = make_op("worker.register", worker_payload(serial=14, nik="123"), 5)
    good2 = make_op("worker.register", worker_payload(serial=15), 6)
    resp = agent.push([good1, bad_hash, unknown, too_new, invalid, good2])
    got = [(r["status"], r["code"]) for r in resp["results"]]
    assert got == [("applied", None), ("rejected", "hash_mismatch"), ("rejected", "unknown_kind"),
                   ("rejected", "schema_unsupported"), ("rejected", "invalid_payload"), ("applied", None)]
    for r in resp["results"][1:5]:
        assert r["message"]["id"] and r["message"]["en"]
    assert resp["contiguous_seq"] == 6  # rejected ops were received all the same
    with Session(agent.central.engine) as s:
        ids = {p.id for p in s.exec(select(Participant)).all()}
    assert ids == {good1["entity_id"], good2["entity_id"]}


INVALID_REGISTRATIONS = [
    ({"nik": "7371101204850000"}, "nik_invalid"),  # serial 0000
    ({"nik": "9971101204850001"}, "nik_invalid"),  # unknown province
    ({"sex": "F"}, "nik_birth_mismatch"),  # NIK day has no +40
    ({"birth_date": "1985-04-13"}, "nik_birth_mismatch"),
    ({"kelurahan_code": BONTORANNU}, "region_unknown"),  # kelurahan of Mariso, kecamatan Tamalate
    ({"kelurahan_code": "73711009999"}, "region_unknown"),
    ({"declared_income": 900_000}, "invalid_payload"),
    ({"occupations": ["a", "b", "c"]}, "invalid_payload"),
    ({"programmes": {"jkk": "self"}}, "programmes_invalid"),
    ({"is_employer": True}, "programmes_invalid"),  # employer without JHT
    ({"phone": "0812345"}, "invalid_payload"),
]


def test_invalid_registrations_are_rejected_with_a_reason(agent):
    ops = [make_op("worker.register", {**worker_payload(), **change}, i + 1)
           for i, (change, _) in enumerate(INVALID_REGISTRATIONS)]
    results = agent.push(ops)["results"]
    for (change, code), result in zip(INVALID_REGISTRATIONS, results, strict=True):
        assert (result["status"], result["code"]) == ("rejected", code), change
        assert result["message"]["id"] != result["message"]["en"]
    assert row_counts(agent.central.engine)["participants"] == 0


def test_age_limit_at_registration(agent):
    old = worker_payload(birth_date="1960-01-01", serial=3)
    result = agent.push([make_op("worker.register", old, 1)])["results"][0]
    assert result["code"] == "age_limit"


def test_registration_outside_own_kecamatan_is_allowed(agent):
    payload = worker_payload(kecamatan_code=MARISO, kelurahan_code=BONTORANNU)
    result = agent.push([make_op("worker.register", payload, 1)])["results"][0]
    assert result["status"] == "applied"


def test_dotless_kemendagri_codes_are_accepted(agent):
    payload = worker_payload(kecamatan_code="737110", kelurahan_code="7371101001")
    assert agent.push([make_op("worker.register", payload, 1)])["results"][0]["status"] == "applied"


def test_duplicate_nik_same_person_becomes_alias(central):
    central.add_user("agen.satu")
    central.add_user("agen.dua")
    a, b = central.login("agen.satu"), central.login("agen.dua")
    first = worker_payload(full_name="Daeng  Sikki")
    second = worker_payload(full_name="daeng sikki ", nik=first["nik"])
    r1 = a.push([make_op("worker.register", first, 1)])["results"][0]
    r2 = b.push([make_op("worker.register", second, 1)])["results"][0]
    assert r2["status"] == "applied"
    assert r2["assigned"] == {"canonical_id": first["id"], "kpj": r1["assigned"]["kpj"], "alias": True}
    # A payment pushed against the alias id lands on the canonical participant.
    pay = payment_payload(second["id"], ["2026-03"])
    r3 = b.push([make_op("payment.collect", pay, 2)])["results"][0]
    assert r3["status"] == "applied" and r3["assigned"]["canonical_id"] == first["id"]
    with Session(central.engine) as s:
        assert s.get(ServerPayment, pay["id"]).participant_id == first["id"]
        assert s.get(Participant, second["id"]).alias_of == first["id"]


def test_duplicate_nik_different_person_goes_to_review_without_kpj(central):
    central.add_user("agen.satu")
    central.add_user("agen.dua")
    a, b = central.login("agen.satu"), central.login("agen.dua")
    first = worker_payload(full_name="Daeng Sikki")
    other = worker_payload(full_name="Andi Baso", nik=first["nik"])
    a.push([make_op("worker.register", first, 1)])
    r = b.push([make_op("worker.register", other, 1)])["results"][0]
    assert r["status"] == "needs_review" and r["code"] == "nik_conflict"
    assert "kpj" not in r["assigned"]
    assert r["message"]["id"] and r["message"]["en"]
    with Session(central.engine) as s:
        items = s.exec(select(ReviewItem)).all()
        assert [(i.participant_id, i.other_participant_id, i.status) for i in items] == [
            (other["id"], first["id"], "open")]
        assert s.get(Participant, other["id"]).kpj is None
    # The op is recorded: a resend is a duplicate that still says it needs review.
    again = b.push([make_op("worker.register", other, 1, op_id=r["op_id"])])["results"][0]
    assert again["status"] == "duplicate" and again["original_status"] == "needs_review"
    # Payments to the person under review are still accepted (cash was collected).
    pay = payment_payload(other["id"], ["2026-03"])
    assert b.push([make_op("payment.collect", pay, 2)])["results"][0]["status"] == "applied"


def test_the_same_nik_twice_in_one_batch_meets_itself(agent):
    """A batch reads the participants its registrations name once: what it registers
    itself counts too, as it did when each registration asked the database."""
    first = worker_payload(serial=31, full_name="Daeng Sikki")
    same_person = worker_payload(nik=first["nik"], full_name="daeng  sikki")
    other_person = worker_payload(nik=first["nik"], full_name="Hasnah")
    resp = agent.push([make_op("worker.register", p, i + 1)
                       for i, p in enumerate((first, same_person, other_person))])
    r1, r2, r3 = resp["results"]
    assert r1["status"] == "applied"
    assert r2["assigned"] == {"canonical_id": first["id"], "kpj": r1["assigned"]["kpj"], "alias": True}
    assert (r3["status"], r3["code"]) == ("needs_review", "nik_conflict")


def test_an_alias_registered_again_in_its_batch_answers_with_the_kpj_of_its_canonical(agent):
    """A batch's registrations are written together at its end: one sent again (a new op
    id, the same worker) in the same batch still finds its canonical record and its KPJ."""
    first = worker_payload(serial=33, full_name="Daeng Sikki")
    alias = worker_payload(nik=first["nik"], full_name="Daeng Sikki")
    ops = [make_op("worker.register", p, i + 1) for i, p in enumerate((first, alias, alias))]
    r1, r2, r3 = agent.push(ops)["results"]
    assert r2["assigned"]["alias"] is True
    assert r3["status"] == "applied"
    assert r3["assigned"] == {"kpj": r1["assigned"]["kpj"], "canonical_id": first["id"]}
    with Session(agent.central.engine) as s:
        assert {p.id: p.canonical_id for p in s.exec(select(Participant)).all()} == {
            first["id"]: first["id"], alias["id"]: first["id"]}


def test_a_payment_for_a_worker_registered_in_its_batch_needs_no_savepoints(agent):
    """The batch's new participants are written before an operation that may read them:
    the payment finds its worker at the first attempt, which takes no savepoint."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(agent.central.engine, "before_cursor_execute", seen)
    w = worker_payload(serial=34)
    try:
        body = agent.push([make_op("worker.register", w, 1),
                           make_op("payment.collect", payment_payload(w["id"], ["2026-03"]), 2)])
    finally:
        event.remove(agent.central.engine, "before_cursor_execute", seen)
    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    assert not [sql for sql in statements if "SAVEPOINT" in sql.upper()]


def test_a_registration_the_database_refuses_is_rejected_alone(agent):
    """A value the payload allows but the participant's column does not (a JHT funding
    source longer than 16 characters): the batch's new rows are written in each op's
    savepoint when it is applied again, so that registration alone is refused."""
    if agent.central.engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce the length of a text column")
    long_funding = worker_payload(serial=36, programmes={"jkk": "self", "jkm": "self", "jht": "x" * 20})
    payloads = (worker_payload(serial=35), long_funding, worker_payload(serial=37))
    results = agent.push([make_op("worker.register", p, i + 1) for i, p in enumerate(payloads)])["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("applied", None), ("rejected", "invalid_payload"), ("applied", None)]
    with Session(agent.central.engine) as s:
        assert {p.id for p in s.exec(select(Participant)).all()} == {payloads[0]["id"], payloads[2]["id"]}


def test_a_registration_undone_in_its_batch_is_not_met_by_the_next(agent, monkeypatch):
    """An operation that fails after writing is undone alone (the batch is applied again
    with a savepoint each): the registration it made is gone for the batch's later ops."""
    from central_server import ops

    crashing = worker_payload(serial=41, full_name="Daeng Sikki")
    real_add = ops.Participants.add

    def add_then_crash(self, row):
        real_add(self, row)
        if row.id == crashing["id"]:
            raise RuntimeError("bug after the write")

    monkeypatch.setattr(ops.Participants, "add", add_then_crash)
    again = worker_payload(nik=crashing["nik"], full_name="Daeng Sikki")
    resp = agent.push([make_op("worker.register", crashing, 1), make_op("worker.register", again, 2)])
    r1, r2 = resp["results"]
    assert (r1["status"], r1["code"]) == ("rejected", "internal_error")
    assert r2["status"] == "applied" and r2["assigned"]["canonical_id"] == again["id"]
    with Session(agent.central.engine) as s:
        assert {p.id for p in s.exec(select(Participant)).all()} == {again["id"]}


def test_a_batch_takes_the_pull_logs_counter_last(agent):
    """The "change" counter's row lock serialises every batch of the centre: between
    taking it and the commit a batch writes its change rows and nothing else (the stream,
    the device's report, the summaries, the applied ops all come before)."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        statements.append(f"{statement} {parameters}")

    event.listen(agent.central.engine, "before_cursor_execute", seen)
    try:
        ops = [make_op("worker.register", worker_payload(serial=serial), agent.next_seq()) for serial in (31, 32)]
        assert [r["status"] for r in agent.push(ops)["results"]] == ["applied", "applied"]
    finally:
        event.remove(agent.central.engine, "before_cursor_execute", seen)
    taken = [i for i, sql in enumerate(statements) if sql.startswith("UPDATE counters") and "change" in sql]
    assert len(taken) == 1
    after = [sql.split()[:3] for sql in statements[taken[0] + 1:]]
    assert after == [["INSERT", "INTO", "changes"]]


def test_kpj_numbers_are_unique_11_digit_strings(agent):
    ops = [make_op("worker.register", worker_payload(serial=100 + i, full_name=f"Pekerja {i}"), i + 1)
           for i in range(25)]
    resp = agent.push(ops)
    kpjs = [r["assigned"]["kpj"] for r in resp["results"]]
    assert all(r["status"] == "applied" for r in resp["results"])
    assert len(set(kpjs)) == 25
    assert all(len(k) == 11 and k.isdigit() for k in kpjs)
    assert min(kpjs).startswith("0")  # leading zeros kept: an opaque string, not a number


def test_double_payment_is_kept_and_flagged(central):
    central.add_user("agen.satu")
    central.add_user("agen.dua")
    a, b = central.login("agen.satu"), central.login("agen.dua")
    worker, _, _ = register(a)
    p1 = payment_payload(worker["id"], ["2026-03", "2026-04"])
    p2 = payment_payload(worker["id"], ["2026-04", "2026-05"])
    r1 = a.push([make_op("payment.collect", p1, a.next_seq())])["results"][0]
    r2 = b.push([make_op("payment.collect", p2, b.next_seq())])["results"][0]
    assert r1["status"] == "applied" and "flag" not in r1["assigned"]
    assert r2["status"] == "applied"
    assert r2["assigned"]["flag"] == "possible_double_collection"
    assert r2["assigned"]["overlap_months"] == ["2026-04"]
    with Session(central.engine) as s:
        amounts = sorted(p.amount for p in s.exec(select(ServerPayment)).all())
    assert amounts == sorted([p1["amount"], p2["amount"]])  # never drop money


def test_voided_payment_no_longer_counts_for_double_collection(agent):
    worker, _, _ = register(agent)
    p1 = payment_payload(worker["id"], ["2026-03"])
    agent.push([make_op("payment.collect", p1, agent.next_seq())])
    v = void_payload(p1)
    rv = agent.push([make_op("payment.void", v, agent.next_seq())])["results"][0]
    assert rv["status"] == "applied" and rv["assigned"]["voided"] == p1["id"]
    again = agent.push([make_op("payment.void", void_payload(p1), agent.next_seq())])["results"][0]
    assert (again["status"], again["code"]) == ("rejected", "already_voided")
    p2 = payment_payload(worker["id"], ["2026-03"])
    r2 = agent.push([make_op("payment.collect", p2, agent.next_seq())])["results"][0]
    assert r2["status"] == "applied" and "flag" not in r2["assigned"]


def test_void_checks(agent):
    worker, _, _ = register(agent)
    p1 = payment_payload(worker["id"], ["2026-03"])
    agent.push([make_op("payment.collect", p1, agent.next_seq())])
    wrong_amount = void_payload(p1, amount=-1)
    unknown = void_payload(dict(p1, id=str(uuid.uuid4())))
    res = agent.push([make_op("payment.void", wrong_amount, agent.next_seq()),
                      make_op("payment.void", unknown, agent.next_seq())])["results"]
    assert [r["code"] for r in res] == ["void_amount_mismatch", "unknown_payment"]


def test_payment_checks(agent):
    worker, _, _ = register(agent)
    p1 = payment_payload(worker["id"], ["2026-03"], receipt_no="R-1")
    same_receipt = payment_payload(worker["id"], ["2026-04"], receipt_no="R-1")
    unknown_worker = payment_payload(str(uuid.uuid4()), ["2026-03"])
    bad_sum = payment_payload(worker["id"], ["2026-05"], amount=1)
    bad_month = payment_payload(worker["id"], ["2026-13"])
    res = agent.push([make_op("payment.collect", p, agent.next_seq())
                      for p in (p1, same_receipt, unknown_worker, bad_sum, bad_month)])["results"]
    assert [(r["status"], r["code"]) for r in res] == [
        ("applied", None), ("rejected", "receipt_reused"), ("rejected", "unknown_worker"),
        ("rejected", "amount_mismatch"), ("rejected", "invalid_payload")]


def test_unknown_worker_rejection_is_reevaluated_when_resent(agent):
    """A rejection has no effect and is not recorded: after the registration arrives, the
    very same payment op is accepted (nothing is lost to an ordering mistake)."""
    worker = worker_payload()
    pay_op = make_op("payment.collect", payment_payload(worker["id"], ["2026-03"]), 2)
    assert agent.push([pay_op])["results"][0]["code"] == "unknown_worker"
    agent.push([make_op("worker.register", worker, 1)])
    assert agent.push([pay_op])["results"][0]["status"] == "applied"


def test_payload_may_carry_json_text_columns_as_stored_locally(agent):
    import json

    worker = worker_payload()
    worker["occupations"] = json.dumps(worker["occupations"])
    worker["programmes"] = json.dumps(worker["programmes"])
    worker["name_key"] = "daeng sikki"  # an extra local column is ignored
    assert agent.push([make_op("worker.register", worker, 1)])["results"][0]["status"] == "applied"


def test_update_and_deletion_request(agent):
    worker, _, _ = register(agent)
    upd = {"id": worker["id"], "phone": "+6285298765432", "updated_at": "2026-03-02T00:00:00+00:00"}
    r = agent.push([make_op("worker.update", upd, agent.next_seq())])["results"][0]
    assert r["status"] == "applied"
    fixed = {"id": worker["id"], "registration_month": "2026-02"}
    r2 = agent.push([make_op("worker.update", fixed, agent.next_seq())])["results"][0]
    assert (r2["status"], r2["code"]) == ("rejected", "field_not_updatable")
    bad_region = {"id": worker["id"], "kelurahan_code": BONTORANNU}
    r3 = agent.push([make_op("worker.update", bad_region, agent.next_seq())])["results"][0]
    assert r3["code"] == "region_unknown"
    dr = {"id": worker["id"], "reason": "permintaan peserta", "requested_at": "2026-03-02T00:00:00+00:00",
          "by": "local-user-1"}
    r4 = agent.push([make_op("worker.deletion_request", dr, agent.next_seq())])["results"][0]
    assert r4["status"] == "applied"
    with Session(agent.central.engine) as s:
        p = s.get(Participant, worker["id"])
        assert '"+6285298765432"' in p.data and p.deleted_at is None  # deletion is an admin decision


def test_closeout_and_audit_are_stored(agent):
    closeout = {"id": str(uuid.uuid4()), "day": "2026-03-02", "total": 33600, "payments": ["a", "b"]}
    audit = {"id": str(uuid.uuid4()), "entries": [{"action": "worker.view", "at": "2026-03-02T00:00:00+00:00"}]}
    res = agent.push([make_op("closeout.create", closeout, 1), make_op("audit.batch", audit, 2)])["results"]
    assert [r["status"] for r in res] == ["applied", "applied"]
    assert agent.push([make_op("audit.batch", {"no_id": 1}, 3)])["results"][0]["code"] == "invalid_payload"


def test_contiguous_seq_tracks_gaps(agent):
    http = agent.central.http
    empty = http.get("/v1/stream", headers=agent.headers).json()
    assert empty == {"device_id": agent.device_id, "contiguous_seq": 0, "highest_seq": 0, "missing_seqs": [],
                     "applied_ops": 0}
    ops = {n: make_op("closeout.create", {"id": f"c{n}"}, n) for n in (1, 2, 4, 5, 7)}
    assert agent.push([ops[1], ops[2], ops[4], ops[5], ops[7]])["contiguous_seq"] == 2  # 3 and 6 missing
    status = protocol.StreamStatus.model_validate(http.get("/v1/stream", headers=agent.headers).json())
    assert (status.contiguous_seq, status.highest_seq, status.missing_seqs, status.applied_ops) == (2, 7, [3, 6], 5)
    assert agent.push([make_op("closeout.create", {"id": "c3"}, 3)])["contiguous_seq"] == 5
    assert http.get("/v1/stream", headers=agent.headers).json()["missing_seqs"] == [6]


def test_applied_ops_record_hash_result_and_stream(agent):
    payload, op, result = register(agent)
    with Session(agent.central.engine) as s:
        row = s.get(AppliedOp, op["op_id"])
    assert row.payload_hash == op["payload_hash"] and row.seq == op["seq"]
    assert row.device_id == agent.device_id
    assert protocol.OpResult.model_validate_json(row.result).assigned == result["assigned"]


def test_entity_id_must_match_payload(agent):
    payload = worker_payload()
    op = make_op("worker.register", payload, 1, entity_id="something-else")
    assert agent.push([op])["results"][0]["code"] == "entity_mismatch"
    assert row_counts(agent.central.engine)["participants"] == 0


def test_large_sequence_numbers_and_amount_bounds(agent):
    big = make_op("closeout.create", {"id": "c-big"}, 2**40)
    assert agent.push([big])["results"][0]["status"] == "applied"
    worker, _, _ = register(agent)
    huge = payment_payload(worker["id"], ["2026-03"], amount=3_000_000_000, breakdown={})
    r = agent.push([make_op("payment.collect", huge, agent.next_seq())])["results"][0]
    assert (r["status"], r["code"]) == ("rejected", "invalid_payload")


def test_a_crashing_handler_rejects_only_its_op_and_logs_no_personal_data(agent, monkeypatch, caplog):
    from central_server import ops

    worker = worker_payload()

    def broken(ctx):
        raise RuntimeError(f"bug while handling NIK {worker['nik']}")

    monkeypatch.setitem(ops.HANDLERS, "worker.update", broken)
    upd = make_op("worker.update", {"id": worker["id"], "address": "Jl. Baru"}, 2)
    res = agent.push([make_op("worker.register", worker, 1), upd,
                      make_op("closeout.create", {"id": "c1"}, 3)])["results"]
    assert [(r["status"], r["code"]) for r in res] == [("applied", None), ("rejected", "internal_error"),
                                                        ("applied", None)]
    assert "crashed" in caplog.text and "RuntimeError" in caplog.text
    assert worker["nik"] not in caplog.text
    monkeypatch.undo()  # fixed server: the same op is accepted when sent again
    assert agent.push([upd])["results"][0]["status"] == "applied"


def test_batch_conflict_falls_back_to_one_transaction_per_op(agent, monkeypatch):
    """When the batch transaction hits a conflict with another request, nothing of it is kept
    and the batch is applied again op by op: same answers, nothing twice."""
    from sqlalchemy.exc import IntegrityError

    from central_server import ops

    real = ops._apply_one
    calls = {"n": 0}

    def conflicting(session, regions, batch, op, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise IntegrityError("INSERT ...", {}, Exception("concurrent insert"))
        return real(session, regions, batch, op, **kw)

    monkeypatch.setattr(ops, "_apply_one", conflicting)
    workers = [worker_payload(serial=i + 1, full_name=f"Pekerja {i}") for i in range(3)]
    resp = agent.push([make_op("worker.register", w, i + 1) for i, w in enumerate(workers)])
    assert [r["status"] for r in resp["results"]] == ["applied"] * 3
    assert resp["contiguous_seq"] == 3
    kpjs = [r["assigned"]["kpj"] for r in resp["results"]]
    assert len(set(kpjs)) == 3
    with Session(agent.central.engine) as s:
        assert len(s.exec(select(Participant)).all()) == 3
        assert len(s.exec(select(AppliedOp)).all()) == 3


def test_registrations_lock_their_niks_only(db_url):
    """Two transactions registering the same NIK queue behind each other (so only one can
    become the canonical participant); registrations of other NIKs do not wait."""
    engine = make_engine(db_url)
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite admits one writer at a time (BEGIN IMMEDIATE): no per-NIK lock to test")
    nik, other = "7371105204850001", "7371105204850002"
    try:
        with Session(engine) as first, Session(engine) as second:
            lock_keys(first, [nik])
            try_lock = text("SELECT pg_try_advisory_xact_lock(:key)")
            assert second.execute(try_lock, {"key": _lock_id(nik)}).scalar_one() is False
            assert second.execute(try_lock, {"key": _lock_id(other)}).scalar_one() is True
            first.rollback()  # the end of the first transaction frees its NIK
            second.rollback()
            assert second.execute(try_lock, {"key": _lock_id(nik)}).scalar_one() is True
    finally:
        engine.dispose()


def test_an_operation_stamped_in_the_future_is_kept_and_flagged(agent, central, clock):
    """A device clock set days ahead: the centre keeps the money (never dropped) and flags
    the operation for the people who run it; a few minutes of drift are no flag."""
    w = worker_payload(serial=41, registered_at=(clock() + timedelta(minutes=2)).isoformat())
    ahead = (clock() + timedelta(days=3)).isoformat()
    pay = payment_payload(w["id"], ["2026-03"], collected_at=ahead)
    body = agent.push([make_op("worker.register", w, 1), make_op("payment.collect", pay, 2)])
    registered, paid = body["results"]
    assert registered["status"] == "applied" and "stamped_ahead_s" not in registered["assigned"]
    assert paid["status"] == "applied" and paid["assigned"]["stamped_ahead_s"] == 3 * 24 * 3600
    with Session(central.engine) as s:
        assert s.get(AppliedOp, paid["op_id"]).stamped_ahead_s == 3 * 24 * 3600
        assert s.get(AppliedOp, registered["op_id"]).stamped_ahead_s is None


def test_a_push_checks_out_one_connection_for_the_token_and_its_transactions(agent):
    """The token check, the KPJ numbers and the batch take turns on one pooled
    connection: a push at month-end costs one checkout (and one liveness ping), not three."""
    checkouts = []
    event.listen(agent.central.engine, "checkout", lambda *_args: checkouts.append(1))
    _payload, _op, result = register(agent)
    assert result["status"] == "applied"
    assert len(checkouts) == 1


def test_the_device_report_keeps_the_last_app_version_said(agent, clock):
    """What the console shows of a device: a push that does not say its app version (an
    older app) leaves the one known; the queue length and the clock's offset follow."""

    def report(**said):
        body = {"batch_id": str(uuid.uuid4()), "device_id": agent.device_id, **said,
                "ops": [make_op("worker.register", worker_payload(serial=agent.seq + 1), agent.next_seq())]}
        assert agent.push_raw(body).status_code == 200
        with Session(agent.central.engine) as s:
            return tuple(s.execute(text(
                "SELECT app_version, pending_ops, clock_offset_seconds, last_sync_at FROM enrollments "
                "WHERE device_id = :d"), {"d": agent.device_id}).one())

    ahead = (clock() + timedelta(seconds=90)).isoformat()
    assert report(app_version="0.3.1", pending_ops=4, device_time=ahead)[:3] == ("0.3.1", 4, 90)
    version, pending, offset, synced = report(pending_ops=0)
    assert (version, pending, offset) == ("0.3.1", 0, None)
    assert synced.startswith(clock().date().isoformat())


def test_a_push_after_the_database_dropped_every_connection_is_applied(agent):
    """PostgreSQL restarted, or an operator ended every session, between two pushes: the
    pooled connection the next push checks out is dead, and is replaced before the push
    uses it (its token check and its transactions all run on that one connection)."""
    if agent.central.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite connection is a file handle: nothing can end it from outside")
    _payload, _op, first = register(agent, serial=41)
    assert first["status"] == "applied"
    killer = make_engine(str(agent.central.engine.url.render_as_string(hide_password=False)))
    with killer.connect() as conn:
        ended = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND usename = current_user")).scalar_one()
    killer.dispose()
    assert ended >= 1  # the pooled connection of the first push, at least
    payload, _op, second = register(agent, serial=42)
    assert second["status"] == "applied"
    with Session(agent.central.engine) as s:
        assert s.get(Participant, payload["id"]) is not None
