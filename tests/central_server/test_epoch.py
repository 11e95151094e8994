"""The change log's epoch: a new database has its own, a restore gets a new one (the
operators' command, or by itself when a device proves the log went back), and a cursor of
another epoch is refused with 410 so the device pulls its area again. The caller's stream
comes with every pull, so a device with nothing to push learns what the centre lost."""

from __future__ import annotations

from sqlmodel import Session

import perisai_protocol as protocol
from central_server import cli
from central_server.epoch import current_epoch
from tests.helpers.samples import make_op, worker_payload


def epoch_of(central) -> str:
    with Session(central.engine) as s:
        return current_epoch(s)


def test_every_answer_of_the_log_names_its_epoch(agent, central):
    epoch = epoch_of(central)
    assert len(epoch) == 16
    pushed = agent.push([make_op("worker.register", worker_payload(serial=1), 1)])
    assert pushed["epoch"] == epoch
    page = protocol.PullResponse.model_validate(agent.pull(0).json())
    assert (page.epoch, page.contiguous_seq) == (epoch, 1)
    assert agent.pull(page.cursor, epoch=epoch).status_code == 200


def test_a_new_database_has_a_new_epoch(central, tmp_path):
    from central_server.app import create_app
    from central_server.settings import Settings

    other = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}"))
    try:
        with Session(other.state.engine) as s:
            assert current_epoch(s) != epoch_of(central)
    finally:
        other.state.engine.dispose()


def test_a_cursor_of_another_epoch_is_expired(agent, central):
    agent.push([make_op("worker.register", worker_payload(serial=2), 1)])
    _changes, cursor = agent.pull_all()
    old = epoch_of(central)
    assert cli.main(["new-epoch", "--db", central.settings.database_url]) == 0  # after a restore
    new = epoch_of(central)
    assert new != old
    r = agent.pull(cursor, epoch=old)
    assert r.status_code == 410 and r.json()["code"] == "cursor_expired"
    again = protocol.PullResponse.model_validate(agent.pull(0).json())  # from the start
    assert again.epoch == new and [c.id for c in again.changes]


def test_a_cursor_beyond_the_log_in_its_own_epoch_starts_a_new_one(agent, central):
    """Only a restored log can be shorter than what a device of the same epoch saw."""
    agent.push([make_op("worker.register", worker_payload(serial=3), 1)])
    _changes, cursor = agent.pull_all()
    epoch = epoch_of(central)
    r = agent.pull(cursor + 5, epoch=epoch)
    assert r.status_code == 410
    assert epoch_of(central) != epoch
    # A device that does not say its epoch (an older app) proves nothing: no new epoch.
    now = epoch_of(central)
    assert agent.pull(cursor + 5).status_code == 410 and epoch_of(central) == now
