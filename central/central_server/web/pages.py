"""The console's pages: server-rendered, one route per page, every one checked against
the viewer's role and kecamatan on the server."""


import json
import logging
import secrets
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from sqlmodel import Session, col, select

from central_server import admin
from central_server.auth import check_credentials, revoke_device, token_hash
from central_server.db import iso, loads
from central_server.errors import ApiError, text
from central_server.models import ApiToken, Enrollment, ServerUser
from central_server.reference import Regions, kecamatan7
from central_server.settings import Settings
from central_server.summary import WITA
from central_server.web import exports, i18n, queries
from central_server.web.access import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    PAGES,
    SESSION_COOKIE,
    Viewer,
    current_viewer,
    end_session,
    end_sessions_of,
    same_token,
    start_session,
)

log = logging.getLogger("perisai.console")
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CLOCK_TOLERANCE_MINUTES = 5  # as the app's own warning: a device clock off by more is listed
MAX_PERIOD_DAYS = 366  # a page's period
MAX_EXPORT_DAYS = 20 * 366  # an export may take the programme's whole history
# Form fields, bounded: a form field never takes more than its column holds.
Short = Annotated[str, Form(max_length=128)]
Secret = Annotated[str, Form(max_length=1024)]


class Refused(Exception):
    """A console request that is not allowed or not possible: shown as a page."""

    def __init__(self, status: int, key: str, **params: object) -> None:
        super().__init__(key)
        self.status, self.key, self.params = status, key, params


class SignInNeeded(Exception):
    pass


def lang_of(request: Request) -> str:
    return i18n.pick_lang(request.cookies.get(LANG_COOKIE))


def stamp_label(stamp: str | None, lang: str) -> str:
    """An ISO time stamp as Makassar's date and time: "2 Mar 2026 09:15"."""
    if not stamp:
        return "-"
    try:
        dt = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(WITA)
    except ValueError:
        return stamp
    return f"{i18n.day_label(dt.date().isoformat(), lang)} {dt:%H:%M}"


