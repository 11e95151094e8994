"""The GUI side of sync against the real server: the controller on its network thread
drives the status bar; the "Perlu perhatian" page lists refusals with the server's reason
and lets the agent correct (a new operation) or void."""

from __future__ import annotations

import json
import os
from urllib.parse import urlparse

import pytest
from sqlmodel import select

from agent_app.store.models import OutboxOp, Payment
from perisai_protocol import canonical_json, payload_hash
from tests.helpers.faultproxy import FaultProxy

from .conftest import pay, register

pytestmark = pytest.mark.usefixtures("qapp")


def _session(dev):
    from agent_app.ui.session import UiSession

    return UiSession(dev.user, "id")


def _controller(dev, url, **kw):
    from agent_app.ui.sync_controller import SyncController
    from sync.client import SyncClient

    return SyncController(dev.core, _session(dev), url,
                          engine_factory=lambda: dev.engine(client=SyncClient(
                              url, connect_timeout=1, read_timeout=2, deadline=5)), **kw)


def test_controller_syncs_on_start_and_reports_to_the_status_bar(qtbot, central, device):
    dev = device("gui1")
    register(dev)
    controller = _controller(dev, central.base_url)
    seen = []
    controller.status_changed.connect(lambda state, detail: seen.append((state, detail)))
    pending = []
    controller.pending_changed.connect(pending.append)
    try:
        controller.start()
        qtbot.waitUntil(lambda: controller.state == "up_to_date", timeout=20000)
        assert seen[0][0] == "syncing" and seen[-1][0] == "up_to_date"
        assert pending[-1] == 0 and controller.last_success
    finally:
        controller.shutdown()


def test_offline_then_probe_brings_it_back(qtbot, central, device):
    u = urlparse(central.base_url)
    with FaultProxy(u.hostname, u.port, seed=3) as proxy:
        dev = device("gui2", base_url=proxy.url)
        register(dev)
        proxy.inject("reset_before", path="/v1/push")
        controller = _controller(dev, proxy.url, probe_ms=50)
        states = []
        controller.state_changed.connect(states.append)
        try:
            controller.start()
            qtbot.waitUntil(lambda: controller.state == "up_to_date", timeout=20000)
            assert "offline" in states
        finally:
            controller.shutdown()


def test_attention_page_lists_reason_and_fixes_with_a_new_operation(qtbot, central, device):
    from agent_app.ui.attention import AttentionPage
    from agent_app.ui.tasks import TaskRunner

    dev = device("gui3")
    bad = register(dev)
    with dev.db.write() as s:
        op = s.exec(select(OutboxOp).where(OutboxOp.entity_id == bad.id)).one()
        payload = json.loads(op.payload)
        payload["kelurahan_code"] = "73719999999"
        op.payload, op.payload_hash = canonical_json(payload), payload_hash(payload)
        s.add(op)
    p = pay(dev, bad.id, 1)
    assert dev.engine().sync_round().rejected == 2
    page = AttentionPage(dev.core, TaskRunner(synchronous=True), _session(dev))
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 2
    reason = page.model.item(0, 3).text()
    assert "Kelurahan" in reason  # the server's reason, in Bahasa Indonesia
    page.select_row(0)
    assert page.fix_button.isEnabled() and not page.void_button.isEnabled()

    # The correction dialog, cancelled: nothing is queued.
    page.fix_selected()
    dialog = page._dialog
    assert dialog.inputs["full_name"].text() == bad.full_name and dialog.isVisible()
    assert "Kelurahan" in dialog.server_reason.plain_text()  # the server's reason, shown
    dialog.inputs["address"].setText("Jl. Batal")
    dialog.reject()
    with dev.db.read() as s:
        assert not s.exec(select(OutboxOp).where(OutboxOp.state == "pending")).all()
    page.select_row(0)
    page.fix_selected()
    dialog = page._dialog
    dialog.inputs["address"].setText("Jl. Nuri 2")
    with qtbot.waitSignal(dialog.corrected):
        dialog.save_button.click()
    assert page.model.rowCount() == 0  # the payment was re-queued with the registration
    with dev.db.read() as s:
        kinds = [o.kind for o in s.exec(select(OutboxOp).where(OutboxOp.state == "pending")
                                        .order_by(OutboxOp.seq))]
        assert kinds == ["worker.register", "payment.collect"]
        assert json.loads(s.exec(select(OutboxOp).where(OutboxOp.state == "rejected")
                                 .order_by(OutboxOp.seq)).first().payload)["kelurahan_code"] \
            == "73719999999"  # the queued payload was never rewritten
    assert dev.engine().sync_round().state == "up_to_date"
    with dev.db.read() as s:
        assert s.get(Payment, p.id).sync_state == "synced"


