"""The authorization matrix: every operation kind x where the record is, seen from the
sender's area (their kelurahan, another kelurahan of their kecamatan, another kecamatan;
city-wide users see all three as theirs) x whose record it is (the sender's own, another
user's) x role, each with its expected outcome, on SQLite and PostgreSQL. An administrator
never gets a device (``console_only``): its cells push with a token issued while the account
still did field work, and the whole request is refused.

One real server per database for the whole module. The records each cell needs are put
in place first, straight through the centre's push code; then every sender pushes all
its cells in one batch over HTTP (each operation is judged alone), and each cell is a
test of its own that reads its result.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from itertools import count

import pytest
import requests
from sqlmodel import Session, select

import perisai_protocol as protocol
from central_server import admin
from central_server.authz import Caller
from central_server.db import make_engine
from central_server.models import Document, Enrollment, Participant, ServerPayment
from central_server.ops import process_push
from central_server.reference import load_regions
from central_server.settings import Settings, utcnow
from perisai_protocol.permissions import uses_the_app
from tests.helpers.central import login, run_server, seed_user
from tests.helpers.samples import (
    BAROMBONG,
    BONTORANNU,
    MARISO,
    TAMALATE,
    make_op,
    payment_payload,
    push_body,
    void_payload,
    worker_payload,
)

PW = "rahasia-123"
MACCINI_SOMBALA = "73711001002"  # another kelurahan of Tamalate

# sender: (role, kecamatan, kelurahan). Agents and clerks always have a kecamatan.
SENDERS = {
    "agent@kelurahan": ("agent", TAMALATE, BAROMBONG),
    "agent@kecamatan": ("agent", TAMALATE, None),
    "clerk@kelurahan": ("clerk", TAMALATE, BAROMBONG),
    "clerk@kecamatan": ("clerk", TAMALATE, None),
    "supervisor@kecamatan": ("supervisor", TAMALATE, None),
    "supervisor@city": ("supervisor", None, None),
    "admin@city": ("admin", None, None),
}
# where the record is: (kecamatan, kelurahan)
PLACES = {
    "own kelurahan": (TAMALATE, BAROMBONG),
    "other kelurahan": (TAMALATE, MACCINI_SOMBALA),
    "other kecamatan": (MARISO, BONTORANNU),
}
# which places are in the sender's area, by the reach of their assignment
AREA = {
    "kelurahan": {"own kelurahan"},
    "kecamatan": {"own kelurahan", "other kelurahan"},
    "city": set(PLACES),
}

PARTICIPANT_OPS = ("worker.register", "worker.update", "worker.deletion_request", "payment.collect",
                   "payment.void")
DOCUMENT_OPS = ("closeout.create", "closeout.handover", "audit.batch")

# The expected outcome of each cell. "record": the sender's own (they registered the
# participant / collected the payment / wrote the document) or another user's. "area":
# whether the record's place is in the sender's area ("-": documents name no participant).
# For worker.register, "own" is a new person, "other" the same person as another user's
# participant (same NIK, name and birth date).
#  op kind                    record   area   agent, clerk          supervisor            admin
ADMIN = "refused console_only"
EXPECTED = {
    ("worker.register", "own", "in"): ("applied", "applied", ADMIN),
    ("worker.register", "own", "out"): ("applied", "applied", ADMIN),
    ("worker.register", "other", "in"): ("applied alias", "applied alias", ADMIN),
    ("worker.register", "other", "out"): ("needs_review nik_review", "needs_review nik_review",
                                          ADMIN),
    ("worker.update", "own", "in"): ("applied", "applied", ADMIN),
    ("worker.update", "own", "out"): ("applied", "applied", ADMIN),
    ("worker.update", "other", "in"): ("applied", "applied", ADMIN),
    ("worker.update", "other", "out"): ("rejected out_of_area", "rejected out_of_area", ADMIN),
    ("worker.deletion_request", "own", "in"): ("applied", "applied", ADMIN),
    ("worker.deletion_request", "own", "out"): ("applied", "applied", ADMIN),
    ("worker.deletion_request", "other", "in"): ("applied", "applied", ADMIN),
    ("worker.deletion_request", "other", "out"): ("rejected out_of_area", "rejected out_of_area",
                                                  ADMIN),
    ("payment.collect", "own", "in"): ("applied", "applied", ADMIN),
    ("payment.collect", "own", "out"): ("applied", "applied", ADMIN),
    ("payment.collect", "other", "in"): ("applied", "applied", ADMIN),
    ("payment.collect", "other", "out"): ("rejected out_of_area", "rejected out_of_area", ADMIN),
    ("payment.void", "own", "in"): ("applied", "applied", ADMIN),
    ("payment.void", "own", "out"): ("applied", "applied", ADMIN),
    ("payment.void", "other", "in"): ("rejected void_own_same_day", "applied", ADMIN),
    ("payment.void", "other", "out"): ("rejected out_of_area", "rejected out_of_area", ADMIN),
    ("closeout.create", "own", "-"): ("applied", "applied", ADMIN),
    ("closeout.create", "other", "-"): ("applied", "applied", ADMIN),
    ("closeout.handover", "own", "-"): ("applied", "applied", ADMIN),
    ("closeout.handover", "other", "-"): ("applied", "applied", ADMIN),
    ("audit.batch", "own", "-"): ("applied", "applied", ADMIN),
    ("audit.batch", "other", "-"): ("applied", "applied", ADMIN),
}


@dataclass(frozen=True)
class Cell:
    sender: str
    kind: str
    record: str  # "own" | "other"
    place: str | None  # None for documents

    @property
    def id(self) -> str:
        return f"{self.sender}|{self.kind}|{self.record}|{self.place or '-'}"

    @property
    def expected(self) -> str:
        role, kecamatan, kelurahan = SENDERS[self.sender]
        reach = "city" if kecamatan is None else "kelurahan" if kelurahan else "kecamatan"
        area = "-" if self.place is None else "in" if self.place in AREA[reach] else "out"
        column = {"agent": 0, "clerk": 0, "supervisor": 1, "admin": 2}[role]
        return EXPECTED[(self.kind, self.record, area)][column]


CELLS = [Cell(sender, kind, record, place)
         for sender in SENDERS for kind in PARTICIPANT_OPS for record in ("own", "other") for place in PLACES]
CELLS += [Cell(sender, kind, record, None)
          for sender in SENDERS for kind in DOCUMENT_OPS for record in ("own", "other")]
assert {(c.kind, c.record) for c in CELLS} == {(k, r) for k, r, _a in EXPECTED}

OWNER = "pemilik.lain"  # the other user whose records the senders meet
SAME_DAY = "2026-03-02T01:00:00+00:00"


@dataclass
class Sent:
    op: dict
    result: dict
    target: str | None = None  # the participant or payment the cell was about


@dataclass
class Matrix:
    sent: dict[str, Sent]  # cell id -> what was sent and answered
    engine: object
    users: dict[str, str]  # sender -> server user id
    devices: dict[str, str]


@pytest.fixture(scope="module")
def matrix(module_db_url, tmp_path_factory):
    serials = count(1)
    with run_server(tmp_path_factory.mktemp("matrix"), db_url=module_db_url) as url:
        engine = make_engine(url.db_url)
        regions = load_regions(Settings().reference_dir)
        users, tokens, devices = {}, {}, {}
        for name, (role, kecamatan, kelurahan) in {**SENDERS, OWNER: ("agent", MARISO, None)}.items():
            username = name.replace("@", ".")
            device_role = role if uses_the_app(role) else "supervisor"  # the account's earlier role
            users[name] = seed_user(url.db_url, username, PW, role=device_role, kecamatan=kecamatan,
                                    kelurahan=kelurahan)
            devices[name] = f"device-{uuid.uuid4().hex[:12]}"
            tokens[name] = login(url, username, PW, devices[name])["access_token"]
            if device_role != role:
                with Session(engine) as s:
                    admin.set_role(s, regions, username, role, kecamatan, kelurahan)
                    s.commit()
                again = requests.post(f"{url}/v1/auth/login", timeout=10, json={
                    "username": username, "password": PW, "device_id": devices[name]})
                assert again.status_code == 403 and again.json()["code"] == "console_only"
        with Session(engine) as s:
            enrollment = {e.user_id: e.id for e in s.exec(select(Enrollment))}

        def seeder(name: str) -> Caller:
            # What the user did earlier, on another laptop, when the record was theirs to
            # touch: the seeding caller has the user's identity and a city-wide reach.
            return Caller(user_id=users[name], enrollment_id=enrollment[users[name]], device_id=f"seed-{name}",
                          role="supervisor")

        def person(place: str) -> dict:
            kecamatan, kelurahan = PLACES[place]
            serial = next(serials)
            return worker_payload(full_name=f"Peserta {serial}", serial=serial, kecamatan_code=kecamatan,
                                  kelurahan_code=kelurahan)

        seeds: dict[str, list[tuple[str, dict]]] = {}  # seeding user -> ops
        cell_ops: dict[str, list[tuple[Cell, dict, str | None]]] = {}
        for cell in CELLS:
            owner = cell.sender if cell.record == "own" else OWNER
            if cell.kind in DOCUMENT_OPS:
                op = _document(cell.kind, users[OWNER] if cell.record == "other" else "local-user-1",
                               devices[OWNER] if cell.record == "other" else devices[cell.sender])
                cell_ops.setdefault(cell.sender, []).append((cell, op, None))
                continue
            worker = person(cell.place)
            if cell.kind == "worker.register" and cell.record == "own":
                cell_ops.setdefault(cell.sender, []).append((cell, worker, None))
                continue
            seeds.setdefault(owner, []).append(("worker.register", worker))
            if cell.kind == "worker.register":  # the same person, met by the sender
                op = dict(worker, id=str(uuid.uuid4()))
            elif cell.kind == "worker.update":
                op = {"id": worker["id"], "phone": "+6281299990000"}
            elif cell.kind == "worker.deletion_request":
                op = {"id": worker["id"], "reason": "permintaan peserta", "requested_at": SAME_DAY,
                      "by": "local-user-1"}
            elif cell.kind == "payment.collect":
                op = payment_payload(worker["id"], ["2026-02"], collected_at=SAME_DAY)
            else:
                paid = payment_payload(worker["id"], ["2026-01"], collected_at=SAME_DAY)
                seeds[owner].append(("payment.collect", paid))
                op = void_payload(paid)
                cell_ops.setdefault(cell.sender, []).append((cell, op, paid["id"]))
                continue
            cell_ops.setdefault(cell.sender, []).append((cell, op, worker["id"]))

        for name, ops in seeds.items():
            request = protocol.PushRequest.model_validate(push_body(
                f"seed-{name}", [make_op(kind, payload, seq) for seq, (kind, payload) in enumerate(ops, 1)]))
            response = process_push(engine, utcnow, seeder(name), regions, request)
            assert all(r.status == "applied" for r in response.results), response.results

        sent: dict[str, Sent] = {}
        for name, ops in cell_ops.items():
            wire = [make_op(cell.kind, payload, seq) for seq, (cell, payload, _t) in enumerate(ops, 1)]
            r = requests.post(f"{url}/v1/push", json=push_body(devices[name], wire), timeout=120,
                              headers={"Authorization": f"Bearer {tokens[name]}"})
            if r.status_code == 403:  # the whole request: every cell gets the refusal
                body = r.json()
                results = [dict(status="refused", code=body["code"], message=body["message"], assigned={})] * len(ops)
            else:
                assert r.status_code == 200, r.text
                results = r.json()["results"]
            for (cell, _payload, target), op, result in zip(ops, wire, results, strict=True):
                sent[cell.id] = Sent(op=op, result=result, target=target)
        yield Matrix(sent=sent, engine=engine, users=users, devices=devices)
        engine.dispose()


def _document(kind: str, author: str, device: str) -> dict:
    doc_id = str(uuid.uuid4())
    if kind == "closeout.create":
        return {"id": doc_id, "user_id": author, "payment_ids": [], "expected_cash": 0, "counted_cash": 0,
                "created_at": SAME_DAY}
    if kind == "closeout.handover":
        return {"id": doc_id, "closeout_id": doc_id, "handed_to": "Bu Ani", "handed_at": SAME_DAY,
                "recorded_by": author, "recorded_at": SAME_DAY}
    return {"id": doc_id, "device_id": device, "created_at": SAME_DAY, "entries": []}


@pytest.mark.parametrize("cell", CELLS, ids=[c.id for c in CELLS])
def test_cell(matrix, cell):
    sent = matrix.sent[cell.id]
    result = sent.result
    got = result["status"] + (f" {result['code']}" if result["status"] != "applied" else "")
    if result["status"] == "applied" and result["assigned"].get("alias"):
        got += " alias"
    assert got == cell.expected, result
    if result["status"] in ("rejected", "refused"):
        message = result["message"]
        assert message["id"] and message["en"] and message["id"] != message["en"]
    engine, users, devices = matrix.engine, matrix.users, matrix.devices
    if cell.expected == "needs_review nik_review":
        # nothing of the other person: no alias, no canonical id but its own, no KPJ
        assert result["assigned"] == {"canonical_id": sent.op["payload"]["id"],
                                      "review_id": result["assigned"]["review_id"]}
        assert sent.target not in json.dumps(result)
    if cell.expected == "applied alias":
        assert result["assigned"]["canonical_id"] == sent.target
    if cell.kind in DOCUMENT_OPS and result["status"] == "applied":
        # whoever the payload names, the centre keeps the sender and their device
        with Session(engine) as s:
            doc = s.get(Document, sent.op["op_id"])
        data = json.loads(doc.data)
        assert (doc.user_id, doc.device_id) == (users[cell.sender], devices[cell.sender])
        assert all(data[k] == users[cell.sender] for k in ("user_id", "recorded_by") if k in data)
        assert data.get("device_id", devices[cell.sender]) == devices[cell.sender]
    if result["status"] != "applied" and cell.kind == "worker.update":
        with Session(engine) as s:
            assert json.loads(s.get(Participant, sent.target).data)["phone"] != "+6281299990000"
    if result["status"] != "applied" and cell.kind == "payment.void":
        with Session(engine) as s:
            assert s.get(ServerPayment, sent.target).voided_by is None
