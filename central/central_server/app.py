"""FastAPI application of the reference central server: ``create_app(settings)``.

Every answer other than 2xx is a protocol.ErrorBody with a bilingual message. The database
is the only state (tokens, rate-limit counters, sequences), so several processes can run
behind a load balancer on one PostgreSQL database.
"""


import hmac
import json
import logging
import zlib
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from packaging.version import InvalidVersion, Version
from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

import perisai_protocol as protocol
from central_server import SERVER_VERSION
from central_server import auth as auth_mod
from central_server.authz import Caller, reaches_payment
from central_server.db import dumps, init_db, iso, loads, make_engine
from central_server.epoch import ensure_epoch, rotate_epoch
from central_server.errors import ApiError, log_bug, printable, text
from central_server.limits import BodyLimit
from central_server.models import (
    AppliedOp,
    Enrollment,
    Participant,
    ReferenceVersion,
    ServerMeta,
    ServerPayment,
    StreamSeq,
)
from central_server.ops import missing_seqs, process_push
from central_server.pull import Pruning, change_rows, log_state, materialise, prune_tombstones
from central_server.reference import bundle_version, kecamatan7, load_regions, reference_files
from central_server.settings import Settings

log = logging.getLogger("perisai.server")

APP_VERSION_HEADER = "X-Perisai-App-Version"
PUSH_PATH = "/v1/push"
STREAM_MISSING_CAP = 1000  # gaps listed per GET /v1/stream (protocol.StreamStatus)
ErrorResponses: dict[int | str, dict[str, Any]] = {
    code: {"model": protocol.ErrorBody} for code in (400, 401, 403, 404, 410, 413, 415, 426, 429, 500, 503)
}


def _error(status: int, body: protocol.ErrorBody, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


def _reason(exc: ValidationError | RequestValidationError) -> str:
    parts = []
    for err in list(exc.errors())[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ())) or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid"


