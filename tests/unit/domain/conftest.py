from __future__ import annotations

from datetime import date

import pytest

from agent_app.domain.reference import ReferenceData, load_reference

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="session")
def ref() -> ReferenceData:
    return load_reference()


@pytest.fixture
def today() -> date:
    return TODAY
