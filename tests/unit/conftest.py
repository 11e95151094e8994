"""Fixtures for Qt-free unit tests: a real store file and the use cases over it."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from agent_app.services.base import WITA, FixedClock
from agent_app.services.core import AgentCore
from agent_app.services.workers import RegistrationForm

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=WITA)
PASSWORD = "kata-sandi-aman"


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


def make_form(**overrides) -> RegistrationForm:
    """A valid registration: a woman born 1 July 1990 (NIK day 41), kelurahan Bontorannu."""
    values = dict(
        nik="7371014107900001",
        full_name="Sitti Rahmawati",
        birth_date=date(1990, 7, 1),
        sex="F",
        phone="0812-3456-7890",
        address="Jl. Sultan Alauddin No. 5",
        kelurahan_code="73710101001",
        occupations=["Pedagang pasar"],
        declared_income=1_000_000,
        programmes={"jkk": "self", "jkm": "self"},
        heir_name="Baso Rahman",
        heir_relation="Suami",
        consent_given=True,
    )
    values.update(overrides)
    return RegistrationForm(**values)


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
