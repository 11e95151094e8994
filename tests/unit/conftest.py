"""Fixtures for Qt-free unit tests: a real store file and the use cases over it."""

from __future__ import annotations

import pytest

from agent_app.services.base import FixedClock
from agent_app.services.core import AgentCore
from tests.helpers.forms import NOW, PASSWORD


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def core(tmp_path, clock):
    core = AgentCore.open(tmp_path / "perisai.db", clock=clock)
    yield core
    core.close()


@pytest.fixture
def user(core):
    core.users.create_user(username="besse", full_name="Besse Agen", role="agent", password=PASSWORD)
    return core.users.authenticate("besse", PASSWORD)


@pytest.fixture
def clerk(core, user):
    """A cooperative counter clerk (imports the city's lists), added by a supervisor."""
    core.users.create_user(username="spv", full_name="Andi Supervisor", role="supervisor",
                           password=PASSWORD, actor=_as_supervisor(user))
    supervisor = core.users.authenticate("spv", PASSWORD)
    core.users.create_user(username="loket", full_name="Petugas Loket", role="clerk",
                           password=PASSWORD, actor=supervisor)
    return core.users.authenticate("loket", PASSWORD)


def _as_supervisor(user):
    return user.model_copy(update={"role": "supervisor"})
