"""The real server under uvicorn in a subprocess on 127.0.0.1, spoken to over HTTP with requests."""

from __future__ import annotations

import gzip
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import perisai_protocol as protocol
from tests.helpers.central import login, make_op, payment_payload, push_body, run_server, seed_user, worker_payload

PW = "rahasia-123"


@pytest.fixture
def live(tmp_path, db_url):
    with run_server(tmp_path, db_url=db_url) as url:
        yield url


def _push(http: requests.Session, url: str, token: str, device: str, ops, batch_id: str = "batch-live-1"):
    data = gzip.compress(json.dumps(push_body(device, ops, batch_id=batch_id)).encode())
    r = http.post(f"{url}/v1/push", data=data, timeout=(5, 30),
                  headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip",
                           "Content-Type": "application/json"})
    return r


def test_sign_in_push_pull_over_http(live):
    seed_user(live.db_url, "agen.satu", PW)
    tokens = login(live, "agen.satu", PW, "device-live-1")
    http = requests.Session()
    assert http.get(f"{live}/v1/health", timeout=5).json()["status"] == "ok"
    w = worker_payload()
    pay = payment_payload(w["id"], ["2026-03"], device_id="device-live-1")
    ops = [make_op("worker.register", w, 1), make_op("payment.collect", pay, 2)]
    r = _push(http, live, tokens["access_token"], "device-live-1", ops)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    resp = protocol.PushResponse.model_validate(r.json())
    assert resp.batch_id == "batch-live-1" and resp.contiguous_seq == 2
    assert [x.status for x in resp.results] == ["applied", "applied"]
    # the same batch again (the first answer was "lost"): all duplicates, same KPJ
    again = protocol.PushResponse.model_validate(
        _push(http, live, tokens["access_token"], "device-live-1", ops).json())
    assert [x.status for x in again.results] == ["duplicate", "duplicate"]
    assert again.results[0].assigned["kpj"] == resp.results[0].assigned["kpj"]
    pulled = http.get(f"{live}/v1/pull", params={"cursor": 0}, timeout=10,
                      headers={"Authorization": f"Bearer {tokens['access_token']}", "Accept-Encoding": "gzip"})
    page = protocol.PullResponse.model_validate(pulled.json())
    assert {c.id for c in page.changes} == {w["id"], pay["id"]} and not page.has_more
    # a refresh over the wire
    r = http.post(f"{live}/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"],
                                                   "device_id": "device-live-1"}, timeout=10)
    assert r.status_code == 200 and r.json()["access_token"] != tokens["access_token"]
    # sign-in delays over the wire, with Retry-After
    for _ in range(3):
        requests.post(f"{live}/v1/auth/login", json={"username": "agen.satu", "password": "salah-salah",
                                                     "device_id": "device-live-1"}, timeout=10)
    r = requests.post(f"{live}/v1/auth/login", json={"username": "agen.satu", "password": PW,
                                                     "device_id": "device-live-1"}, timeout=10)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # nothing personal or secret in the server's log
    log = live.log_path.read_text()
    assert "POST /v1/push" in log
    for secret in (PW, "salah-salah", tokens["access_token"], tokens["refresh_token"], w["nik"]):
        assert secret not in log


def test_behind_a_trusted_proxy_wrong_passwords_from_one_client_lock_nobody_else_out(tmp_path, db_url):
    """Every device reaches the centre through the reverse proxy (here: 127.0.0.1), which
    says who the client is; 30 wrong passwords from one client used to block everyone."""
    with run_server(tmp_path, db_url=db_url, forwarded_allow_ips="127.0.0.1") as url:
        seed_user(url.db_url, "agen.satu", PW)

        def sign_in(client: str, password: str) -> requests.Response:
            return requests.post(f"{url}/v1/auth/login", headers={"X-Forwarded-For": client}, timeout=10,
                                 json={"username": "agen.satu", "password": password, "device_id": "device-live-3"})

        answers = [sign_in("203.0.113.9", f"tebakan-{i}").status_code for i in range(30)]
        assert answers[:3] == [401] * 3 and set(answers[3:]) == {429}
        assert sign_in("198.51.100.4", PW).status_code == 200
        assert "ip=203.0.113.9" in url.log_path.read_text()


def test_forwarded_addresses_from_anyone_else_are_not_believed(tmp_path):
    with run_server(tmp_path) as url:  # no trusted proxy
        seed_user(url.db_url, "agen.satu", PW)
        answers = [requests.post(f"{url}/v1/auth/login", headers={"X-Forwarded-For": f"198.51.100.{i}"}, timeout=10,
                                 json={"username": "agen.satu", "password": "salah-salah",
                                       "device_id": "device-live-4"}).status_code for i in range(4)]
        assert answers == [401, 401, 401, 429]
        assert "198.51.100." not in url.log_path.read_text()


def test_acknowledged_ops_survive_a_server_restart(tmp_path, db_url):
    w = worker_payload()
    op = make_op("worker.register", w, 1)
    with run_server(tmp_path, db_url=db_url) as url:
        seed_user(url.db_url, "agen.satu", PW)
        t = login(url, "agen.satu", PW, "device-live-2")
        first = _push(requests.Session(), url, t["access_token"], "device-live-2", [op]).json()
    with run_server(tmp_path, db_url=db_url) as url:
        second = _push(requests.Session(), url, t["access_token"], "device-live-2", [op]).json()
    assert first["results"][0]["status"] == "applied"
    assert second["results"][0]["status"] == "duplicate"
    assert second["results"][0]["assigned"] == first["results"][0]["assigned"]
    assert second["contiguous_seq"] == 1