def clock_text(offset: int | None, lang: str) -> str:
    """A device clock's offset in words: "3 hari lebih cepat", "12 menit lebih lambat"."""
    if offset is None:
        return i18n.translate("unknown", lang)
    size = abs(offset)
    amount, unit = ((size // 86400, "days") if size >= 2 * 86400 else
                    (size // 3600, "hours") if size >= 2 * 3600 else (round(size / 60), "minutes"))
    return i18n.translate(f"clock_{'ahead' if offset > 0 else 'behind'}_{unit}", lang, n=i18n.number(amount))


def local_path(target: str | None, default: str = "/console/") -> str:
    """Only a path on this site (never "//host" or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def script_json(value: Any) -> str:
    """JSON to embed in a <script> element (never closes it early)."""
    return json.dumps(value).replace("</", "<\\/")


def _target_percent(targets: dict[str, Any]) -> float | None:
    """The city's coverage target (72.5 for 72.5 %), if the reference data gives one."""
    try:
        return float(targets.get("city_coverage", {}).get("target_percent"))
    except (TypeError, ValueError):
        return None


def render(request: Request, template: str, viewer: Viewer | None, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    regions: Regions = request.app.state.regions

    def t(key: str, **params: object) -> str:
        return i18n.translate(key, lang, **params)

    def area_name(code: str | None) -> str:
        if not code:
            return t("whole_city")
        if len(code) == 7:
            return regions.kecamatan.get(code, code)
        return regions.kelurahan.get(code, ("", code))[1]

    response = TEMPLATES.TemplateResponse(request, template, {
        "t": t, "lang": lang, "viewer": viewer, "num": i18n.number, "pct": i18n.percent,
        "month": lambda m: i18n.month_label(m, lang), "day": lambda d: i18n.day_label(d, lang),
        "stamp": lambda s: stamp_label(s, lang), "clock_text": lambda o: clock_text(o, lang),
        "area_name": area_name, "regions": regions,
        "loads": loads, "path": request.url.path, "query": request.url.query, **context}, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def build_router(settings: Settings, regions: Regions) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def db(request: Request) -> AsyncIterator[Session]:
        # Closed on the event loop, as the device API's sessions are (central_server.app):
        # a teardown that needs a worker thread can wait forever behind requests that wait
        # for this session's connection.
        with Session(request.app.state.engine) as session:
            yield session

    DB = Annotated[Session, Depends(db)]

    def viewer_dep(request: Request, session: DB) -> Viewer:
        viewer = current_viewer(session, request.cookies.get(SESSION_COOKIE), settings.clock())
        if viewer is None:
            raise SignInNeeded()
        return viewer

    def page(name: str):
        def check(viewer: Annotated[Viewer, Depends(viewer_dep)]) -> Viewer:
            if not viewer.may(name):
                raise Refused(403, "forbidden")
            return viewer
        return check

    def area(viewer: Viewer, kec: str | None) -> str | None:
        """The kecamatan a page shows: the viewer's own, or the one asked for (city-wide viewers)."""
        wanted = kecamatan7(kec) if kec else None
        if kec and wanted not in regions.kecamatan:
            raise Refused(404, "not_found")
        if viewer.kecamatan is not None:
            if wanted is not None and wanted != viewer.kecamatan:
                raise Refused(403, "out_of_scope")
            return viewer.kecamatan
        return wanted

    def check_csrf(viewer: Viewer, token: str | None) -> None:
        if not same_token(viewer.csrf_token, token):
            raise Refused(403, "form_expired")

    def today() -> date:
        return settings.clock().astimezone(WITA).date()

    def period(start: str | None, end: str | None, max_days: int = MAX_PERIOD_DAYS) -> tuple[date, date]:
        try:
            last = date.fromisoformat(end) if end else today()
            first = date.fromisoformat(start) if start else last - timedelta(days=29)
        except ValueError:
            raise Refused(400, "bad_period") from None
        if first > last or (last - first).days > max_days:
            raise Refused(400, "bad_period")
        return first, last

    # --- sign-in ---------------------------------------------------------------------

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=303)

    @router.get("/console/")
    def home(request: Request, session: DB) -> RedirectResponse:
        viewer = current_viewer(session, request.cookies.get(SESSION_COOKIE), settings.clock())
        if viewer is None:
            return RedirectResponse("/console/login", status_code=303)
        return RedirectResponse(f"/console/{viewer.pages()[0]}", status_code=303)

    def login_page(request: Request, error: str | None = None, status: int = 200, next_path: str = "",
                   username: str = "") -> Response:
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
        response = render(request, "login.html", None, status=status, error=error, csrf=token, next_path=next_path,
                          username=username)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/console/login")
        return response

    @router.get("/console/login")
    def login_form(request: Request, next: str = "", ended: int = 0) -> Response:
        return login_page(request, error="session_ended" if ended else None, next_path=local_path(next, ""))

    @router.post("/console/login")
    def login(request: Request, session: DB, username: Short = "",
              password: Secret = "", csrf: Short = "",
              next: Annotated[str, Form(max_length=512)] = "") -> Response:
        if not same_token(request.cookies.get(LOGIN_CSRF_COOKIE), csrf):
            return login_page(request, "form_expired", 403, next)
        client = request.client.host if request.client else "unknown"
        try:
            user = check_credentials(session, settings, username, password, client)
        except ApiError as exc:
            key = {"too_many_attempts": "too_many", "user_inactive": "inactive"}.get(exc.code, "bad_credentials")
            seconds = exc.headers.get("Retry-After", "")
            response = login_page(request, i18n.translate(key, lang_of(request), seconds=seconds) if key == "too_many"
                                  else key, exc.status, next, username.strip()[:64])
            if seconds:
                response.headers["Retry-After"] = seconds
            return response
        if user.role not in {role for roles in PAGES.values() for role in roles}:
            session.rollback()
            return login_page(request, "device_role", 403, next)
        token = start_session(session, user, settings.clock())
        response = RedirectResponse(local_path(next), status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                            path="/", max_age=int(timedelta(hours=10).total_seconds()))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
        return response

    @router.post("/console/logout")
    def logout(request: Request, session: DB, viewer: Annotated[Viewer, Depends(viewer_dep)],
               csrf: Short = "") -> Response:
        check_csrf(viewer, csrf)
        end_session(session, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/console/lang/{code}")
    def switch_language(code: str, next: str = "/console/") -> Response:
        response = RedirectResponse(local_path(next), status_code=303)
        response.set_cookie(LANG_COOKIE, i18n.pick_lang(code), max_age=365 * 24 * 3600, samesite="lax", path="/")
        return response

    # --- coverage --------------------------------------------------------------------

    @router.get("/console/coverage")
    def coverage(request: Request, session: DB, viewer: Annotated[Viewer, Depends(page("coverage"))],
                 kec: Annotated[str | None, Query(max_length=16)] = None) -> Response:
        scope = area(viewer, kec)
        summary = queries.coverage(session, scope, today())
        rows, jht = summary.rows, summary.jht
        population = request.app.state.population
        total = queries.CoverageRow("total")
        for row in rows:
            total.add(row)
        known = [r for r in rows if population.get_area(r.code) is not None]
        targets = request.app.state.targets
        over_time = queries.coverage_over_time(session, scope, today())
        workers = population.of_scope(scope)
        target_pct = _target_percent(targets)
        chart = {"labels": [r.code for r in over_time],
                 **{s: [getattr(r, s) for r in over_time] for s in ("registered", *queries.STATUSES)},
                 "target": round(workers * target_pct / 100) if workers and target_pct else None}
        return render(request, "coverage.html", viewer, scope=scope, rows=rows, total=total,
                      population=population, known=known, over_time=over_time, workers=workers,
                      jht=jht, jht_used=sum(jht.values()), targets=targets, target_pct=target_pct,
                      target_text=i18n.percent(target_pct / 100) if target_pct else "", chart_json=script_json(chart))

    # --- money -----------------------------------------------------------------------

    @router.get("/console/money")
    def money(request: Request, session: DB, viewer: Annotated[Viewer, Depends(page("money"))],
              kec: Annotated[str | None, Query(max_length=16)] = None,
              start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
              end: Annotated[str | None, Query(alias="to", max_length=10)] = None) -> Response:
        scope = area(viewer, kec)
        first, last = period(start, end)
        a, b = first.isoformat(), last.isoformat()
        summary = queries.money(session, scope, a, b)
        per_day, per_agent = summary.per_day, summary.per_agent
        per_kel, per_method = summary.per_kelurahan, summary.per_method
        names = {u.id: u for u in session.exec(select(ServerUser).where(
            col(ServerUser.id).in_([r.key for r in per_agent]))).all()} if per_agent else {}
        per_agent = sorted(per_agent, key=lambda r: (names[r.key].full_name.casefold(), r.key) if r.key in names
                           else ("", r.key or ""))
        start_iso = iso(datetime.combine(first, datetime.min.time(), WITA))
        end_iso = iso(datetime.combine(last + timedelta(days=1), datetime.min.time(), WITA))
        closeouts = queries.closeouts(session, scope, start_iso, end_iso)
        flagged = queries.flagged_payments(session, scope, a, b)
        total = queries.MoneyRow("total", sum(r.receipts for r in per_day), sum(r.collected for r in per_day),
                                 sum(r.voided for r in per_day))
        by_day = {r.key: r.net for r in per_day}  # the chart shows every day, a quiet one as 0
        days = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
        chart = {"labels": days, "net": [by_day.get(d, 0) for d in days]}
        return render(request, "money.html", viewer, scope=scope, first=a, last=b, per_day=per_day,
                      per_agent=per_agent, per_kel=per_kel, per_method=per_method, names=names, total=total,
                      closeouts=closeouts, flagged=flagged, chart_json=script_json(chart))

    # --- agents ----------------------------------------------------------------------

    @router.get("/console/agents")
    def agents(request: Request, session: DB, viewer: Annotated[Viewer, Depends(page("agents"))],
               kec: Annotated[str | None, Query(max_length=16)] = None) -> Response:
        scope = area(viewer, kec)
        rows = queries.devices(session, scope)
        tolerance = CLOCK_TOLERANCE_MINUTES * 60
        off = [(e, u) for e, u in rows if e.revoked_at is None and e.clock_offset_seconds is not None
               and abs(e.clock_offset_seconds) > tolerance]
        summary = queries.device_summary(rows, settings.clock(), tolerance) if scope is None else []
        return render(request, "agents.html", viewer, scope=scope, rows=rows if scope else [], off=off,
                      summary=summary, tolerance=CLOCK_TOLERANCE_MINUTES)

    # --- review ----------------------------------------------------------------------

    @router.get("/console/review")
    def review(request: Request, session: DB, viewer: Annotated[Viewer, Depends(page("review"))],
               decided: int | None = None) -> Response:
        cases, waiting = queries.open_cases(session)
        return render(request, "review.html", viewer, cases=cases, waiting=waiting,
                      recent=queries.recent_decisions(session), decided=decided)

    @router.post("/console/review/{review_id}")
    def decide(request: Request, review_id: int, session: DB, viewer: Annotated[Viewer, Depends(page("review"))],
               decision: Short = "", reason: Annotated[str, Form(max_length=500)] = "",
               csrf: Short = "") -> Response:
        check_csrf(viewer, csrf)
        from central_server.ops import CorrectionRefused, resolve_review

        if decision not in ("alias", "reject", "apply"):
            raise Refused(400, "bad_request")
        reason = " ".join(reason.split())
        if not reason:
            raise Refused(400, "reason_needed")
        try:
            resolve_review(session, settings.clock(), review_id, decision, viewer.user.username, reason)
        except LookupError:
            raise Refused(409, "already_decided") from None
        except CorrectionRefused as exc:
            said = text(exc.code)
            raise Refused(409, "correction_cannot_apply", id=said.id, en=said.en) from None
        except ValueError:  # a decision that does not fit the case
            raise Refused(400, "bad_request") from None
        session.commit()
        return RedirectResponse(f"/console/review?decided={review_id}", status_code=303)

    # --- people and devices ----------------------------------------------------------

    @router.get("/console/people")
    def people(request: Request, session: DB, viewer: Annotated[Viewer, Depends(page("people"))],
               done: int = 0, error: Annotated[str | None, Query(max_length=300)] = None,
               q: Annotated[str, Query(max_length=64)] = "", p: Annotated[int, Query(ge=0, le=10_000)] = 0) -> Response:
        users, total = queries.users(session, " ".join(q.split()), p)
        enrollments: dict[str, list[Enrollment]] = {}
        ids = [u.id for u, _ in users]
        if ids:
            for e in session.exec(select(Enrollment).where(col(Enrollment.user_id).in_(ids))
                                  .order_by(col(Enrollment.last_seen_at).desc())).all():
                enrollments.setdefault(e.user_id, []).append(e)
        pages = max(1, -(-total // queries.USERS_PER_PAGE))
        return render(request, "people.html", viewer, users=users, total=total, page_no=p, pages=pages, q=q,
                      enrollments=enrollments, roles=admin.ROLES, done=done, error=error)

    def people_action(session: Session, action) -> Response:
        try:
            action()
            session.commit()
        except admin.AdminError as exc:
            session.rollback()
            return RedirectResponse(f"/console/people?error={quote(str(exc))}", status_code=303)
        return RedirectResponse("/console/people?done=1", status_code=303)

    @router.post("/console/people/create")
    def create_user(session: DB, viewer: Annotated[Viewer, Depends(page("people"))],
                    username: Short = "", full_name: Short = "",
                    role: Short = "", password: Secret = "",
                    wadah: Short = "", kecamatan: Short = "",
                    kelurahan: Short = "",
                    csrf: Short = "") -> Response:
        check_csrf(viewer, csrf)
        return people_action(session, lambda: admin.add_user(
            session, regions, username=username, password=password, role=role, full_name=full_name,
            wadah=wadah or None, kecamatan=kecamatan or None, kelurahan=kelurahan or None))

    @router.post("/console/people/{username}/active")
    def set_active(username: str, session: DB, viewer: Annotated[Viewer, Depends(page("people"))],
                   active: Annotated[int, Form()] = 0, csrf: Short = "") -> Response:
        check_csrf(viewer, csrf)
        if not active and username.lower() == viewer.user.username:
            raise Refused(400, "cannot_self")

        def act() -> None:
            admin.set_active(session, username, bool(active))
            if not active:
                end_sessions_of(session, admin.get_user(session, username).id)
        return people_action(session, act)

    @router.post("/console/people/{username}/password")
    def reset_password(username: str, session: DB, viewer: Annotated[Viewer, Depends(page("people"))],
                       password: Secret = "",
                       csrf: Short = "") -> Response:
        check_csrf(viewer, csrf)

        def act() -> None:
            admin.set_password(session, username, password)
            end_sessions_of(session, admin.get_user(session, username).id)
        return people_action(session, act)

    @router.post("/console/devices/{enrollment_id}/revoke")
    def revoke(enrollment_id: str, session: DB, viewer: Annotated[Viewer, Depends(page("people"))],
               csrf: Short = "") -> Response:
        check_csrf(viewer, csrf)
        enrollment = session.get(Enrollment, enrollment_id)
        if enrollment is None:
            raise Refused(404, "not_found")
        user = session.get(ServerUser, enrollment.user_id)
        return people_action(session, lambda: revoke_device(session, enrollment.device_id,
                                                            user.username if user else None, settings.clock()))

    # --- exports ---------------------------------------------------------------------

    def exports_page(request: Request, session: Session, viewer: Viewer, scope: str | None, new_token: str = "",
                     status: int = 200) -> Response:
        first, last = period(None, None)
        tokens = session.exec(select(ApiToken).order_by(col(ApiToken.created_at).desc())).all() \
            if viewer.role == "admin" else []
        return render(request, "exports.html", viewer, status=status, scope=scope, first=first.isoformat(),
                      last=last.isoformat(), tokens=tokens, new_token=new_token, base=str(request.base_url).rstrip("/"))

    @router.get("/console/exports")
    def exports_index(request: Request, session: DB, viewer: Annotated[Viewer, Depends(page("exports"))],
                      kec: Annotated[str | None, Query(max_length=16)] = None) -> Response:
        return exports_page(request, session, viewer, area(viewer, kec))

    @router.get("/console/exports/download")
    def download(session: DB, viewer: Annotated[Viewer, Depends(page("exports"))],
                 what: Annotated[str, Query(pattern="^(participants|payments)$")],
                 fmt: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
                 kec: Annotated[str | None, Query(max_length=16)] = None,
                 start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                 end: Annotated[str | None, Query(alias="to", max_length=10)] = None) -> Response:
        scope = area(viewer, kec)
        first, last = period(start, end, MAX_EXPORT_DAYS)
        if what == "participants":  # registered in the period: creation stamps, in Makassar days
            lo = iso(datetime.combine(first, datetime.min.time(), WITA))
            hi = iso(datetime.combine(last + timedelta(days=1), datetime.min.time(), WITA))
        else:
            lo, hi = first.isoformat(), last.isoformat()
        rows = exports.all_rows(session, what, scope, lo, hi)
        fields = exports.fields_of(what)
        name = exports.file_name(what, scope, first.isoformat(), last.isoformat(), fmt, settings.clock())
        log.info("console export %s %s area=%s period=%s..%s by=%s", what, fmt, scope or "city", first, last,
                 viewer.user.username)
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
        if fmt == "csv":
            return StreamingResponse(exports.csv_chunks(rows, fields), media_type="text/csv; charset=utf-8",
                                     headers=headers)
        return StreamingResponse(exports.xlsx_chunks(rows, fields, what), headers=headers,
                                 media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @router.post("/console/exports/tokens")
    def create_token(request: Request, session: DB, viewer: Annotated[Viewer, Depends(page("people"))],
                     name: Short = "", kecamatan: Short = "", csrf: Short = "") -> Response:
        check_csrf(viewer, csrf)
        name = " ".join(name.split())
        kec = kecamatan7(kecamatan) if kecamatan else None
        if not name or (kecamatan and kec not in regions.kecamatan):
            raise Refused(400, "token_name_needed")
        token = secrets.token_urlsafe(32)
        session.add(ApiToken(token_hash=token_hash(token), name=name, kecamatan_code=kec,
                             created_by=viewer.user.username, created_at=iso(settings.clock())))
        session.commit()
        return exports_page(request, session, viewer, None, new_token=token)

    @router.post("/console/exports/tokens/{prefix}/revoke")
    def revoke_token(prefix: str, session: DB, viewer: Annotated[Viewer, Depends(page("people"))],
                     csrf: Short = "") -> Response:
        check_csrf(viewer, csrf)
        row = session.exec(select(ApiToken).where(
            col(ApiToken.token_hash).startswith(prefix[:16]), col(ApiToken.revoked_at).is_(None))
        ).first() if len(prefix) >= 16 else None
        if row is None:
            raise Refused(404, "not_found")
        row.revoked_at = iso(settings.clock())
        session.add(row)
        session.commit()
        return RedirectResponse("/console/exports", status_code=303)

    return router
