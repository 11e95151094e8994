"""GET /v1/health, GET /v1/reference and POST /v1/receipts/verify."""

from __future__ import annotations

import json
import shutil

import perisai_protocol as protocol
from central_server.settings import DEFAULT_REFERENCE_DIR
from tests.helpers.samples import MARISO, make_op, payment_payload, void_payload, worker_payload

from .helpers import assert_error


def test_health_needs_no_auth(central):
    r = central.http.get("/v1/health")
    assert r.status_code == 200
    h = protocol.Health.model_validate(r.json())
    assert h.protocol == protocol.PROTOCOL_VERSION and h.service == "perisai-central"


def test_openapi_is_served(central):
    spec = central.http.get("/openapi.json").json()
    assert {"/v1/push", "/v1/pull", "/v1/auth/login", "/v1/reference"} <= set(spec["paths"])


def test_reference_bundle_from_files_with_etag(make_central, tmp_path):
    ref = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE_DIR, ref)
    (ref / "tariffs.json").write_text(json.dumps({"version": "2026.1", "rules": []}))
    central = make_central(reference_dir=ref, latest_app_version="0.3.0", download_url="https://example.invalid/a")
    r = central.http.get("/v1/reference")
    bundle = protocol.ReferenceBundle.model_validate(r.json())
    assert bundle.files["tariffs.json"] == {"version": "2026.1", "rules": []}
    assert bundle.files["makassar_regions.csv"].startswith("kecamatan_code,")
    assert bundle.latest_app_version == "0.3.0" and bundle.download_url == "https://example.invalid/a"
    etag = r.headers["etag"]
    assert central.http.get("/v1/reference", headers={"If-None-Match": etag}).status_code == 304
    (ref / "tariffs.json").write_text(json.dumps({"version": "2026.2", "rules": []}))
    r2 = central.http.get("/v1/reference", headers={"If-None-Match": etag})
    assert r2.status_code == 200 and r2.json()["version"] != bundle.version


def test_receipt_verification(central):
    central.add_user("agen.satu")
    central.add_user("agen.mariso", kecamatan=MARISO)
    agent = central.login("agen.satu")
    key = agent.tokens["receipt_key"]
    w = worker_payload()
    pay = payment_payload(w["id"], ["2026-03", "2026-04"])
    agent.push([make_op("worker.register", w, 1), make_op("payment.collect", pay, 2)])
    http = central.http

    def verify(who, **over):
        body = {"receipt_no": pay["receipt_no"], "amount": pay["amount"], "months": pay["months"],
                "mac": protocol.receipt_mac(key, pay["receipt_no"], pay["amount"], pay["months"])}
        body.update(over)
        return http.post("/v1/receipts/verify", json=body, headers=who.headers)

    ok = verify(agent).json()
    assert ok["valid"] is True and ok["status"] == "valid" and ok["payment_status"] == "active"
    tampered = verify(agent, amount=pay["amount"] * 10).json()
    assert tampered["valid"] is False and tampered["status"] == "mismatch"
    unknown = verify(agent, receipt_no="R-NOPE").json()
    assert unknown["status"] == "unknown" and unknown["message"]["id"]
    mariso = central.login("agen.mariso")
    assert_error(verify(mariso), 403, "out_of_scope")
    # A person who lives in Tamalate, registered and paid at a Mariso counter: the agent
    # who issued the receipt can check it (before, the receipt's kecamatan decided alone).
    w2 = worker_payload(serial=2)
    pay2 = payment_payload(w2["id"], ["2026-03"])
    mariso.push([make_op("worker.register", w2, 1), make_op("payment.collect", pay2, 2)])
    own = http.post("/v1/receipts/verify", headers=mariso.headers, json={
        "receipt_no": pay2["receipt_no"], "amount": pay2["amount"], "months": pay2["months"],
        "mac": protocol.receipt_mac(mariso.tokens["receipt_key"], pay2["receipt_no"], pay2["amount"],
                                    pay2["months"])})
    assert own.status_code == 200 and own.json()["status"] == "valid"
    agent.push([make_op("payment.void", void_payload(pay), 3)])
    voided = verify(agent).json()
    assert voided["valid"] is False and voided["status"] == "voided"


def test_receipt_mac_is_stable_across_logins(central):
    central.add_user("agen.satu")
    a1 = central.login("agen.satu", "device-0001")
    a2 = central.login("agen.satu", "device-0001")
    other = central.login("agen.satu", "device-0002")
    assert a1.tokens["receipt_key"] == a2.tokens["receipt_key"] != other.tokens["receipt_key"]


def test_unknown_route_and_method_are_error_bodies(central):
    assert_error(central.http.get("/v1/nope"), 404, "not_found")
    assert_error(central.http.get("/v1/push"), 405, "method_not_allowed")
    assert_error(central.http.post("/v1/auth/login", json={"username": "x"}), 400, "invalid_request")
    assert_error(central.http.post("/v1/auth/login", content=b"<html>", headers={"Content-Type": "application/json"}),
                 400, "invalid_request")


def test_logs_hold_no_password_token_or_nik(central, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    central.add_user("agen.satu")
    central.http.post("/v1/auth/login", json={"username": "agen.satu", "password": "salah-sekali-123",
                                              "device_id": "device-0001"})
    agent = central.login("agen.satu", "device-0001")
    w = worker_payload()
    bad = dict(worker_payload(serial=77), nik="7371101204850000")
    agent.push([make_op("worker.register", w, 1), make_op("worker.register", bad, 2)])
    agent.push([make_op("worker.register", w, 1)])
    agent.pull_all()
    text = caplog.text
    assert "push batch=" in text and "sign-in failed" in text  # the logs do say what happened
    for secret in ("salah-sekali-123", "rahasia-123", agent.tokens["access_token"], agent.tokens["refresh_token"],
                   w["nik"], bad["nik"], agent.tokens["receipt_key"]):
        assert secret not in text
