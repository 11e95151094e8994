"""Small assertions shared by the server tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

import perisai_protocol as protocol
from central_server.models import AppliedOp, ChangeRow, Document, Participant, ServerPayment, StreamSeq

PASSWORD = "rahasia-123"  # the password of the users the fixtures create

WRITTEN_TABLES = (AppliedOp, Participant, ServerPayment, ChangeRow, StreamSeq, Document)


def row_counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {m.__tablename__: s.exec(select(func.count()).select_from(m)).one() for m in WRITTEN_TABLES}


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is a protocol.ErrorBody with a bilingual message and the expected status/code."""
    assert response.status_code == status, (response.status_code, response.text)
    body = protocol.ErrorBody.model_validate(response.json())
    assert body.message.id and body.message.en and body.message.id != body.message.en
    if code is not None:
        assert body.code == code, body
    return body.model_dump()