def check_app_version(settings: Settings, version: str | None) -> None:
    """426 "upgrade_required" for an app older than settings.min_app_version. An app that
    does not say its version (or says something unparsable) is let through."""
    if not version:
        return
    try:
        too_old = Version(version) < Version(settings.min_app_version)
    except InvalidVersion:
        return
    if too_old:
        raise ApiError(426, "upgrade_required", version=version, minimum=settings.min_app_version)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()  # no argument: "uvicorn --factory" with PERISAI_SERVER_*
    engine = make_engine(settings.database_url, echo=settings.echo_sql, connections=settings.db_connections)
    init_db(engine)
    with Session(engine) as session:
        ensure_epoch(session)
        auth_mod.ensure_token_secret(session)
        session.commit()
    regions = load_regions(settings.reference_dir)
    pruning = Pruning()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # The requests that run in threads (every one that uses the database) at once:
        # as many as the pool has connections (Settings.db_connections).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.db_connections
        yield

    app = FastAPI(
        title="Perisai central server",
        version=SERVER_VERSION,
        description="Reference sync server of Perisai Agent. Protocol: docs/PROTOCOL.md",
        responses=ErrorResponses,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(BodyLimit, limit_for=lambda path: (
        settings.max_wire_bytes if path == PUSH_PATH else settings.max_request_bytes))
    app.add_middleware(CentreClock, clock=settings.clock)

    # --- errors --------------------------------------------------------------------------

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.body, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, protocol.ErrorBody(code="invalid_request", message=text("invalid_request",
                                                                                     reason=_reason(exc))))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "invalid_request")
        return _error(exc.status_code, protocol.ErrorBody(code=code, message=text(code, reason=exc.detail)),
                      getattr(exc, "headers", None))

    @app.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        log.error("database error: %s", type(exc.orig).__name__)
        return _error(503, protocol.ErrorBody(code="service_unavailable", message=text("service_unavailable")),
                      {"Retry-After": "30"})

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log_bug(log, f"unhandled error in {request.method} {request.url.path}", exc)
        return _error(500, protocol.ErrorBody(code="internal_error", message=text("internal_error")))

    # --- dependencies --------------------------------------------------------------------

    # Every hop of a request between the event loop and a worker thread costs a wake-up
    # and a wait for the GIL, which at month-end was a tenth of the server's CPU: what needs
    # no database runs on the loop, and a request's database work runs in as few hops as
    # it can, each in a session it closes itself.
    #
    # No endpoint takes its session from a dependency: the connection must be back in the
    # pool before the endpoint returns. FastAPI validates a sync endpoint's answer in a
    # worker thread, and a dependency's session is closed only after that; with every
    # thread waiting for a connection held by an answer waiting for a thread, the centre
    # hung (one connection and a few receipt checks at once were enough).

    async def app_version_dep(x_perisai_app_version: Annotated[str | None, Header()] = None) -> None:
        check_app_version(settings, x_perisai_app_version)

    def signed_in(session: Session, authorization: str | None) -> auth_mod.Principal:
        """The token's user and enrollment, detached: they are not expired and reloaded
        (in a new transaction) when the session's transaction ends."""
        principal = auth_mod.authenticate(session, settings, authorization)
        session.expunge_all()
        return principal

    def authenticate(authorization: str | None) -> auth_mod.Principal:
        with Session(engine) as session:  # closed here: the connection goes back at once
            return signed_in(session, authorization)

    async def principal_dep(authorization: Annotated[str | None, Header()] = None,
                            _v: None = Depends(app_version_dep)) -> auth_mod.Principal:
        return await run_in_threadpool(authenticate, authorization)

    PrincipalDep = Annotated[auth_mod.Principal, Depends(principal_dep)]
    AuthorizationHeader = Annotated[str | None, Header()]

    # --- endpoints -----------------------------------------------------------------------

    @app.get("/v1/health", response_model=protocol.Health)
    def health() -> protocol.Health:
        with Session(engine) as session:  # closed before the answer is serialised
            session.execute(sql_text("SELECT 1"))
            return protocol.Health(status="ok", service="perisai-central", protocol=protocol.PROTOCOL_VERSION,
                                   min_app_version=settings.min_app_version)

    @app.post("/v1/auth/login", response_model=protocol.TokenPair)
    def login(body: protocol.LoginRequest, request: Request,
              _v: None = Depends(app_version_dep)) -> protocol.TokenPair:
        with Session(engine) as session:  # closed before the answer is serialised
            check_app_version(settings, body.app_version)
            client_ip = request.client.host if request.client else "unknown"
            try:
                pair = auth_mod.login(session, settings, body, client_ip)
            except ApiError as exc:
                if exc.code == "invalid_credentials":
                    log.warning("sign-in failed user=%s ip=%s", printable(body.username.strip().lower()), client_ip)
                raise
            log.info("sign-in user=%s device=%s", pair.user.username, printable(body.device_id))
            return pair

    @app.post("/v1/auth/refresh", response_model=protocol.TokenPair)
    def refresh(body: protocol.RefreshRequest,
                _v: None = Depends(app_version_dep)) -> protocol.TokenPair:
        with Session(engine) as session:  # closed before the answer is serialised
            return auth_mod.refresh(session, settings, body)

    @app.post(PUSH_PATH, response_model=protocol.PushResponse)
    async def push(request: Request, authorization: AuthorizationHeader = None,
                   _v: None = Depends(app_version_dep)) -> protocol.PushResponse:
        raw = await request.body()  # at most max_wire_bytes: BodyLimit saw to it
        return await run_in_threadpool(push_batch, authorization, request.headers.get("content-encoding"), raw)

    def push_batch(authorization: str | None, encoding: str | None, raw: bytes) -> protocol.PushResponse:
        # One hop and one connection: the token check and each of the batch's transactions
        # run on it in turn. The token is checked before the body is even inflated.
        with engine.connect() as connection:
            with Session(connection) as session:
                principal = signed_in(session, authorization)
            try:
                obj = _json_loads(_inflate(raw, encoding, settings))
            except (ValueError, RecursionError) as exc:
                raise ApiError(400, "malformed_json", reason=str(exc)[:200]) from None
            try:
                body = protocol.PushRequest.model_validate(obj)
            except ValidationError as exc:
                raise ApiError(400, "invalid_push", reason=_reason(exc)) from None
            check_app_version(settings, body.app_version)
            if body.device_id != principal.enrollment.device_id:
                raise ApiError(403, "device_mismatch")
            caller = Caller.of(principal.user, principal.enrollment)
            return process_push(connection, settings.clock, caller, regions, body)

    @app.get("/v1/pull", response_model=protocol.PullResponse)
    def pull(authorization: AuthorizationHeader = None,
             cursor: Annotated[int, Query(ge=0, le=protocol.MAX_SEQ)] = 0,
             limit: Annotated[int | None, Query(ge=1, le=protocol.MAX_SEQ)] = None,
             kecamatan: Annotated[str | None, Query(max_length=16)] = None,
             epoch: Annotated[str | None, Query(max_length=32)] = None,
             _v: None = Depends(app_version_dep)) -> protocol.PullResponse:
        # One hop and one session: the token is checked in the transaction that reads the
        # page, and the session is closed before the answer leaves.
        with Session(engine) as session:
            principal = signed_in(session, authorization)
            return pull_page(session, principal, cursor, limit, kecamatan, epoch)

    def pull_page(session: Session, principal: auth_mod.Principal, cursor: int, limit: int | None,
                  kecamatan: str | None, epoch: str | None) -> protocol.PullResponse:
        limit = min(limit or settings.pull_default_limit, settings.pull_max_limit)
        kec, kel = _scope(principal, kecamatan)
        now = settings.clock()
        if pruning.due(now):
            prune_tombstones(session, now, settings.change_retention)
        head, current, horizon, contiguous = log_state(session, principal.enrollment.device_id, principal.user.id)
        if epoch is not None and epoch != current:
            raise ApiError(410, "cursor_expired")  # another generation of the log
        if (0 < cursor < horizon) or cursor > head:
            if epoch == current and cursor > head:
                # This device saw changes the log no longer has: the database went back
                # (a restore). A new epoch tells every device at its next contact.
                log.warning("pull cursor %d beyond the log's end %d: a restored database, "
                            "new epoch", cursor, head)
                rotate_epoch(session, current)
                session.commit()
            raise ApiError(410, "cursor_expired")
        rows = change_rows(session, cursor, head, kec, kel, limit + 1)
        has_more = len(rows) > limit
        rows = rows[:limit]
        changes = materialise(session, rows)
        session.rollback()
        return protocol.PullResponse(changes=changes, cursor=rows[-1].seq if has_more else head, has_more=has_more,
                                     epoch=current, contiguous_seq=contiguous)

    @app.get("/v1/stream", response_model=protocol.StreamStatus)
    def stream(principal: PrincipalDep) -> protocol.StreamStatus:
        with Session(engine) as session:  # closed before the answer is serialised
            device_id, user_id = principal.enrollment.device_id, principal.user.id
            row = session.get(StreamSeq, (device_id, user_id))
            contiguous = row.contiguous_seq if row else 0
            seen = sorted(loads(row.seen_above)) if row else []
            highest = seen[-1] if seen else contiguous
            missing = missing_seqs(contiguous, seen, STREAM_MISSING_CAP)
            applied = session.exec(select(func.count()).select_from(AppliedOp).where(
                AppliedOp.device_id == device_id, AppliedOp.user_id == user_id)).one()
            return protocol.StreamStatus(device_id=device_id, contiguous_seq=contiguous, highest_seq=highest,
                                         missing_seqs=missing, applied_ops=applied)

    @app.post("/v1/acks", response_model=protocol.AckResponse)
    def acks(body: protocol.AckRequest, principal: PrincipalDep) -> protocol.AckResponse:
        """Answers lost on a slow link: the device asks with op ids instead of sending the
        whole batch again (only its own stream's)."""
        with Session(engine) as session:  # closed before the answer is serialised
            rows = session.exec(select(AppliedOp.result).where(
                col(AppliedOp.op_id).in_(body.op_ids), AppliedOp.device_id == principal.enrollment.device_id,
                AppliedOp.user_id == principal.user.id)).all()
            return protocol.AckResponse(results=[protocol.OpResult.model_validate_json(r) for r in rows])

    @app.get("/v1/reference", response_model=protocol.ReferenceBundle)
    def reference(if_none_match: Annotated[str | None, Header()] = None) -> Response:
        with Session(engine) as session:  # closed before the answer is serialised
            files = reference_files(settings.reference_dir)
            version = bundle_version(files)
            etag = f'"{version}"'
            if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
                return Response(status_code=304, headers={"ETag": etag})
            row = session.get(ReferenceVersion, version)
            if row is None:
                row = ReferenceVersion(version=version, published_at=iso(settings.clock()), files=dumps(sorted(files)))
                session.add(row)
                session.commit()
            meta = {m.key: m.value for m in session.exec(select(ServerMeta).where(
                col(ServerMeta.key).in_(["latest_app_version", "download_url"]))).all()}
            bundle = protocol.ReferenceBundle(
                version=version, published_at=row.published_at, files=files,
                latest_app_version=meta.get("latest_app_version", settings.latest_app_version),
                download_url=meta.get("download_url", settings.download_url))
            return JSONResponse(bundle.model_dump(), headers={"ETag": etag})

    @app.post("/v1/receipts/verify", response_model=protocol.ReceiptVerifyResponse)
    def verify_receipt(body: protocol.ReceiptVerifyRequest, principal: PrincipalDep,
                      ) -> protocol.ReceiptVerifyResponse:
        with Session(engine) as session:  # closed before the answer is serialised
            pay = session.exec(select(ServerPayment).where(ServerPayment.receipt_no == body.receipt_no,
                                                           ServerPayment.kind == "payment")).first()
            if pay is None:
                return protocol.ReceiptVerifyResponse(valid=False, status="unknown", message=text("receipt_unknown"))
            caller = Caller.of(principal.user, principal.enrollment)
            if not reaches_payment(caller, pay, session.get(Participant, pay.participant_id)):
                raise ApiError(403, "out_of_scope")
            enrollment = session.get(Enrollment, pay.enrollment_id)
            months = loads(pay.months)
            expected = (protocol.receipt_mac(enrollment.receipt_key, pay.receipt_no, pay.amount, months)
                        if enrollment else "")
            genuine = (hmac.compare_digest(expected, body.mac.lower()) and body.amount == pay.amount
                       and sorted(body.months) == months)
            if not genuine:
                return protocol.ReceiptVerifyResponse(valid=False, status="mismatch", message=text("receipt_mismatch"))
            if pay.voided_by is not None:
                return protocol.ReceiptVerifyResponse(valid=False, status="voided", payment_status="voided",
                                                      flag=pay.flag, message=text("receipt_voided"))
            return protocol.ReceiptVerifyResponse(valid=True, status="valid", payment_status="active", flag=pay.flag,
                                                  message=text("receipt_valid"))

    from central_server.web import install as install_console

    install_console(app, settings, regions)
    return app


