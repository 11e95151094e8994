"""What reaches /v1/push on a bad link: gzip, junk, captive-portal HTML, oversize bodies."""

from __future__ import annotations

import gzip
import json
import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.samples import make_op, push_body, worker_payload

from .helpers import assert_error, row_counts


def test_gzip_body_is_accepted(agent):
    op = make_op("worker.register", worker_payload(), 1)
    resp = agent.push([op], gzipped=True)
    assert resp["results"][0]["status"] == "applied"


def test_pull_and_reference_answers_are_gzipped_when_asked(agent):
    r = agent.central.http.get("/v1/reference", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.json()["files"]


def test_bad_bodies_get_error_bodies_and_write_nothing(make_central):
    central = make_central(max_body_bytes=256 * 1024, max_wire_bytes=220 * 1024)
    central.add_user("agen.satu")
    agent = central.login("agen.satu", "device-0001")
    before = row_counts(central.engine)
    valid = json.dumps(push_body("device-0001", [make_op("worker.register", worker_payload(), 1)])).encode()
    cases = [
        (agent.push_raw(b"<html><body>Login to WiFi.id</body></html>"), 400, "malformed_json"),
        (agent.push_raw(b'{"batch_id": "abc'), 400, "malformed_json"),
        (agent.push_raw(b"\xff\xfe\x00"), 400, "malformed_json"),
        (agent.push_raw(b"[]"), 400, "invalid_push"),
        (agent.push_raw(b"[" * 100_000 + b"]" * 100_000), 400, "malformed_json"),  # nesting bomb
        (agent.push_raw(valid.replace(b'"seq": 1', b'"seq": NaN')), 400, "malformed_json"),
        (agent.push_raw({"batch_id": "batch-001", "device_id": "device-0001", "ops": []}), 400, "invalid_push"),
        (agent.push_raw(gzip.compress(valid)[:-12], headers={"Content-Encoding": "gzip"}), 400, "malformed_gzip"),
        (agent.push_raw(b"not gzip at all", headers={"Content-Encoding": "gzip"}), 400, "malformed_gzip"),
        (agent.push_raw(valid, headers={"Content-Encoding": "br"}), 415, "unsupported_encoding"),
        (agent.push_raw(b" " * (230 * 1024)), 413, "body_too_large"),  # over the wire limit
        # a gzip bomb: small on the wire, too large once inflated
        (agent.push_raw(gzip.compress(b" " * (300 * 1024)), headers={"Content-Encoding": "gzip"}), 413,
         "body_too_large"),
    ]
    for response, status, code in cases:
        body = assert_error(response, status, code)
        assert body["message"]["id"] != body["message"]["en"]
    assert row_counts(central.engine) == before
    # the reason names the offending field
    r = agent.push_raw({"batch_id": "batch-001", "device_id": "device-0001", "ops": [{"op_id": "x"}]})
    assert "ops.0" in assert_error(r, 400, "invalid_push")["message"]["en"]


def test_a_caller_without_a_valid_token_learns_nothing_of_its_body(agent):
    """The token is checked before the body is inflated or parsed: a stranger's junk, bomb
    or half gzip gets 401, and costs the centre no decompression."""
    bodies = [(b"<html>Login to WiFi.id</html>", {}), (b"{}", {"Content-Encoding": "br"}),
              (gzip.compress(b" " * (300 * 1024)), {"Content-Encoding": "gzip"}),
              (b"not gzip at all", {"Content-Encoding": "gzip"})]
    for token in ("", "Bearer not-a-token"):
        for data, headers in bodies:
            r = agent.central.http.post("/v1/push", content=data, headers={"Authorization": token, **headers})
            assert r.status_code == 401, (token, data[:20], r.text)


def test_too_many_ops_in_a_batch_is_400(agent):
    ops = [make_op("closeout.create", {"id": f"c{i}"}, i + 1) for i in range(501)]
    assert_error(agent.push_raw(push_body(agent.device_id, ops)), 400, "invalid_push")
    assert row_counts(agent.central.engine)["applied_ops"] == 0


# --- property: malformed push bodies always get a 4xx ErrorBody and write nothing --------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


def _valid_body() -> dict:
    return push_body("device-0001", [make_op("worker.register", worker_payload(id="w-1"), 1, op_id="0" * 32)],
                     batch_id="batch-0001")


BREAKERS = {
    "drop_top": lambda b, k, v: {kk: vv for kk, vv in b.items() if kk != k},
    "retype_top": lambda b, k, v: {**b, k: v},
    "extra_top": lambda b, k, v: {**b, "zz_" + k: v},
    "drop_op_field": lambda b, k, v: {**b, "ops": [{kk: vv for kk, vv in b["ops"][0].items()
                                                     if kk != {"batch_id": "op_id", "device_id": "seq",
                                                               "app_version": "payload", "ops": "kind"}[k]}]},
    "bad_seq": lambda b, k, v: {**b, "ops": [{**b["ops"][0], "seq": 0}]},
    "short_hash": lambda b, k, v: {**b, "ops": [{**b["ops"][0], "payload_hash": "abc"}]},
    "ops_not_list": lambda b, k, v: {**b, "ops": {"0": b["ops"][0]}},
}


def _breaks(body: dict, how: str, key: str, value) -> bool:
    """retype_top keeps the body valid when the new value happens to be valid for the key."""
    if how != "retype_top":
        return True
    if key in ("batch_id", "device_id"):
        return not (isinstance(value, str) and 8 <= len(value) <= 64)
    if key == "app_version":
        return not (isinstance(value, str) and len(value) <= 32)
    return True


@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["bytes", "json", "mutated"]),
    raw=st.binary(max_size=300),
    value=json_values,
    how=st.sampled_from(sorted(BREAKERS)),
    key=st.sampled_from(["batch_id", "device_id", "app_version", "ops"]),
    gzipped=st.booleans(),
)
def test_malformed_push_bodies_never_500_and_write_nothing(agent, kind, raw, value, how, key, gzipped):
    if kind == "bytes":
        data = raw
    elif kind == "json":
        data = json.dumps(value).encode()
    else:
        body = BREAKERS[how](_valid_body(), key, value)
        if not _breaks(body, how, key, value):
            return
        data = json.dumps(body).encode()
    before = row_counts(agent.central.engine)
    if gzipped:
        data = zlib.compress(data) if len(raw) % 2 else gzip.compress(data)  # also the wrong gzip flavour
    response = agent.push_raw(data, headers={"Content-Encoding": "gzip"} if gzipped else None)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert_error(response, response.status_code)
    assert row_counts(agent.central.engine) == before
