"""What a hostile client can send over HTTP, against the real server on loopback: numbers out
of bounds, bodies too large, encodings, control characters. One server per database for
the whole module; each test uses its own users and devices.
"""

from __future__ import annotations

import gzip
import json
import socket
import uuid
from pathlib import Path

import pytest
import requests

from tests.helpers.central import (
    BONTORANNU,
    MARISO,
    login,
    make_op,
    payment_payload,
    push_body,
    run_server,
    seed_user,
    void_payload,
    worker_payload,
)

from .helpers import assert_error

PW = "rahasia-123"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def live(module_db_url, tmp_path_factory):
    with run_server(tmp_path_factory.mktemp("live"), db_url=module_db_url) as url:
        yield url


def _agent(live, name: str | None = None) -> tuple[str, dict[str, str]]:
    """A new agent signed in on a new device: (device id, auth headers)."""
    name = name or f"agen.{uuid.uuid4().hex[:8]}"
    seed_user(live.db_url, name, PW)
    device = f"device-{uuid.uuid4().hex[:12]}"
    tokens = login(live, name, PW, device)
    return device, {"Authorization": f"Bearer {tokens['access_token']}"}


def _push(live, device: str, headers: dict[str, str], ops: list[dict], **kw) -> requests.Response:
    body = json.dumps(push_body(device, ops, **kw)).encode()
    return requests.post(f"{live}/v1/push", data=gzip.compress(body), timeout=60,
                         headers={**headers, "Content-Encoding": "gzip", "Content-Type": "application/json"})


