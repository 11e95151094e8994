"""Sign-in, refresh, rate limiting and the authorisation matrix, endpoint by endpoint."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

import perisai_protocol as protocol
from central_server.auth import revoke_device, token_hash
from central_server.models import AuthToken, Participant
from tests.helpers.samples import make_op, push_body, worker_payload

from .helpers import PASSWORD, assert_error


def test_login_returns_token_pair_and_stores_only_hashes(central):
    central.add_user("agen.satu")
    r = central.http.post("/v1/auth/login", json={"username": "Agen.Satu", "password": PASSWORD,
                                                  "device_id": "device-0001", "app_version": "0.1.0"})
    assert r.status_code == 200
    pair = protocol.TokenPair.model_validate(r.json())
    assert pair.expires_in == 15 * 60 and pair.refresh_expires_in == 90 * 86400
    assert pair.user.username == "agen.satu" and pair.user.kecamatan_code == "7371100"
    assert pair.user.wadah == "Koperasi Perisai Makassar" and pair.receipt_key
    with Session(central.engine) as s:
        hashes = {t.token_hash for t in s.exec(select(AuthToken)).all()}
    assert hashes == {token_hash(pair.access_token), token_hash(pair.refresh_token)}


def test_wrong_password_and_unknown_user_look_the_same(central):
    central.add_user("agen.satu")
    bad = central.http.post("/v1/auth/login", json={"username": "agen.satu", "password": "nope-nope",
                                                    "device_id": "device-0001"})
    ghost = central.http.post("/v1/auth/login", json={"username": "hantu", "password": "nope-nope",
                                                      "device_id": "device-0001"})
    assert assert_error(bad, 401, "invalid_credentials") == assert_error(ghost, 401, "invalid_credentials")


def _sign_in(http, username: str, password: str):
    return http.post("/v1/auth/login", json={"username": username, "password": password, "device_id": "device-0001"})


def test_wrong_passwords_delay_that_username_from_that_client_only(central, clock):
    """Five wrong passwords used to lock the right one out for everyone for 15 minutes."""
    central.add_user("agen.satu")
    attacker, owner = central.http_from("203.0.113.9"), central.http_from("198.51.100.4")
    for _ in range(3):
        assert_error(_sign_in(attacker, "agen.satu", "salah-salah"), 401, "invalid_credentials")
    # the attacker now waits, even with the right password (it is not even checked) ...
    r = _sign_in(attacker, "agen.satu", PASSWORD)
    assert_error(r, 429, "too_many_attempts")
    assert r.headers["Retry-After"] == "30"
    # ... while the user signs in from their own device at once
    assert _sign_in(owner, "agen.satu", PASSWORD).status_code == 200
    # each further failure doubles the wait
    clock.advance(seconds=30)
    assert_error(_sign_in(attacker, "agen.satu", "salah-lagi"), 401, "invalid_credentials")
    assert _sign_in(attacker, "agen.satu", "salah-lagi").headers["Retry-After"] == "60"
    clock.advance(seconds=60)
    assert_error(_sign_in(attacker, "agen.satu", "salah-lagi"), 401)
    assert _sign_in(attacker, "agen.satu", "x-x-x-x-x").headers["Retry-After"] == "120"
    # up to 15 minutes; the right password afterwards starts the pair afresh
    for _ in range(6):
        clock.advance(minutes=16)
        assert_error(_sign_in(attacker, "agen.satu", "salah-lagi"), 401)
    assert _sign_in(attacker, "agen.satu", "x-x-x-x-x").headers["Retry-After"] == str(15 * 60)
    clock.advance(minutes=15)
    assert _sign_in(attacker, "agen.satu", PASSWORD).status_code == 200
    assert_error(_sign_in(attacker, "agen.satu", "salah-salah"), 401, "invalid_credentials")


def test_one_client_guessing_over_many_usernames_is_slowed_without_locking_anyone_out(central, clock):
    central.add_user("agen.satu")
    sprayer, owner = central.http_from("203.0.113.9"), central.http_from("198.51.100.4")
    for i in range(30):
        assert_error(_sign_in(sprayer, f"tebak{i}", "Makassar2026"), 401)
    r = _sign_in(sprayer, "agen.satu", PASSWORD)
    assert_error(r, 429, "too_many_attempts")
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert _sign_in(owner, "agen.satu", PASSWORD).status_code == 200
    clock.advance(minutes=1)
    assert _sign_in(sprayer, "agen.satu", PASSWORD).status_code == 200


def _refresh(central, token: str):
    return central.http.post("/v1/auth/refresh", json={"refresh_token": token, "device_id": "device-0001"})


def test_refresh_rotates_and_a_lost_answer_is_answered_again(central, clock):
    central.add_user("agen.satu")
    agent = central.login("agen.satu", "device-0001")
    old = agent.tokens["refresh_token"]
    r = _refresh(central, old)
    assert r.status_code == 200
    new = r.json()
    assert new["refresh_token"] != old and new["access_token"] != agent.tokens["access_token"]
    assert new["receipt_key"] == agent.tokens["receipt_key"]
    # The answer was lost on a 2G link: hours later the device asks again with the old
    # token and gets the same pair (no new sessions pile up, nobody is signed out).
    clock.advance(hours=5)
    again = _refresh(central, old)
    assert again.status_code == 200
    assert (again.json()["access_token"], again.json()["refresh_token"]) == \
        (new["access_token"], new["refresh_token"])
    assert again.json()["expires_in"] == 0  # that access token expired meanwhile: refresh it
    # The device uses its new token: from now on the old one can only be a stolen copy.
    newer = _refresh(central, new["refresh_token"])
    assert newer.status_code == 200
    assert_error(_refresh(central, old), 401, "token_reused")
    assert_error(_refresh(central, newer.json()["refresh_token"]), 401, "invalid_token")  # all ended


def test_an_old_refresh_token_long_after_its_rotation_looks_stolen(central, clock):
    central.add_user("agen.satu")
    agent = central.login("agen.satu", "device-0001")
    old = agent.tokens["refresh_token"]
    new = _refresh(central, old).json()
    clock.advance(hours=25)
    assert_error(_refresh(central, old), 401, "token_reused")
    assert_error(_refresh(central, new["refresh_token"]), 401, "invalid_token")


def test_refresh_refused_for_revoked_device_inactive_user_other_device(central, clock):
    from central_server import admin

    central.add_user("agen.satu")
    central.add_user("agen.dua")
    a = central.login("agen.satu", "device-0001")
    b = central.login("agen.dua", "device-0002")
    r = central.http.post("/v1/auth/refresh", json={"refresh_token": a.tokens["refresh_token"],
                                                    "device_id": "device-9999"})
    assert_error(r, 403, "device_mismatch")
    with Session(central.engine) as s:
        revoke_device(s, "device-0001", None, clock())
        admin.set_active(s, "agen.dua", False)
        s.commit()
    r = central.http.post("/v1/auth/refresh", json={"refresh_token": a.tokens["refresh_token"],
                                                    "device_id": "device-0001"})
    assert_error(r, 401, "device_revoked")
    r = central.http.post("/v1/auth/refresh", json={"refresh_token": b.tokens["refresh_token"],
                                                    "device_id": "device-0002"})
    assert_error(r, 401, "user_inactive")
    # and signing in again does not bring a revoked device back, even with a new password
    with Session(central.engine) as s:
        admin.set_password(s, "agen.satu", "kata-sandi-baru")
        s.commit()
    r = central.http.post("/v1/auth/login", json={"username": "agen.satu", "password": "kata-sandi-baru",
                                                  "device_id": "device-0001"})
    assert_error(r, 401, "device_revoked")


def _requests(agent):
    """One request per protected endpoint: (name, callable(headers) -> response)."""
    http = agent.central.http
    op = make_op("worker.register", worker_payload(), 1)
    return {
        "push": lambda h: http.post("/v1/push", json=push_body(agent.device_id, [op]), headers=h),
        "pull": lambda h: http.get("/v1/pull", params={"cursor": 0}, headers=h),
        "stream": lambda h: http.get("/v1/stream", headers=h),
        "verify": lambda h: http.post("/v1/receipts/verify", headers=h, json={
            "receipt_no": "R-1", "amount": 16800, "months": ["2026-03"], "mac": "0" * 64}),
    }


@pytest.mark.parametrize("endpoint", ["push", "pull", "stream", "verify"])
def test_authorisation_matrix(central, clock, endpoint):
    from central_server import admin

    central.add_user("agen.satu")
    agent = central.login("agen.satu", "device-0001")
    call = _requests(agent)[endpoint]
    ok = {"Authorization": f"Bearer {agent.tokens['access_token']}"}
    assert call(ok).status_code == 200
    assert_error(call({}), 401, "auth_required")
    assert_error(call({"Authorization": "Basic abc"}), 401, "auth_required")
    assert_error(call({"Authorization": "Bearer not-a-token"}), 401, "invalid_token")
    # a refresh token is not an access token
    assert_error(call({"Authorization": f"Bearer {agent.tokens['refresh_token']}"}), 401, "invalid_token")
    clock.advance(minutes=16)
    assert_error(call(ok), 401, "token_expired")
    clock.advance(minutes=-16)
    with Session(central.engine) as s:
        admin.set_active(s, "agen.satu", False)
        s.commit()
    assert_error(call(ok), 401, "user_inactive")
    with Session(central.engine) as s:
        admin.set_active(s, "agen.satu", True)
        revoke_device(s, "device-0001", "agen.satu", clock())
        s.commit()
    assert_error(call(ok), 401, "device_revoked")


def test_push_with_another_devices_token_is_forbidden(central):
    central.add_user("agen.satu")
    a = central.login("agen.satu", "device-0001")
    op = make_op("worker.register", worker_payload(), 1)
    r = central.http.post("/v1/push", json=push_body("device-0002", [op]), headers=a.headers)
    assert_error(r, 403, "device_mismatch")


def test_pull_of_another_kecamatan_is_forbidden_but_supervisor_may(central):
    central.add_user("agen.satu")
    central.add_user("super", role="supervisor", kecamatan=None)
    agent = central.login("agen.satu")
    assert_error(agent.pull(0, kecamatan="7371010"), 403, "out_of_scope")
    assert agent.pull(0, kecamatan="7371100").status_code == 200
    supervisor = central.login("super")
    assert supervisor.pull(0, kecamatan="7371010").status_code == 200


def test_too_old_app_gets_426_and_nothing_is_written(make_central):
    from .helpers import row_counts

    central = make_central(min_app_version="0.2.0")
    central.add_user("agen.satu")
    r = central.http.post("/v1/auth/login", json={"username": "agen.satu", "password": PASSWORD,
                                                  "device_id": "device-0001", "app_version": "0.1.5"})
    assert_error(r, 426, "upgrade_required")
    agent = central.login("agen.satu", "device-0001")  # an app that does not say its version
    before = row_counts(central.engine)
    op = make_op("worker.register", worker_payload(), 1)
    r = agent.push_raw(push_body(agent.device_id, [op], app_version="0.1.5"))
    body = assert_error(r, 426, "upgrade_required")
    assert "0.2.0" in body["message"]["en"]
    assert_error(agent.central.http.get("/v1/pull", headers={**agent.headers, "X-Perisai-App-Version": "0.1.0"}),
                 426, "upgrade_required")
    assert row_counts(central.engine) == before
    assert central.http.get("/v1/health").json()["min_app_version"] == "0.2.0"


def test_a_revoked_laptop_s_password_enrols_no_new_device(central, clock):
    """Revoking a stolen laptop used to leave its password good for enrolling a new one."""
    from central_server import admin

    central.add_user("agen.satu")
    central.add_user("agen.dua")
    central.login("agen.satu", "laptop-dicuri")
    central.login("agen.dua", "laptop-dicuri")  # a counter laptop shared by two users
    other_device = central.login("agen.satu", "tablet-kantor")
    with Session(central.engine) as s:
        assert revoke_device(s, "laptop-dicuri", None, clock()) == ["agen.dua", "agen.satu"]
        s.commit()
    for user in ("agen.satu", "agen.dua"):  # the thief knows both passwords
        r = central.http.post("/v1/auth/login", json={"username": user, "password": PASSWORD,
                                                      "device_id": "laptop-pencuri"})
        assert_error(r, 401, "password_reset_required")
    # a wrong password still just says so, and the user's other device keeps its session
    assert_error(central.http.post("/v1/auth/login", json={"username": "agen.satu", "password": "salah-salah",
                                                           "device_id": "laptop-pencuri"}), 401, "invalid_credentials")
    r = central.http.post("/v1/auth/refresh", json={"refresh_token": other_device.tokens["refresh_token"],
                                                    "device_id": "tablet-kantor"})
    assert r.status_code == 200
    # the admin sets a new password (never the old one again); then sign-in works anywhere
    with Session(central.engine) as s:
        with pytest.raises(admin.AdminError):
            admin.set_password(s, "agen.satu", PASSWORD)
        admin.set_password(s, "agen.satu", "kata-sandi-baru")
        s.commit()
    assert central.login("agen.satu", "laptop-baru", password="kata-sandi-baru").tokens["access_token"]
    assert_error(central.http.post("/v1/auth/login", json={"username": "agen.satu", "password": PASSWORD,
                                                           "device_id": "laptop-baru"}), 401, "invalid_credentials")
    assert_error(central.http.post("/v1/auth/login", json={"username": "agen.dua", "password": PASSWORD,
                                                           "device_id": "laptop-baru"}), 401, "password_reset_required")


def test_administrators_and_viewers_get_no_device(central):
    """An admin account used to sign in through the device API and pull the whole city.
    None of the centre's administration needs personal data on a laptop: refused, with a
    sentence the app shows at sign-in that says which account to use."""
    central.add_user("admin.pusat", role="admin", kecamatan=None)
    central.add_user("dinas.kota", role="city_viewer", kecamatan=None)
    for username in ("admin.pusat", "dinas.kota"):
        r = central.http.post("/v1/auth/login", json={"username": username, "password": PASSWORD,
                                                      "device_id": "device-0001"})
        body = assert_error(r, 403, "console_only")
        assert "konsol web pusat" in body["message"]["id"] and "agent, counter clerk" in body["message"]["en"]
    with Session(central.engine) as s:
        assert s.exec(select(AuthToken)).all() == []  # no enrollment, no token


@pytest.mark.parametrize("role", ["admin", "bpjs_viewer"])
def test_an_account_that_becomes_an_administrator_loses_its_devices(central, role):
    """A token issued while the account did field work stops at the next request."""
    from central_server import admin

    central.add_user("agen.satu")
    agent = central.login("agen.satu", "device-0001")
    assert agent.pull(0).status_code == 200
    with Session(central.engine) as s:
        admin.set_role(s, central.regions, "agen.satu", role)
        s.commit()
    assert_error(agent.pull(0), 403, "console_only")
    op = make_op("worker.register", worker_payload(), 1)
    assert_error(agent.push_raw(push_body(agent.device_id, [op])), 403, "console_only")
    r = central.http.post("/v1/auth/refresh", json={"refresh_token": agent.tokens["refresh_token"],
                                                    "device_id": "device-0001"})
    assert_error(r, 403, "console_only")
    with Session(central.engine) as s:
        assert s.exec(select(Participant)).all() == []


def test_a_new_role_and_area_answer_the_next_refresh(central):
    from central_server import admin

    central.add_user("spv.satu", role="supervisor")
    agent = central.login("spv.satu", "device-0001")
    assert agent.tokens["user"]["role"] == "supervisor"
    with Session(central.engine) as s:
        admin.set_role(s, central.regions, "spv.satu", "agent", "7371100", "73711001001")
        s.commit()
    assert_error(agent.pull(0), 401, "invalid_token")  # the laptop refreshes at its next call
    r = central.http.post("/v1/auth/refresh", json={"refresh_token": agent.tokens["refresh_token"],
                                                    "device_id": "device-0001"})
    assert r.status_code == 200
    user = r.json()["user"]
    assert (user["role"], user["kecamatan_code"], user["kelurahan_code"]) == ("agent", "7371100", "73711001001")
    with Session(central.engine) as s:
        with pytest.raises(admin.AdminError, match="need a kecamatan"):
            admin.set_role(s, central.regions, "spv.satu", "clerk")
        with pytest.raises(admin.AdminError, match="Unknown role"):
            admin.set_role(s, central.regions, "spv.satu", "boss")