def test_attention_page_voids_a_refused_payment(qtbot, central, device):
    from agent_app.ui.attention import AttentionPage
    from agent_app.ui.tasks import TaskRunner

    dev = device("gui4")
    w = register(dev)
    p = pay(dev, w.id, 1)
    with dev.db.write() as s:
        op = s.exec(select(OutboxOp).where(OutboxOp.entity_id == p.id)).one()
        payload = json.loads(op.payload)
        payload["amount"] = payload["amount"] + 1000  # the server's arithmetic disagrees
        op.payload, op.payload_hash = canonical_json(payload), payload_hash(payload)
        s.add(op)
    assert dev.engine().sync_round().rejected == 1
    page = AttentionPage(dev.core, TaskRunner(synchronous=True), _session(dev))
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 1
    page.select_row(0)
    assert page.void_button.isEnabled()
    page.void_selected(reason="salah hitung nominal")
    assert page.model.rowCount() == 0
    with dev.db.read() as s:
        assert s.exec(select(Payment).where(Payment.voids_payment_id == p.id)).one()
    # The void reaches the server, which never took the payment: nothing left to do.
    assert dev.engine().sync_round().state == "up_to_date"
    page.refresh()
    assert page.model.rowCount() == 0


def test_after_an_up_to_date_round_old_records_from_other_areas_are_purged(qtbot, central, device):
    """Retention runs once the server is known to hold everything (never before)."""
    from datetime import timedelta

    from agent_app.store.models import Worker

    dev = device("gui-retention")
    old = (dev.clock.now() - timedelta(days=40)).isoformat(timespec="seconds")
    away = Worker(
        id="pulled-away-1", nik="7371024107900001", full_name="Daeng Jauh", name_key="daengjauh",
        birth_date="1990-07-01", sex="F", address="Jl. Jauh", kecamatan_code="7371020",
        kelurahan_code="73710201001", occupations=json.dumps(["Pedagang pasar"]),
        policy_sector="other", declared_income=1_000_000,
        programmes=json.dumps({"jkk": "self", "jkm": "self"}), consent_version="1",
        consent_at=old, consent_user_id="server", registered_at=old, registered_by="server",
        registration_month="2026-10", updated_at=old, origin="pulled", sync_state="synced")
    with dev.db.write() as s:
        s.add(away)
    controller = _controller(dev, central.base_url)
    try:
        controller.start()
        qtbot.waitUntil(lambda: controller.state == "up_to_date", timeout=20000)
    finally:
        controller.shutdown()
    with dev.db.read() as s:
        assert s.get(Worker, "pulled-away-1") is None


def _window(qtbot, dev, controller):
    from PySide6.QtWidgets import QApplication

    from agent_app.ui.i18n import install_translator
    from agent_app.ui.main_window import MainWindow
    from agent_app.ui.tasks import TaskRunner

    install_translator(QApplication.instance(), "id")
    runner = TaskRunner()
    window = MainWindow(dev.core, runner, controller.session)
    qtbot.addWidget(window)
    window.resize(1366, 700)
    window.show()
    window.attach_sync(controller)
    return window, runner


def _close(window, controller, runner):
    from PySide6.QtWidgets import QApplication

    from agent_app.ui.i18n import install_translator

    controller.shutdown()
    window.shutdown()
    runner.shutdown()
    install_translator(QApplication.instance(), "en")


def test_an_ended_session_is_signed_in_again_from_the_status_bar(qtbot, central, device):
    """After a restart on the same data (or a revoked token) the status bar said "masuk
    lagi saat online" and nothing in the app could sign in: records piled up."""
    from PySide6.QtCore import Qt

    from sync.credentials import Tokens, TokenStore
    from tests.e2e.conftest import PASSWORD

    dev = device("gui-signin")
    register(dev)
    register(dev)
    tokens = TokenStore(central.base_url)
    old = tokens.get(dev.username)
    tokens.set(dev.username, Tokens("stale-access-token-0000", "revoked-refresh-token-0000", old.server_user_id))
    controller = _controller(dev, central.base_url)
    window, runner = _window(qtbot, dev, controller)
    try:
        controller.start()
        qtbot.waitUntil(lambda: controller.state == "signin_required", timeout=20000)
        status = window.status
        assert status.signin_button.isVisible()
        qtbot.mouseClick(status.signin_button, Qt.MouseButton.LeftButton)
        dialog = window._dialog
        qtbot.waitUntil(dialog.isVisible)
        assert dialog.server.text() == central.base_url  # where it signs in
        assert dialog.focusWidget() is dialog.password
        qtbot.keyClicks(dialog.password, "salah-sekali")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=20000)
        assert dialog.isVisible() and "salah" in dialog.message.plain_text().lower()
        with dev.db.read() as s:  # nothing queued was touched
            assert len(s.exec(select(OutboxOp).where(OutboxOp.state == "pending")).all()) == 2
        qtbot.keyClicks(dialog.password, PASSWORD)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: controller.state == "up_to_date", timeout=20000)
        assert not dialog.isVisible() and not status.signin_button.isVisible()
        assert status.pending == 0
        sent = central.query("SELECT count(*) FROM applied_ops WHERE device_id = :d",
                             d=dev.core.device_id)[0][0]
        assert sent >= 2
    finally:
        _close(window, controller, runner)


