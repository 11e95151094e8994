"""The centre's web console (server-rendered pages) and the public receipt check.

``install(app, settings, regions)`` adds the console's routes, its static files and the
error pages to the server's FastAPI app. Nothing here is needed by devices.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from central_server.reference import Regions, kelurahan11
from central_server.settings import Settings

log = logging.getLogger("perisai.console")
STATIC_DIR = Path(__file__).parent / "static"
POPULATION_FILE = "kelurahan_population.csv"  # optional reference data: kelurahan_code,workers,year,source


@dataclass
class Population:
    """Informal workers per kelurahan, where the reference data has the figure."""

    regions: Regions
    by_kelurahan: dict[str, int] = field(default_factory=dict)
    source: str = ""

    def of_scope(self, kec: str | None) -> int | None:
        """A kecamatan's figure, or the city's when every kelurahan has one."""
        if kec is not None:
            return self.get_area(kec)
        if not self.regions.kelurahan or any(kel not in self.by_kelurahan for kel in self.regions.kelurahan):
            return None
        return sum(self.by_kelurahan.values())

    def get_area(self, code: str) -> int | None:
        """A kelurahan's figure, or a kecamatan's when every one of its kelurahan has one."""
        if len(code) == 11:
            return self.by_kelurahan.get(code)
        members = [kel for kel, (kec, _) in self.regions.kelurahan.items() if kec == code]
        if not members or any(kel not in self.by_kelurahan for kel in members):
            return None
        return sum(self.by_kelurahan[kel] for kel in members)


def load_population(directory: Path, regions: Regions) -> Population:
    population = Population(regions)
    path = directory / POPULATION_FILE
    if not path.exists():
        return population
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = kelurahan11(row.get("kelurahan_code") or "")
            try:
                workers = int(row.get("workers") or "")
            except ValueError:
                continue
            if code in regions.kelurahan and workers > 0:
                population.by_kelurahan[code] = workers
                population.source = row.get("source") or population.source
    return population


def load_targets(directory: Path) -> dict[str, Any]:
    try:
        return json.loads((directory / "targets.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


async def _answered(response: Response | Awaitable[Response]) -> Response:
    """What an API exception handler answered: Starlette's handlers may be coroutines or not."""
    return response if isinstance(response, Response) else await response


def install(app: FastAPI, settings: Settings, regions: Regions) -> None:
    from central_server.web import api, receipts
    from central_server.web.pages import Refused, SignInNeeded, build_router, render

    app.state.regions = regions
    app.state.population = load_population(settings.reference_dir, regions)
    app.state.targets = load_targets(settings.reference_dir)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(build_router(settings, regions))
    app.include_router(receipts.build_router(settings))
    app.include_router(api.build_router(settings, regions))

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _exc: SignInNeeded) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        ended = "&ended=1" if request.cookies.get("perisai_console") else ""
        return RedirectResponse(f"/console/login?next={quote(target)}{ended}", status_code=303)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        return render(request, "error.html", None, status=exc.status, key=exc.key, params=exc.params)

    api_http_error = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """A person's browser gets a page in their language; the APIs keep their JSON errors."""
        if request.url.path.startswith(("/console/", "/r/")):
            key = "not_found" if exc.status_code in (404, 405) else "server_error"
            return render(request, "error.html", None, status=exc.status_code, key=key, params={})
        return await _answered(api_http_error(request, exc))

    api_validation_error = app.exception_handlers[RequestValidationError]

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith(("/console/", "/r/")):
            return render(request, "error.html", None, status=400, key="bad_request", params={})
        return await _answered(api_validation_error(request, exc))
