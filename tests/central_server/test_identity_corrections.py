"""A supervisor's correction of NIK, birth date or sex becomes a case at the centre, decided
on the web console's review page (or ``review-resolve``); the device hears the decision
with its next pull of the participant. Before, the centre refused every such correction
(``field_not_updatable``) while the app had said it was saved."""

from __future__ import annotations

import io
import re

from sqlmodel import Session, select

from central_server.cli import main
from central_server.models import Participant, ReviewItem
from tests.helpers.console import csrf_of, sign_in
from tests.helpers.samples import make_nik, make_op, worker_payload

from .helpers import PASSWORD

NEW_NIK = make_nik("1985-04-12", "M", serial=7)  # the registered NIK with another serial


def _registered(central):
    central.add_user("spv.tamalate", role="supervisor")
    central.add_user("admin.pusat", role="admin", kecamatan=None)
    spv = central.login("spv.tamalate")
    worker = worker_payload()
    assert spv.push([make_op("worker.register", worker, spv.next_seq())])["results"][0]["status"] == "applied"
    return spv, worker


def _correct(spv, worker, **changes):
    update = {"id": worker["id"], "updated_at": "2026-03-02T00:00:00+00:00", "reason": "salah ketik di KTP",
              **changes}
    op = make_op("worker.update", update, spv.next_seq())
    return op, spv.push([op])["results"][0]


def _pulled(spv, worker_id):
    changes, _cursor = spv.pull_all()
    return [c for c in changes if c["id"] == worker_id][-1]["data"]


def _decide(central, review_id, decision, reason="KTP diperiksa"):
    page = central.http.get("/console/review").text
    return central.http.post(f"/console/review/{review_id}",
                             data={"decision": decision, "reason": reason, "csrf": csrf_of(page)})


def test_a_correction_waits_for_the_centre_and_is_applied_there(central):
    spv, worker = _registered(central)
    op, result = _correct(spv, worker, nik=NEW_NIK, phone="+6281299990000")
    assert (result["status"], result["code"]) == ("needs_review", "identity_review")
    assert "menunggu keputusan admin pusat" in result["message"]["id"]
    assert "waits for the central administrators" in result["message"]["en"]
    review_id = result["assigned"]["review_id"]
    data = _pulled(spv, worker["id"])
    assert (data["nik"], data["phone"]) == (worker["nik"], "+6281299990000")  # the rest applies at once
    assert "corrections" not in data

    sign_in(central.http, "admin.pusat", PASSWORD)
    page = central.http.get("/console/review").text
    case = re.search(rf'id="case-{review_id}">(.*?)</article>', page, re.S).group(1)
    assert "koreksi NIK, tanggal lahir atau jenis kelamin" in case
    assert NEW_NIK in case and worker["nik"] in case and "Spv.Tamalate" in case
    assert 'value="apply"' in case and "Terapkan koreksi" in case
    r = _decide(central, review_id, "apply", "KTP asli diperiksa supervisor")
    assert r.status_code == 200 and f"Kasus {review_id} diputuskan" in r.text
    assert "koreksi diterapkan: KTP asli diperiksa supervisor" in r.text

    data = _pulled(spv, worker["id"])
    assert data["nik"] == NEW_NIK and data["phone"] == "+6281299990000"
    assert data["corrections"] == [{"op_id": op["op_id"], "decision": "applied", "reason": None}]
    with Session(central.engine) as s:
        assert s.get(Participant, worker["id"]).nik == NEW_NIK
        assert s.get(ReviewItem, review_id).resolved_by == "admin.pusat"


def test_a_refused_correction_keeps_the_record_and_tells_the_reason(central):
    spv, worker = _registered(central)
    op, result = _correct(spv, worker, nik=NEW_NIK)
    sign_in(central.http, "admin.pusat", PASSWORD)
    assert _decide(central, result["assigned"]["review_id"], "alias").status_code == 400  # not this kind's
    r = _decide(central, result["assigned"]["review_id"], "reject", "NIK di KTP sudah benar")
    assert r.status_code == 200
    data = _pulled(spv, worker["id"])
    assert data["nik"] == worker["nik"]
    [decided] = data["corrections"]
    assert (decided["op_id"], decided["decision"]) == (op["op_id"], "rejected")
    assert decided["reason"]["id"] == ("Koreksi NIK, tanggal lahir atau jenis kelamin ditolak admin pusat: "
                                       "NIK di KTP sudah benar")
    assert "NIK di KTP sudah benar" in decided["reason"]["en"]


def test_a_new_nik_someone_else_holds_can_only_be_refused(central, capsys):
    spv, worker = _registered(central)
    other = worker_payload(full_name="Daeng Ngai", nik=NEW_NIK)
    assert spv.push([make_op("worker.register", other, spv.next_seq())])["results"][0]["status"] == "applied"
    _op, result = _correct(spv, worker, nik=NEW_NIK)
    assert (result["status"], result["code"]) == ("needs_review", "identity_review")  # the same answer
    review_id = result["assigned"]["review_id"]
    sign_in(central.http, "admin.pusat", PASSWORD)
    page = central.http.get("/console/review").text
    case = re.search(rf'id="case-{review_id}">(.*?)</article>', page, re.S).group(1)
    assert "sudah terdaftar atas peserta lain" in case and "Daeng Ngai" in case
    assert 'value="apply"' not in case
    r = _decide(central, review_id, "apply")
    assert r.status_code == 409 and "sudah terdaftar atas peserta lain" in r.text
    with Session(central.engine) as s:
        assert s.get(Participant, worker["id"]).nik == worker["nik"]
        assert s.get(ReviewItem, review_id).status == "open"
    resolve = ["--db", central.settings.database_url, "review-resolve", str(review_id), "--reason", "KTP dicek"]
    assert main([*resolve, "--as", "apply"], stdout=io.StringIO()) == 2
    assert "NIK baru ini sudah terdaftar atas peserta lain" in capsys.readouterr().err
    assert main([*resolve, "--as", "distinct"], stdout=io.StringIO()) == 2  # a duplicate NIK's decision
    assert "does not fit this case" in capsys.readouterr().err
    assert _decide(central, review_id, "reject", "NIK milik Daeng Ngai").status_code == 200


def test_what_the_centre_refuses_at_once(central):
    spv, worker = _registered(central)
    central.add_user("agen.tamalate")
    agent = central.login("agen.tamalate")
    r = agent.push([make_op("worker.update", {"id": worker["id"], "nik": NEW_NIK}, agent.next_seq())])
    assert r["results"][0]["code"] == "not_permitted"  # an agent asks a supervisor
    _op, mismatch = _correct(spv, worker, nik=make_nik("1985-04-13", "M", serial=1), phone="+6281299990000")
    assert (mismatch["status"], mismatch["code"]) == ("rejected", "nik_birth_mismatch")
    _op, fixed = _correct(spv, worker, registered_at="2026-02-01T00:00:00+00:00")
    assert fixed["code"] == "field_not_updatable"
    with Session(central.engine) as s:
        row = s.get(Participant, worker["id"])
        assert row.nik == worker["nik"] and "+6281299990000" not in row.data  # nothing half-applied
        assert s.exec(select(ReviewItem)).all() == []
    _op, both = _correct(spv, worker, nik=make_nik("1985-04-13", "M", serial=1), birth_date="1985-04-13")
    assert both["status"] == "needs_review"  # birth date and NIK corrected together hold together