def _rss_bytes(live) -> int:
    for line in Path(f"/proc/{live.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _healthy(live) -> None:
    assert requests.get(f"{live}/v1/health", timeout=10).json()["status"] == "ok"


# --- integers on the wire ---------------------------------------------------------------


@pytest.mark.parametrize("seq", [2**53, 2**63, 2**64 + 1, 10**30])
def test_a_seq_beyond_the_bound_is_refused_as_a_bad_batch(live, seq):
    device, headers = _agent(live)
    r = _push(live, device, headers, [make_op("worker.register", worker_payload(), seq)])
    assert "ops.0.seq" in assert_error(r, 400, "invalid_push")["message"]["en"]
    _healthy(live)


def test_a_huge_gap_in_the_seqs_is_listed_without_building_it(live):
    """seq 10**9 is within bounds; the stream answer lists the first 1000 gaps and the
    server stays responsive (it used to build the whole range: 23 s, then MemoryError)."""
    device, headers = _agent(live)
    r = _push(live, device, headers, [make_op("worker.register", worker_payload(serial=7), 10**9)])
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied"
    stream = requests.get(f"{live}/v1/stream", headers=headers, timeout=30)
    assert stream.status_code == 200, stream.text
    body = stream.json()
    assert body["contiguous_seq"] == 0 and body["highest_seq"] == 10**9
    assert body["missing_seqs"] == list(range(1, 1001))
    _healthy(live)


@pytest.mark.parametrize("params", [{"cursor": 2**63}, {"cursor": -1}, {"limit": 2**64}, {"cursor": "1e400"}])
def test_pull_parameters_out_of_bounds_are_400(live, params):
    _device, headers = _agent(live)
    r = requests.get(f"{live}/v1/pull", params=params, headers=headers, timeout=30)
    assert_error(r, 400, "invalid_request")


def test_receipt_amount_out_of_bounds_is_400(live):
    _device, headers = _agent(live)
    r = requests.post(f"{live}/v1/receipts/verify", headers=headers, timeout=30,
                      json={"receipt_no": "R-1", "amount": 10**40, "months": ["2026-03"], "mac": "0" * 64})
    assert_error(r, 400, "invalid_request")


# --- body sizes -------------------------------------------------------------------------


def _raw_request(live, head: str, body_chunks, *, chunked: bool = False) -> bytes:
    """Send a request by hand (requests would not send a lying Content-Length), keep
    sending the body while the server reads it, and return what the server answered."""
    host, port = live.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in body_chunks:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: read what it said
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    return answer


def _status_and_code(answer: bytes) -> tuple[int, str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)["code"]


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_a_200_mib_sign_in_body_is_refused_without_being_held(live, chunked):
    before = _rss_bytes(live)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {200 * MiB}"
    head = (f"POST /v1/auth/login HTTP/1.1\r\nHost: {live.removeprefix('http://')}\r\n"
            f"Content-Type: application/json\r\n{length}\r\n\r\n")
    answer = _raw_request(live, head, (b"[" + b" " * (MiB - 1) for _ in range(200)), chunked=chunked)
    assert _status_and_code(answer) == (413, "body_too_large")
    assert _rss_bytes(live) - before < 32 * MiB
    _healthy(live)


@pytest.mark.parametrize("path", ["/v1/auth/login", "/v1/auth/refresh", "/v1/receipts/verify"])
def test_every_endpoint_refuses_a_body_over_its_limit(live, path):
    r = requests.post(f"{live}{path}", data=b"{" + b" " * (65 * 1024) + b"}", timeout=30,
                      headers={"Content-Type": "application/json"})
    assert_error(r, 413, "body_too_large")


# --- encodings and control characters ---------------------------------------------------


@pytest.mark.parametrize("body", [
    b'{"username": "agen\xff", "password": "x", "device_id": "device-0001"}',  # not UTF-8
    b'{"username": "a", "password": "x", "device_id": "device-0001"',  # truncated
    b'{"username": ["a"], "password": "x", "device_id": "device-0001"}',
])
def test_sign_in_bodies_in_a_wrong_encoding_are_400(live, body):
    r = requests.post(f"{live}/v1/auth/login", data=body, timeout=30, headers={"Content-Type": "application/json"})
    assert_error(r, 400)


def test_newlines_in_a_username_or_device_id_cannot_forge_log_lines(live):
    forged = "INFO perisai.server: sign-in user=kota.admin"  # fits the 64-character fields
    for fields in ({"username": f"agen.x\n{forged}", "device_id": "device-forge-1"},
                   {"username": "agen.x", "device_id": f"device-forge\r\n{forged}"},
                   {"username": "agen.x\u2028" + forged, "device_id": "device-forge-2"}):
        r = requests.post(f"{live}/v1/auth/login", json={"password": "salah-salah", **fields}, timeout=30)
        assert "control characters" in assert_error(r, 400, "invalid_request")["message"]["en"]
    device, headers = _agent(live)
    r = _push(live, device, headers, [make_op("worker.register", worker_payload(serial=8), 1)],
              batch_id=f"batch-1\n{forged}")
    assert_error(r, 400, "invalid_push")
    log = live.log_path.read_text(encoding="utf-8", errors="replace")
    assert not any(line.lstrip().startswith(forged) for line in log.splitlines())


@pytest.mark.parametrize(("field", "value"), [
    ("full_name", "Daeng\x00Sikki"), ("full_name", "Daeng\u202eikkiS"), ("address", "Jl. Kandea\r\n=1+1"),
    ("full_name", "D" * 129), ("address", "J" * 513), ("heir_name", "Hasnah\x1b[31m"),
])
def test_names_and_free_text_with_control_characters_or_too_long_are_rejected(live, field, value):
    device, headers = _agent(live)
    r = _push(live, device, headers, [make_op("worker.register", worker_payload(serial=9, **{field: value}), 1)])
    [result] = r.json()["results"]
    assert (result["status"], result["code"]) == ("rejected", "invalid_payload")
    assert field in result["message"]["en"] and field in result["message"]["id"]


# --- forged attribution and other people's records ------------------------------------


def _pull_all(live, headers: dict[str, str]) -> list[dict]:
    changes, cursor = [], 0
    while True:
        page = requests.get(f"{live}/v1/pull", params={"cursor": cursor}, headers=headers, timeout=30).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes


def test_a_registration_matching_someone_elsewhere_reveals_nothing_and_waits_for_the_centre(live):
    """Finding: an agent of Mariso pushed the NIK, name and birth date of a person of Tamalate
    and got back the person's canonical id and KPJ; a following update moved the person to
    Mariso, whose next pull carried the full record and the Tamalate agent's payment."""
    tamalate_device, tamalate = _agent(live)
    name = f"agen.mariso.{uuid.uuid4().hex[:6]}"
    seed_user(live.db_url, name, PW, kecamatan=MARISO)
    mariso_device = f"device-{uuid.uuid4().hex[:12]}"
    mariso = {"Authorization": f"Bearer {login(live, name, PW, mariso_device)['access_token']}"}
    person = worker_payload(serial=41, full_name="Daeng Ngai")
    paid = payment_payload(person["id"], ["2026-02"], device_id=tamalate_device)
    r = _push(live, tamalate_device, tamalate, [make_op("worker.register", person, 1),
                                                make_op("payment.collect", paid, 2)])
    kpj = r.json()["results"][0]["assigned"]["kpj"]

    same = dict(person, id=str(uuid.uuid4()), kecamatan_code=MARISO, kelurahan_code=BONTORANNU)
    other_name = dict(same, id=str(uuid.uuid4()), full_name="Orang Lain")
    answers = _push(live, mariso_device, mariso, [make_op("worker.register", same, 1),
                                                  make_op("worker.register", other_name, 2)]).json()["results"]
    for answer, sent in zip(answers, (same, other_name), strict=True):
        assert answer["status"] == "needs_review" and answer["code"] == "nik_review"
        assert set(answer["assigned"]) == {"canonical_id", "review_id"}
        assert answer["assigned"]["canonical_id"] == sent["id"]
        assert person["id"] not in json.dumps(answer) and kpj not in json.dumps(answer)
    # the same answer whether name and birth date matched or not: no oracle
    assert answers[0]["message"] == answers[1]["message"]

    # every other operation on the Tamalate person is refused, with a reason in both languages
    refused = _push(live, mariso_device, mariso, [
        make_op("worker.update", {"id": person["id"], "kecamatan_code": MARISO, "kelurahan_code": BONTORANNU}, 3),
        make_op("payment.collect", payment_payload(person["id"], ["2026-03"]), 4),
        make_op("worker.deletion_request", {"id": person["id"], "reason": "minta hapus",
                                            "requested_at": "2026-03-02T01:00:00+00:00", "by": "x"}, 5),
        make_op("payment.void", void_payload(paid), 6),
    ]).json()["results"]
    assert [(r["status"], r["code"]) for r in refused] == [("rejected", "out_of_area")] * 4
    assert all("Mariso" in r["message"]["id"] and "Mariso" in r["message"]["en"] for r in refused)

    # Mariso's pull carries nothing of the person, Tamalate's keeps them and gets no delete
    mariso_pull = json.dumps(_pull_all(live, mariso))
    assert person["nik"] in mariso_pull  # their own two registrations carry the NIK they typed ...
    assert person["id"] not in mariso_pull and paid["id"] not in mariso_pull and kpj not in mariso_pull  # ... no more
    tamalate_pull = [c for c in _pull_all(live, tamalate) if c["id"] == person["id"]]
    assert [c["op"] for c in tamalate_pull] == ["upsert"]
    assert tamalate_pull[0]["data"]["kelurahan_code"] == person["kelurahan_code"]


def test_the_centre_keeps_the_token_s_user_and_device_whatever_a_payment_says(live):
    device, headers = _agent(live)
    victim_device, victim = _agent(live)
    person = worker_payload(serial=42)
    forged = payment_payload(person["id"], ["2026-02"], device_id=victim_device, collected_by="kota.admin")
    r = _push(live, device, headers, [make_op("worker.register", person, 1), make_op("payment.collect", forged, 2)])
    assert [x["status"] for x in r.json()["results"]] == ["applied", "applied"]
    me = requests.get(f"{live}/v1/stream", headers=headers, timeout=30)
    assert me.json()["device_id"] == device
    [pulled] = [c["data"] for c in _pull_all(live, victim) if c["id"] == forged["id"]]
    assert pulled["device_id"] == device and pulled["collected_by"] not in ("kota.admin", "local-user-1")
    # nor may an agent void someone else's payment, and a deletion request needs a real participant
    theirs = payment_payload(person["id"], ["2026-03"], device_id=victim_device)
    assert _push(live, victim_device, victim, [make_op("payment.collect", theirs, 1)]).json()["results"][0][
        "status"] == "applied"
    r = _push(live, device, headers, [make_op("payment.void", void_payload(theirs), 3)])
    assert (r.json()["results"][0]["status"], r.json()["results"][0]["code"]) == ("rejected", "void_own_same_day")
    # a deletion request for an id nobody registered
    r = _push(live, device, headers, [make_op("worker.deletion_request", {
        "id": str(uuid.uuid4()), "reason": "iseng", "requested_at": "2026-03-02T01:00:00+00:00", "by": "x"}, 4)])
    assert r.json()["results"][0]["code"] == "unknown_worker"
