"""Reference refresh: the centre's reference bundle (tariffs, regions, consent text,
targets) and the latest app version, fetched when stale or once a day (a bundle this
device holds already is answered 304, not sent again), written into the data folder
(``reference/<version>/``) and validated before anything uses it: a bad bundle is refused
and the last good one stays in force (``services.reference``)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from agent_app.domain.reference import ReferenceDataError
from agent_app.files import atomic_write_text
from agent_app.services.base import get_meta, set_meta
from agent_app.services.reference import Bundle, accept_bundle, validate_bundle
from sync.client import SyncError
from sync.rounds import RoundContext, RoundReport, Stop, older_than

log = logging.getLogger(__name__)

REFERENCE_MAX_AGE = 24 * 3600  # re-check the reference bundle (and app version) daily


class ReferenceRefresh:
    def __init__(self, ctx: RoundContext, data_dir: Path) -> None:
        self.ctx = ctx
        self.data_dir = data_dir

    def refresh(self, report: RoundReport) -> None:
        ctx = self.ctx
        with ctx.db.read() as s:
            have = get_meta(s, "reference_version")
            stale = get_meta(s, "reference_stale") == "1"
            checked = get_meta(s, "reference_checked_at")
        if have and not stale and checked and not older_than(ctx.clock, checked, REFERENCE_MAX_AGE):
            return
        try:
            bundle = ctx.authorised(lambda token: ctx.client.reference(token, have=have))
        except Stop:
            raise
        except SyncError as exc:  # reference data is not worth failing the round for
            report.errors.append(f"reference: {exc.code}")
            return
        with ctx.db.write() as s:
            if bundle is not None:  # None: the centre's bundle is the one held already
                set_meta(s, "reference_version", bundle.version)
                set_meta(s, "latest_app_version", bundle.latest_app_version or "")
                set_meta(s, "download_url", bundle.download_url or "")
            set_meta(s, "reference_stale", "0")
            set_meta(s, "reference_checked_at", ctx.clock.stamp())
        if bundle is not None and bundle.version != have:
            self._take(bundle, report)

    def _take(self, bundle, report: RoundReport) -> None:
        """Write the bundle into the data folder and accept it once it validates."""
        target = self.data_dir / "reference" / _safe(bundle.version)
        target.mkdir(parents=True, exist_ok=True)
        for name, content in bundle.files.items():
            text = content if isinstance(content, str) else json.dumps(
                content, ensure_ascii=False, indent=1)
            atomic_write_text(target / _safe(name), text)
        try:
            validate_bundle(target, self.ctx.clock.today())
        except ReferenceDataError as exc:
            log.warning("reference bundle %s refused: %s", bundle.version, exc)
            report.errors.append(f"reference: bundle {bundle.version} refused: {exc}"[:300])
            shutil.rmtree(target, ignore_errors=True)
            return
        with self.ctx.db.write() as s:
            accept_bundle(s, Bundle(bundle.version, str(target), bundle.published_at))


def _safe(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return keep.strip(".") or "_"