# --- helpers ---------------------------------------------------------------------------


class CentreClock:
    """Every answer says the centre's time (``protocol.TIME_HEADER``): devices correct
    their clocks with it at every contact."""

    def __init__(self, app: Any, clock: Any) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_time(message: dict) -> None:
            if message["type"] == "http.response.start":
                stamp = (protocol.TIME_HEADER.lower().encode(), iso(self.clock()).encode())
                message = {**message, "headers": [*message.get("headers", []), stamp]}
            await send(message)

        await self.app(scope, receive, send_with_time)


def _inflate(raw: bytes, encoding: str | None, settings: Settings) -> bytes:
    """A push body as sent, without its content encoding (gzip or none), within the limit."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "gzip":
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(raw, settings.max_body_bytes + 1)
        except zlib.error:
            raise ApiError(400, "malformed_gzip") from None
        if len(body) > settings.max_body_bytes or inflater.unconsumed_tail:
            raise ApiError(413, "body_too_large", limit=settings.max_body_bytes)
        if not inflater.eof:
            raise ApiError(400, "malformed_gzip")
        return body
    if encoding not in ("identity", ""):
        raise ApiError(415, "unsupported_encoding", encoding=encoding[:32])
    if len(raw) > settings.max_body_bytes:
        raise ApiError(413, "body_too_large", limit=settings.max_body_bytes)
    return raw


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_loads(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity (they would not survive a round trip)."""
    return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)


def _scope(principal: auth_mod.Principal, requested: str | None) -> tuple[str | None, str | None]:
    """(kecamatan7, kelurahan11) the caller may see; None = no restriction at that level."""
    user = principal.user
    own_kec = kecamatan7(user.kecamatan_code) if user.kecamatan_code else None
    own_kel = user.kelurahan_code
    if requested is None:
        return own_kec, own_kel
    wanted = kecamatan7(requested)
    if wanted is None:
        raise ApiError(400, "invalid_request", reason="kecamatan")
    if own_kec is not None and wanted != own_kec:
        raise ApiError(403, "out_of_scope")
    return wanted, own_kel
