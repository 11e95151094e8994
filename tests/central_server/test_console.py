"""The web console at the HTTP level (in-process, SQLite and PostgreSQL): sign-in per role,
CSRF, shared sign-in delays, pages checked against role and kecamatan, figures from seeded
data, review decisions that reach the device's pull, people and devices."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, time

import pytest

from central_server.settings import DEFAULT_REFERENCE_DIR
from central_server.summary import WITA
from central_server.web.i18n import month_label
from tests.helpers.central import seed_user
from tests.helpers.console import (
    CONSOLE_USERS,
    PASSWORD,
    Device,
    csrf_of,
    seed_programme,
    sign_in,
    write_population,
)
from tests.helpers.samples import MARISO, TAMALATE, payment_payload, worker_payload

PAGES = ("coverage", "money", "agents", "review", "people", "exports")
ALLOWED = {
    "admin.pusat": set(PAGES),
    "dinas.kota": {"coverage", "money"},
    "bpjs.cabang": {"coverage", "money", "exports"},
    "spv.tamalate": {"coverage", "money", "agents", "exports"},
}


@pytest.fixture
def console(make_central, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE_DIR, reference)
    write_population(reference)
    central = make_central(reference_dir=reference)
    central.seed = seed_programme(central.http.post, central.settings.database_url, central.settings.clock())
    return central


def test_every_role_signs_in_and_sees_only_its_pages(console):
    http = console.http
    for username, allowed in ALLOWED.items():
        r = sign_in(http, username)
        assert r.status_code == 303, (username, r.text)
        assert r.headers["location"] == "/console/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        for page in PAGES:
            r = http.get(f"/console/{page}", follow_redirects=False)
            assert r.status_code == (200 if page in allowed else 403), (username, page, r.status_code)
            if page not in allowed:
                assert "tidak tersedia untuk peran Anda" in r.text


def test_pages_need_a_session_and_signing_out_ends_it(console):
    http = console.http
    r = http.get("/console/money?from=2026-02-01", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login?next=/console/money")
    sign_in(http, "admin.pusat")
    page = http.get("/console/coverage")
    assert page.status_code == 200
    assert http.post("/console/logout", data={"csrf": "wrong"}).status_code == 403  # CSRF refused
    assert http.get("/console/coverage", follow_redirects=False).status_code == 200
    r = http.post("/console/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert http.get("/console/coverage", follow_redirects=False).status_code == 303


def test_sign_in_refusals_speak_the_users_language_and_share_the_apis_delays(console):
    http = console.http
    r = sign_in(http, "admin.pusat", "salah-sandi")
    assert r.status_code == 401 and "Nama pengguna atau kata sandi salah" in r.text
    http.get("/console/lang/en")
    form = http.get("/console/login")
    r = http.post("/console/login", data={"username": "admin.pusat", "password": "x", "csrf": "forged"})
    assert r.status_code == 403 and "The form expired" in r.text
    r = http.post("/console/login", data={"username": "agen.tamalate", "password": PASSWORD,
                                          "csrf": csrf_of(form.text)})
    assert r.status_code == 403 and "Perisai Agent app" in r.text
    # Failures on the device API count for the console, and the other way round.
    for _ in range(3):
        http.post("/v1/auth/login", json={"username": "admin.pusat", "password": "wrong-pass",
                                          "device_id": "d-12345678"})
    r = sign_in(http, "admin.pusat", "salah")
    r = http.post("/console/login", data={"username": "admin.pusat", "password": PASSWORD,
                                          "csrf": csrf_of(http.get("/console/login").text)})
    assert r.status_code == 429 and "Coba lagi dalam" in r.text and int(r.headers["Retry-After"]) > 0


def test_console_viewers_cannot_enroll_a_device(console):
    r = console.http.post("/v1/auth/login", json={"username": "dinas.kota", "password": PASSWORD,
                                                  "device_id": "dev-viewer-1"})
    assert r.status_code == 403 and r.json()["code"] == "console_only"


def test_a_kecamatan_supervisor_sees_only_their_kecamatan(console):
    http = console.http
    sign_in(http, "spv.tamalate")
    for page in ("coverage", "money", "agents", "exports"):
        r = http.get(f"/console/{page}?kec={MARISO}")
        assert r.status_code == 403 and "di luar kecamatan Anda" in r.text, page
    coverage = http.get("/console/coverage").text
    assert "Barombong" in coverage and "Bontorannu" not in coverage
    agents = http.get("/console/agents").text
    assert "agen.tamalate" in agents and "agen.mariso" not in agents
    money = http.get("/console/money").text
    assert "PA-MARISO" not in money and "Besse" not in money
    sign_in(http, "spv.mariso")
    assert "Bontorannu" in http.get("/console/coverage").text
    assert http.get(f"/console/money?kec={TAMALATE}").status_code == 403


def stat(html: str, name: str) -> str:
    return re.search(rf'id="{name}">([^<]+)<', html).group(1)


def test_coverage_counts_statuses_against_the_population_where_known(console):
    http = console.http
    sign_in(http, "dinas.kota")
    city = http.get("/console/coverage").text
    # Tamalate: Sikki (active), Ramlah (grace), Baso (voided: never); Mariso: Nurdin (active).
    # The case under review counts too (it is a registration until decided).
    assert stat(city, "stat-registered") == "5"
    assert stat(city, "stat-active") == "3"
    assert stat(city, "stat-grace") == "1"
    assert stat(city, "stat-never") == "1"
    assert stat(city, "jht-used") == "1"
    assert "hanya ada untuk sebagian wilayah" in city  # population known for Tamalate only
    tamalate = http.get(f"/console/coverage?kec={TAMALATE}").text
    barombong = re.search(r"Barombong</th>(.*?)</tr>", tamalate, re.S).group(1)
    assert "3,0 %" in barombong  # Sikki, Baso and the case under review, of 100 workers
    mariso = http.get(f"/console/coverage?kec={MARISO}").text
    assert "persentase cakupan tidak dihitung" in mariso and "%" not in re.search(
        r'<tbody>(.*?)</tbody>', mariso, re.S).group(1)


def test_coverage_over_time_shows_each_months_statuses_against_the_target(console):
    http = console.http
    sign_in(http, "dinas.kota")
    city = http.get("/console/coverage").text
    over_time = re.search(r'id="over-time">(.*?)</table>', city, re.S).group(1)
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', over_time, re.S)
    this_month, figures = rows[0]  # newest first; everyone registered this month
    assert re.findall(r">([\d.]+)<", figures) == ["5", "3", "1", "0", "1"]  # as the cards of today
    assert this_month == month_label(f"{console.seed.today:%Y-%m}", "id")
    assert "target 72,5 % tidak digambar" in city  # the city's population is not known
    tamalate = http.get(f"/console/coverage?kec={TAMALATE}").text
    # Tamalate's population is known (its kelurahan in the reference data): the target in people.
    workers = re.search(r'id="target-workers">Target 72,5 % dari ([\d.]+) pekerja informal: ([\d.]+) peserta',
                        tamalate)
    assert workers and int(workers.group(2).replace(".", "")) == round(int(workers.group(1).replace(".", "")) * 0.725)
    assert "Aktif / pekerja" in tamalate
    http.get("/console/lang/en")
    english = http.get(f"/console/coverage?kec={TAMALATE}").text
    assert "Coverage over time" in english and "Active / workers" in english


def test_money_page_shows_collections_closeouts_and_double_collections(console):
    http = console.http
    sign_in(http, "admin.pusat")
    money = http.get("/console/money").text
    # 6 receipts: 16.800 x 5 + 20.000; one void of 16.800
    assert stat(money, "money-receipts") == "6"
    assert stat(money, "money-collected") == "104.000"
    assert stat(money, "money-net") == "87.200"
    flagged = re.search(r'id="flagged">(.*?)</table>', money, re.S).group(1)
    assert "PA-DOUBLE" in flagged and "PA-NOW" not in flagged
    closeouts = re.search(r'id="closeouts">(.*?)</table>', money, re.S).group(1)
    assert "Hj. Saenab" in closeouts and "-3.600" in closeouts and "uang kembalian kurang" in closeouts
    assert "QRIS" in money and "Tunai" in money
    assert http.get("/console/money?from=2026-13-01").status_code == 400


def test_a_city_of_agents_is_folded_on_the_money_page(console):
    """With every agent of the city the money page ran to 22,000 pixels: past 25 rows the
    per-agent table opens on request, and its rows are all there."""
    http = console.http
    today = console.seed.today
    current = f"{today.year:04d}-{today.month:02d}"
    collected = datetime.combine(today, time(10), WITA).astimezone(UTC).isoformat()
    for n in range(25):  # with the seed's agents: 27 who collected
        username = f"agen.{n:02d}"
        seed_user(console.settings.database_url, username, PASSWORD, full_name=f"Agen Nomor {n:02d}")
        device = Device(console.http.post, username, f"laptop-{n:02d}")
        worker = worker_payload(full_name=f"Peserta {n:02d}", serial=100 + n, registered_at=collected,
                                consent_at=collected)
        assert device.push("worker.register", worker)["status"] == "applied"
        payment = payment_payload(worker["id"], [current], receipt_no=f"PA-FOLD-{n:02d}",
                                  device_id=device.device_id, collected_at=collected)
        assert device.push("payment.collect", payment)["status"] == "applied"
    sign_in(http, "admin.pusat")
    money = http.get("/console/money").text
    folded = re.search(r'<details id="per-agent-fold"><summary>(.*?)</summary>(.*?)</details>', money, re.S)
    assert folded is not None and "27 baris" in folded.group(1)
    assert "Agen Nomor 00" in folded.group(2) and "Agen Nomor 24" in folded.group(2)
    tamalate = http.get(f"/console/money?kec={TAMALATE}").text  # one kecamatan's few kelurahan
    assert 'id="per-kelurahan-fold"' not in tamalate and 'id="per-kelurahan"' in tamalate


def test_agents_page_shows_reported_queue_version_and_wrong_clocks(console):
    http = console.http
    sign_in(http, "admin.pusat")
    agents = http.get("/console/agents").text
    off = re.search(r'id="clock-off">(.*?)</table>', agents, re.S).group(1)
    assert "agen.mariso" in off and "agen.tamalate" not in off
    assert "3 hari lebih cepat" in off
    summary = re.search(r'id="device-summary">(.*?)</table>', agents, re.S).group(1)
    mariso = re.search(r"Mariso</a></th>(.*?)</tr>", summary, re.S).group(1)
    assert re.findall(r">(\d+)<", mariso) == ["1", "1", "1", "1"]  # one device: synced, queued, clock off
    devices = re.search(r'id="devices">(.*?)</table>', http.get(f"/console/agents?kec={MARISO}").text, re.S).group(1)
    assert "0.1.0" in devices and ">7<" in devices and "agen.tamalate" not in devices
    tamalate = http.get(f"/console/agents?kec={TAMALATE}").text
    assert ">2<" in re.search(r'id="devices">(.*?)</table>', tamalate, re.S).group(1)


def test_a_review_decision_reaches_the_device_with_its_reason(console):
    http = console.http
    seed = console.seed
    sign_in(http, "admin.pusat")
    page = http.get("/console/review").text
    case = re.search(rf'id="case-{seed.review_id}">(.*?)</article>', page, re.S).group(1)
    assert "Sikki Daeng Ngalle" in case and "Daeng Sikki" in case and "PA-ONCONFLICT" in case
    csrf = csrf_of(page)
    r = http.post(f"/console/review/{seed.review_id}", data={"decision": "reject", "reason": " ", "csrf": csrf})
    assert r.status_code == 400 and "Tulis alasan" in r.text
    assert "laptop-tamalate-01" in case  # the device the registration came from
    r = http.post(f"/console/review/{seed.review_id}", data={"decision": "reject", "csrf": csrf,
                                                            "reason": "NIK milik orang lain; periksa KTP"})
    assert r.status_code == 200 and f"Kasus {seed.review_id} diputuskan" in r.text
    assert "admin.pusat" in re.search(r'id="decisions">(.*?)</table>', r.text, re.S).group(1)
    again = http.post(f"/console/review/{seed.review_id}", data={"decision": "alias", "csrf": csrf,
                                                                "reason": "nama salah ketik"})
    assert again.status_code == 409
    tokens = seed.tokens["agen.tamalate"]
    pulled = console.http.get("/v1/pull", params={"cursor": 0},
                              headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    worker = next(c for c in pulled["changes"] if c["id"] == seed.workers["conflict"]["id"])
    assert worker["data"]["review_state"] == "rejected"
    assert "NIK milik orang lain" in worker["data"]["review_reason"]["id"]


def test_people_and_devices_follow_the_clis_rules(console):
    http = console.http
    sign_in(http, "admin.pusat")
    page = http.get("/console/people").text
    csrf = csrf_of(page)
    r = http.post("/console/people/create", data={"username": "agen.baru", "full_name": "Agen Baru", "role": "agent",
                                                  "password": "pendek", "csrf": csrf})
    assert "Kata sandi minimal 8 karakter" in r.text
    r = http.post("/console/people/create", data={"username": "agen.baru", "full_name": "Agen Baru", "role": "agent",
                                                  "password": "sandi-baru-1", "kecamatan": TAMALATE, "csrf": csrf})
    assert "Tersimpan" in r.text and 'id="user-agen.baru"' in r.text
    r = http.post("/v1/auth/login", json={"username": "agen.baru", "password": "sandi-baru-1",
                                          "device_id": "dev-baru-01"})
    assert r.status_code == 200
    # Deactivating a viewer ends their console session at once.
    viewer = type(http)(console.app)
    sign_in(viewer, "dinas.kota")
    assert viewer.get("/console/coverage", follow_redirects=False).status_code == 200
    http.post("/console/people/dinas.kota/active", data={"active": "0", "csrf": csrf})
    assert viewer.get("/console/coverage", follow_redirects=False).status_code == 303
    assert http.post("/console/people/admin.pusat/active", data={"active": "0", "csrf": csrf}).status_code == 400
    # Revoking a device stops its tokens.
    tokens = console.seed.tokens["agen.mariso"]
    page = http.get("/console/people").text
    enrollment_id = re.search(r'Laptop agen\.mariso\s*<form method="post" action="/console/devices/([^/]+)/revoke"',
                              page).group(1)
    http.post(f"/console/devices/{enrollment_id}/revoke", data={"csrf": csrf})
    r = http.get("/v1/pull", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 401 and r.json()["code"] == "device_revoked"
    r = http.post("/console/people/agen.baru/password", data={"password": "sandi-lain-22", "csrf": "forged"})
    assert r.status_code == 403
    found = http.get("/console/people", params={"q": "SPV "}).text
    assert 'id="user-spv.tamalate"' in found and 'id="user-spv.mariso"' in found
    assert 'id="user-agen.baru"' not in found and "2 pengguna" in found


def test_unknown_console_addresses_get_a_page_and_the_api_keeps_json(console):
    r = console.http.get("/console/no-such-page")
    assert r.status_code == 404 and "Halaman tidak ditemukan" in r.text and r.headers["content-type"].startswith(
        "text/html")
    assert console.http.get("/v1/no-such-endpoint").json()["code"] == "not_found"
    sign_in(console.http, "admin.pusat")
    r = console.http.get("/console/people", params={"p": "-1"})
    assert r.status_code == 400 and "tidak valid" in r.text


def test_the_console_speaks_english_on_request(console):
    http = console.http
    sign_in(http, "admin.pusat")
    r = http.get("/console/lang/en?next=/console/coverage")
    assert r.status_code == 200 and "Registered" in r.text and "Terdaftar" not in r.text
    assert http.get("/console/lang/en?next=//evil.example", follow_redirects=False).headers["location"] == "/console/"


@pytest.mark.parametrize("username", sorted(CONSOLE_USERS))
def test_console_users_exist_with_their_roles(console, username):
    assert sign_in(console.http, username).status_code == 303