def test_a_frozen_server_can_be_cancelled_and_nothing_is_lost(qtbot, central, device):
    """With the server frozen the bar said "Sedang sinkron…" for two minutes, no way out."""
    from PySide6.QtCore import Qt

    u = urlparse(central.base_url)
    with FaultProxy(u.hostname, u.port, seed=5) as proxy:
        dev = device("gui-frozen", base_url=proxy.url)
        register(dev)
        proxy.inject("black_hole", path="/v1/push", times=50)
        from agent_app.ui.sync_controller import SyncController

        controller = SyncController(dev.core, _session(dev), proxy.url)  # the GUI's deadlines
        window, runner = _window(qtbot, dev, controller)
        status = window.status
        try:
            controller.start()
            qtbot.waitUntil(lambda: status.sync_state == "syncing" and status.cancel_button.isVisible(),
                            timeout=10000)
            qtbot.wait(1500)  # the push is under way, unanswered
            assert status.sync_label.text().startswith("Sedang sinkron")
            qtbot.mouseClick(status.cancel_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: controller.state == "cancelled", timeout=3000)
            assert status.sync_label.text() == "Sinkron dibatalkan"
            assert not status.cancel_button.isVisible()
            with dev.db.read() as s:
                assert [o.state for o in s.exec(select(OutboxOp))] == ["pending"]
            proxy.clear()
            controller.sync_now()
            qtbot.waitUntil(lambda: controller.state == "up_to_date", timeout=20000)
            assert status.pending == 0
        finally:
            _close(window, controller, runner)


def test_a_wrong_clock_and_a_new_tariff_are_said_in_the_status_bar(qtbot, tmp_path,
                                                                    cheap_password_hashing):
    """The centre found the laptop's clock three hours ahead and sent a new tariff: the
    person reads both beside the sync state, in their language, and the clock warning is
    there again at the next start, before any round."""
    import shutil
    from datetime import timedelta

    from agent_app.app import build_main_window
    from agent_app.domain.reference import default_reference_dir
    from agent_app.services.core import AgentCore
    from agent_app.ui.session import UiSession
    from agent_app.ui.sync_controller import SyncController
    from agent_app.ui.tasks import TaskRunner
    from sync import headless
    from tests.helpers.central import run_server

    from .conftest import PASSWORD, seed_agents
    from .test_sync_clock import LaptopClock
    from .test_sync_reference import publish

    folder = tmp_path / "centre-reference"
    shutil.copytree(default_reference_dir(), folder)
    publish(folder, "2026.2")

    def laptop():
        core = AgentCore.open(tmp_path / "laptop" / "p.db", clock=LaptopClock(timedelta(hours=3)))
        runner = TaskRunner()
        session = UiSession(core.users.authenticate("agen1", PASSWORD), "id")
        window = build_main_window(core, runner, session)
        qtbot.addWidget(window)
        return core, runner, session, window

    (tmp_path / "centre").mkdir()
    with run_server(tmp_path / "centre", reference_dir=folder) as url:
        seed_agents(url.db_url, ("agen1",))
        core = AgentCore.open(tmp_path / "laptop" / "p.db", clock=LaptopClock(timedelta(hours=3)))
        with open(os.devnull, "w") as out:
            assert headless.login(core, str(url), "agen1", PASSWORD, out=out) == 0
        core.close()

        core, runner, session, window = laptop()
        notice = window.notice_banner
        controller = SyncController(core, session, str(url), parent=window)
        window.attach_sync(controller)
        window.show()
        try:
            controller.start()
            qtbot.waitUntil(lambda: controller.state == "up_to_date", timeout=20000)
            assert notice.isVisible()
            assert "Jam laptop ini 3 jam lebih cepat dari jam server pusat" in notice.text()
            assert "menjadi 2026.2" in notice.text()
            session.set_language("en")
            assert "This laptop's clock is 3 hours ahead" in notice.text()
            assert "2026.2" in notice.text()
            session.set_language("id")
        finally:
            controller.shutdown()
            window.shutdown()
            runner.shutdown()
            core.close()

    core, runner, session, window = laptop()  # the next morning, offline
    try:
        assert "Jam laptop ini 3 jam lebih cepat" in window.notice_banner.text()
    finally:
        window.shutdown()
        runner.shutdown()
        core.close()
