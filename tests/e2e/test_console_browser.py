"""The web console in a real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright) against the real server on loopback with PostgreSQL: sign-in per role, each
page's figures from seeded data, a supervisor kept to their kecamatan, a review decided in
the browser reaching a device on its next sync, a receipt printed by the app verified by
opening its QR's URL, a forged one refused, and screenshots of every page at 1366x768 and
at phone width (saved under $PERISAI_SCREENSHOT_DIR when set).

One server and one browser for the module keep it to about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import keyring
import pytest
import requests

from central_server.db import make_engine
from central_server.models import ServerModel
from central_server.settings import DEFAULT_REFERENCE_DIR
from tests.helpers.central import run_server
from tests.helpers.console import PASSWORD, seed_programme, write_population
from tests.helpers.keyring import MemoryKeyring
from tests.helpers.samples import MARISO, TAMALATE

from .conftest import open_device, pay, register, seed_agents

CHROMIUM = Path("/usr/bin/chromium")
# As /work's machine notes: no sandbox as root, and nothing that reaches out of loopback.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = os.environ.get("PERISAI_TEST_PG_URL")
    if not url:
        pytest.skip("PERISAI_TEST_PG_URL is not set: the console's browser tests run on PostgreSQL")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium; .ci/run installs it)")
    engine = make_engine(url)
    ServerModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
    tmp = tmp_path_factory.mktemp("console")
    reference = tmp / "reference"
    shutil.copytree(DEFAULT_REFERENCE_DIR, reference)
    write_population(reference)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    with run_server(tmp, db_url=url, reference_dir=reference) as base:
        http = requests.Session()

        def post(path, json=None, headers=None):
            return http.post(base + path, json=json, headers=headers, timeout=30)

        seed = seed_programme(post, url, datetime.now(UTC))
        seed_agents(url)  # the e2e devices' agents (Mariso)
        yield base, seed, tmp
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_for(browser, site):
    base = site[0]
    contexts = []

    def make(username: str | None = None, viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=base, locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        if username:
            page.goto("/console/login")
            page.get_by_label("Nama pengguna").fill(username)
            page.get_by_label("Kata sandi").fill(PASSWORD)
            page.get_by_role("button", name="Masuk").click()
            page.wait_for_url(re.compile(r"/console/(coverage|money|agents|review|people|exports)"))
        return page

    yield make
    for context in contexts:
        context.close()


def nav_pages(page) -> list[str]:
    return page.locator("nav.main-nav a").all_inner_texts()


def test_each_role_signs_in_to_its_own_pages(page_for):
    expected = {
        "admin.pusat": ["Cakupan", "Setoran", "Agen & perangkat", "Pemeriksaan", "Pengguna", "Ekspor"],
        "dinas.kota": ["Cakupan", "Setoran"],
        "bpjs.cabang": ["Cakupan", "Setoran", "Ekspor"],
        "spv.tamalate": ["Cakupan", "Setoran", "Agen & perangkat", "Ekspor"],
    }
    for username, pages in expected.items():
        page = page_for(username)
        assert nav_pages(page) == pages, username
        page.get_by_role("button", name="Keluar").click()
        page.wait_for_url(re.compile("/console/login"))


def test_a_wrong_password_is_said_plainly_and_the_keyboard_signs_in(page_for):
    page = page_for()
    page.goto("/console/login")
    page.get_by_label("Nama pengguna").focus()  # autofocus, unless the page is still settling
    page.keyboard.type("admin.pusat")
    page.keyboard.press("Tab")
    page.keyboard.type("salah-sandi")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text() == "Nama pengguna atau kata sandi salah."
    assert page.get_by_label("Nama pengguna").input_value() == "admin.pusat"  # kept for the next try
    page.keyboard.type(PASSWORD)  # the password field has the focus now
    with page.expect_navigation(url=re.compile("/console/coverage")):
        page.keyboard.press("Enter")


def test_pages_show_the_seeded_figures(page_for):
    page = page_for("admin.pusat")
    assert page.locator("#stat-registered").inner_text() == "5"
    assert page.locator("#stat-active").inner_text() == "3"
    assert page.locator("#chart-coverage canvas").count() == 1  # the vendored chart drew
    page.get_by_role("link", name="Setoran").click()
    assert page.locator("#money-collected").inner_text() == "104.000"
    assert "Hj. Saenab" in page.locator("#closeouts").inner_text()
    assert "PA-DOUBLE" in page.locator("#flagged").inner_text()
    page.get_by_role("link", name="Agen & perangkat").click()
    assert "agen.mariso" in page.locator("#clock-off").inner_text()
    page.get_by_role("link", name="Pengguna").click()
    assert page.locator("#user-spv\\.tamalate").count() == 1
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "People and devices"


def test_a_supervisor_cannot_see_another_kecamatan(page_for):
    page = page_for("spv.tamalate")
    table = page.locator("#coverage-table").inner_text()
    assert "Barombong" in table and "Bontorannu" not in table
    assert page.locator("#kec").count() == 0  # no area picker for a kecamatan supervisor
    response = page.goto(f"/console/money?kec={MARISO}")
    assert response.status == 403 and "di luar kecamatan Anda" in page.get_by_role("alert").inner_text()


def test_a_review_decided_in_the_browser_reaches_the_device(page_for, site):
    from sync.engine import attention_items

    base, _seed, tmp = site
    first, second = open_device(tmp, "pertama", base, "agen1"), open_device(tmp, "kedua", base, "agen2")
    try:
        register(first, 8801, name="Daeng Kebo")
        assert first.engine().sync_round().state == "up_to_date"
        worker = register(second, 8801, name="Kamaruddin Saleh")
        assert second.engine().sync_round().needs_review == 1
        page = page_for("admin.pusat")
        page.get_by_role("link", name="Pemeriksaan").click()
        case = page.locator("article.case", has_text="Kamaruddin Saleh")
        assert "Daeng Kebo" in case.inner_text()
        case.get_by_label("Alasan keputusan").fill("Orang berbeda; NIK salah ketik, periksa KTP")
        case.get_by_role("button", name="Orang berbeda: tolak pendaftaran").click()
        assert "diputuskan" in page.get_by_role("status").inner_text()
        assert "admin.pusat" in page.locator("#decisions").inner_text()
        second.engine().sync_round()
        [item] = [i for i in attention_items(second.db, second.user.id) if i.worker_id == worker.id]
        assert item.state == "rejected" and "NIK salah ketik, periksa KTP" in item.reason("id")
    finally:
        first.core.close()
        second.core.close()


def test_a_receipt_printed_by_the_app_verifies_from_its_qr_and_a_forged_one_does_not(page_for, site):
    from agent_app.ui.receipt import load_receipt, qr_payload

    base, _seed, tmp = site
    dev = open_device(tmp, "kuitansi", base, "agen3")
    try:
        worker = register(dev, 8802, name="Hasnah Daeng Ngai")
        payment = pay(dev, worker.id, 3)
        assert dev.engine().sync_round().state == "up_to_date"
        qr = qr_payload(load_receipt(dev.core, payment.id))
    finally:
        dev.core.close()
    assert qr.startswith(f"{base}/r/{payment.receipt_no}?")
    page = page_for(viewport=PHONE)  # anyone's phone: no account
    page.goto(qr)
    assert page.locator("#verdict").inner_text() == "✔ Kuitansi sah"
    assert page.locator("#receipt-initials").inner_text() == "H. D. N."
    assert "Hasnah" not in page.content()
    parts = urlsplit(qr)
    forged = qr.replace(parts.query.split("s=")[1], "B" * 43)
    page.goto(forged)
    assert page.locator("#verdict").inner_text() == "✖ Tidak dikenal / tidak cocok"
    page.goto(qr.replace("a=", "a=9"))  # the amount altered
    assert "Tidak dikenal" in page.locator("#verdict").inner_text()


PAGES = ["coverage", "money", "agents", "review", "people", "exports"]


def test_screenshots_of_every_page_fit_a_laptop_and_a_phone(page_for, site):
    base, seed, tmp = site
    out = Path(os.environ.get("PERISAI_SCREENSHOT_DIR") or tmp / "shots")
    out.mkdir(parents=True, exist_ok=True)
    receipt = seed.payments["now"]
    receipt_url = __import__("perisai_protocol").receipt_check_url(
        "", seed.receipt_keys["agen.tamalate"], receipt["receipt_no"], receipt["amount"], receipt["months"])
    for size, viewport in (("1366", DESKTOP), ("phone", PHONE)):
        page = page_for("admin.pusat", viewport=viewport)
        for name in PAGES:
            page.goto(f"/console/{name}")
            page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=True)
            # Wide tables scroll inside their frame; the page itself never scrolls sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (name, size)
        page.goto(f"/console/coverage?kec={TAMALATE}")  # a kecamatan whose population is known: the target
        page.screenshot(path=str(out / f"coverage-kecamatan-{size}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.goto(receipt_url)
        page.screenshot(path=str(out / f"receipt-{size}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.goto("/console/login")
        page.screenshot(path=str(out / f"login-{size}.png"), full_page=True)
    assert len(list(out.glob("*.png"))) == 2 * (len(PAGES) + 3)
