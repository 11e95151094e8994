"""Exports: CSV and XLSX downloads that spreadsheets cannot run as formulas, and the
paged, token-authenticated JSON export API (in the OpenAPI document)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from central_server.web.api import ParticipantPage, PaymentPage
from tests.helpers.console import csrf_of, seed_programme, sign_in
from tests.helpers.samples import MARISO, TAMALATE, make_op, push_body, worker_payload

FORMULA_NAME = '=HYPERLINK("http://contoh.invalid","klik")'


@pytest.fixture
def seeded(central):
    central.seed = seed_programme(central.http.post, central.settings.database_url, central.settings.clock())
    tokens = central.seed.tokens["agen.tamalate"]
    registered = central.seed.workers["sikki"]["registered_at"]
    payload = worker_payload(full_name=FORMULA_NAME, serial=9, registered_at=registered, consent_at=registered)
    r = central.http.post("/v1/push", json=push_body(central.seed.devices["agen.tamalate"],
                                                     [make_op("worker.register", payload, 100)]),
                          headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.json()["results"][0]["status"] == "applied"
    return central


def download(http, **params):
    r = http.get("/console/exports/download", params=params)
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    return r


def test_csv_and_xlsx_cells_never_run_as_formulas(seeded):
    http = seeded.http
    sign_in(http, "bpjs.cabang")
    period = {"from": "2025-01-01", "to": seeded.seed.today.isoformat()}
    rows = list(csv.DictReader(io.StringIO(download(http, what="participants", fmt="csv", **period).text)))
    names = {row["full_name"] for row in rows}
    assert "'" + FORMULA_NAME in names and FORMULA_NAME not in names
    assert {"Daeng Sikki", "Nurdin Kadir"} <= names
    book = load_workbook(io.BytesIO(download(http, what="participants", fmt="xlsx", **period).content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "'" + FORMULA_NAME in cells and not any(isinstance(c, str) and c.startswith("=") for c in cells)
    payments = list(csv.DictReader(io.StringIO(download(http, what="payments", fmt="csv", **period).text)))
    assert len(payments) == 7 and {p["kind"] for p in payments} == {"payment", "void"}
    void = next(p for p in payments if p["kind"] == "void")
    assert void["amount"] == "-16800"  # a negative number stays a number, not neutralised text


def test_a_supervisors_export_stays_in_their_kecamatan(seeded):
    http = seeded.http
    sign_in(http, "spv.mariso")
    text = download(http, what="participants", fmt="csv", **{"from": "2025-01-01"}).text
    assert "Nurdin Kadir" in text and "Daeng Sikki" not in text
    assert http.get("/console/exports/download", params={"what": "payments", "kec": TAMALATE}).status_code == 403
    sign_in(http, "dinas.kota")  # city viewers see aggregates, not personal data
    assert http.get("/console/exports/download", params={"what": "participants"}).status_code == 403


def make_token(http, name: str, kecamatan: str = "") -> str:
    sign_in(http, "admin.pusat")
    page = http.get("/console/exports")
    r = http.post("/console/exports/tokens", data={"name": name, "kecamatan": kecamatan, "csrf": csrf_of(page.text)})
    assert r.status_code == 200
    return re.search(r'id="new-token">([^<]+)<', r.text).group(1)


def test_the_export_api_pages_every_row_once_for_a_token(seeded):
    http = seeded.http
    token = make_token(http, "BPJS Ketenagakerjaan Cabang Makassar")
    http.cookies.clear()
    auth = {"Authorization": f"Bearer {token}"}
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = http.get("/api/v1/export/participants", params=params, headers=auth).json()
        ParticipantPage.model_validate(body)  # what the OpenAPI document promises
        seen += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6  # 5 seeded registrations + the formula name
    payments = http.get("/api/v1/export/payments", headers=auth,
                        params={"from": seeded.seed.today.isoformat(), "to": seeded.seed.today.isoformat()}).json()
    PaymentPage.model_validate(payments)
    assert {p["receipt_no"] for p in payments["items"]} >= {seeded.seed.payments["now"]["receipt_no"]}
    assert all(p["collected_on"] == seeded.seed.today.isoformat() for p in payments["items"])
    assert http.get("/api/v1/export/payments", headers=auth, params={"cursor": "!!"}).status_code == 400


def test_export_tokens_are_scoped_revocable_and_required(seeded):
    http = seeded.http
    token = make_token(http, "BI Kecamatan Mariso", MARISO)
    auth = {"Authorization": f"Bearer {token}"}
    items = http.get("/api/v1/export/participants", headers=auth).json()["items"]
    assert {p["kecamatan_code"] for p in items} == {MARISO}
    r = http.get("/api/v1/export/participants", headers=auth, params={"kecamatan": TAMALATE})
    assert r.status_code == 403 and r.json()["code"] == "out_of_scope"
    assert http.get("/api/v1/export/participants").status_code == 401
    assert http.get("/api/v1/export/participants", headers={"Authorization": "Bearer nope"}).status_code == 401
    page = http.get("/console/exports").text
    prefix = re.search(r'/console/exports/tokens/([0-9a-f]{16})/revoke', page).group(1)
    http.post(f"/console/exports/tokens/{prefix}/revoke", data={"csrf": csrf_of(page)})
    assert http.get("/api/v1/export/participants", headers=auth).status_code == 401


def test_the_export_api_is_in_the_openapi_document_and_the_console_is_not(seeded):
    spec = seeded.http.get("/openapi.json").json()
    assert {"/api/v1/export/participants", "/api/v1/export/payments"} <= set(spec["paths"])
    assert not any(p.startswith(("/console", "/r/")) for p in spec["paths"])
    operation = spec["paths"]["/api/v1/export/payments"]["get"]
    assert operation["security"] and "next_cursor" in str(spec["components"]["schemas"]["PaymentPage"])
