"""A size limit on every request body, applied before any endpoint reads it.

An ASGI middleware: a body declared larger than the limit is refused at once; any other is
read up to the limit (a chunked body has no declared size) and handed to the application
only when it fits. So no endpoint, signed in or not, holds more than its limit of a
request in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central_server.errors import text
from perisai_protocol import ErrorBody


class BodyLimit:
    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for  # request path -> most bytes its body may have

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit, scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(limit, scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)


def _replay(chunks: list[bytes], last: Message | None, receive: Receive) -> Receive:
    """A receive() that gives the body read so far as one message, then what the client
    does next (a disconnect)."""
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
    if last is not None:
        pending = [last]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    body: dict[str, Any] = ErrorBody(code="body_too_large", message=text("body_too_large", limit=limit)).model_dump()
    # The rest of the body is never read: the connection closes after this answer.
    await JSONResponse(body, status_code=413, headers={"Connection": "close"})(scope, receive, send)
