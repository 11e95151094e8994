"""One person registered offline on two devices: the centre makes the second record an
alias of the first. After a sync each device holds one person (payments, history,
follow-up marks and search all on the canonical record), and the months offered are the
first nobody has paid: the worker is never asked for money the system already holds."""

from __future__ import annotations

import json
from datetime import date

from agent_app.services.workers import WorkerQuery

from .conftest import check_drained, pay, register

NAME, BIRTH, SERIAL = "Daeng Kembar Sekali", date(1975, 5, 6), 8501


def names_found(dev) -> list[str]:
    return [row.id for row in dev.core.workers.search(WorkerQuery(text=NAME))]


def test_a_person_registered_on_two_devices_is_one_person_after_a_sync(central, device):
    d0, d1 = device("alias-d0", "agen1"), device("alias-d1", "agen2")
    w0 = register(d0, SERIAL, name=NAME, birth=BIRTH)
    w1 = register(d1, SERIAL, name=NAME, birth=BIRTH)  # the same person, both offline
    d1.core.followup.mark_contacted(d1.user, w1.id)  # d1 had called them on its copy
    assert d0.engine().sync_round().state == "up_to_date"  # w0 reaches the centre first
    assert d1.engine().sync_round().state == "up_to_date"  # w1 becomes its alias
    november = pay(d0, w0.id, 1)
    assert json.loads(november.months) == ["2026-11"]
    assert d0.engine().sync_round().state == "up_to_date"
    assert d1.engine().sync_round().state == "up_to_date"  # brings d0's payment

    # The months offered are the first nobody has paid, on either copy's screen.
    assert d1.core.payments.options(w1.id).choices[1] == ["2026-12"]
    assert d1.core.payments.options(w0.id).choices[1] == ["2026-12"]
    # d1 holds one person: the canonical record, carrying d1's history and follow-up mark.
    assert names_found(d1) == [w0.id]
    detail = d1.core.workers.detail(w1.id)  # a screen still open on the old copy
    assert detail.worker.id == w0.id and detail.paid_months == ["2026-11"]
    assert {e.entity_id for e in detail.history if e.action == "worker.register"} == {w1.id}
    [row] = [r for r in d1.core.followup.page(d1.user) if r.worker_id == w0.id]
    assert row.contacted_on == "2026-11-24"
    december = pay(d1, w1.id, 1)
    assert json.loads(december.months) == ["2026-12"]
    assert d1.engine().sync_round().state == "up_to_date"
    flags = central.query("SELECT flag FROM payments WHERE id IN (:a, :b)",
                          a=november.id, b=december.id)
    assert flags == [(None,), (None,)]  # nobody paid twice

    # d0 merges the alias it pulled too, and sees both months.
    assert d0.engine().sync_round().state == "up_to_date"
    assert names_found(d0) == [w0.id]
    assert d0.core.workers.detail(w0.id).paid_months == ["2026-11", "2026-12"]
    assert d0.core.payments.options(w0.id).choices[1] == ["2027-01"]
    check_drained([d0, d1], central)