@pytest.fixture
def two_processes(tmp_path, db_url):
    """`serve --workers 2`: two server processes sharing the database, as behind a load balancer."""
    with run_server(tmp_path, db_url=db_url, workers=2) as url:
        yield url


def test_concurrent_devices_get_unique_kpj_and_one_canonical_per_nik(two_processes):
    """Four devices push at once to two server processes, half of the NIKs shared between
    them: no 5xx, KPJs unique, every shared NIK ends with exactly one canonical participant
    and aliases for the rest."""
    live = two_processes
    n_devices, per_device = 4, 12
    users = []
    for d in range(n_devices):
        seed_user(live.db_url, f"agen.{d}", PW)
        users.append(login(live, f"agen.{d}", PW, f"device-conc-{d}"))
    shared = [worker_payload(serial=500 + i, full_name=f"Bersama {i}") for i in range(per_device // 2)]
    results: dict[int, list] = {}
    errors: list = []

    def device(d: int) -> None:
        try:
            http = requests.Session()
            ops = []
            for i in range(per_device):
                if i % 2 == 0:
                    p = dict(shared[i // 2], id=f"w-{d}-{i}")
                else:
                    p = worker_payload(id=f"w-{d}-{i}", serial=1000 + d * 100 + i, full_name=f"Sendiri {d} {i}")
                ops.append(make_op("worker.register", p, i + 1))
            for start in range(0, per_device, 4):  # 3 batches each, interleaving with the others
                r = _push(http, live, users[d]["access_token"], f"device-conc-{d}", ops[start:start + 4],
                          batch_id=f"batch-{d}-{start:03d}")
                assert r.status_code == 200, r.text
                results.setdefault(d, []).extend(r.json()["results"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=device, args=(d,)) for d in range(n_devices)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    flat = [r for d in range(n_devices) for r in results[d]]
    assert all(r["status"] == "applied" for r in flat)
    canon = [r for r in flat if not r["assigned"].get("alias")]
    aliases = [r for r in flat if r["assigned"].get("alias")]
    kpjs = [r["assigned"]["kpj"] for r in canon]
    assert len(kpjs) == len(set(kpjs)) == len(shared) + n_devices * per_device // 2
    assert len(aliases) == len(shared) * (n_devices - 1)
    assert {r["assigned"]["kpj"] for r in aliases} <= set(kpjs)
    assert "Started parent process" in live.log_path.read_text()  # uvicorn's supervisor: two workers ran


def test_a_centre_with_one_connection_answers_every_endpoint_at_once(tmp_path, db_url):
    """An endpoint that still holds its pooled connection when it returns waits for a worker
    thread (to check its answer, or to close a dependency's session) while the threads wait
    for that connection: the centre hung at month-end that way, and later with a few receipt
    checks at once. With one connection and one thread, every device endpoint asked at once
    must still answer."""
    with run_server(tmp_path, db_url=db_url, db_connections=1) as url:
        seed_user(url.db_url, "agen.satu", PW)
        tokens = login(url, "agen.satu", PW, "device-busy-1")
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        w = worker_payload()
        pay = payment_payload(w["id"], ["2026-03"], device_id="device-busy-1")
        first = [make_op("worker.register", w, 1), make_op("payment.collect", pay, 2)]
        assert _push(requests.Session(), url, tokens["access_token"], "device-busy-1", first).status_code == 200
        mac = protocol.receipt_mac(tokens["receipt_key"], pay["receipt_no"], pay["amount"], pay["months"])
        seq = iter(range(3, 100))

        def one_more_payment() -> requests.Response:
            n = next(seq)
            other = payment_payload(w["id"], [f"2026-{n % 9 + 4:02d}"], device_id="device-busy-1",
                                    receipt_no=f"R-BUSY-{n}")
            return _push(requests.Session(), url, tokens["access_token"], "device-busy-1",
                         [make_op("payment.collect", other, n)], batch_id=f"batch-busy-{n}")

        asks = {
            "health": lambda: requests.get(f"{url}/v1/health", timeout=(5, 30)),
            "pull": lambda: requests.get(f"{url}/v1/pull", params={"cursor": 0}, headers=auth, timeout=(5, 30)),
            "stream": lambda: requests.get(f"{url}/v1/stream", headers=auth, timeout=(5, 30)),
            "acks": lambda: requests.post(f"{url}/v1/acks", json={"op_ids": [first[0]["op_id"]]}, headers=auth,
                                          timeout=(5, 30)),
            "reference": lambda: requests.get(f"{url}/v1/reference", timeout=(5, 30)),
            "verify": lambda: requests.post(f"{url}/v1/receipts/verify", headers=auth, timeout=(5, 30), json={
                "receipt_no": pay["receipt_no"], "amount": pay["amount"], "months": pay["months"], "mac": mac}),
        }
        with ThreadPoolExecutor(16) as pool:
            futures = [(name, pool.submit(ask)) for _ in range(4) for name, ask in asks.items()]
            futures += [("push", pool.submit(one_more_payment)) for _ in range(4)]
            answers = [(name, future.result(timeout=60).status_code) for name, future in futures]
        assert all(status == 200 for _, status in answers), answers
