"""Which reference data is in force: the set shipped with the app, or a bundle the centre
published (tariffs, regions, consent text, targets), so that a tariff extension or a
correction reaches every counter without an app release.

The sync (``sync.reference``) writes each bundle the centre publishes into the data folder
(``reference/<version>/``); ``validate_bundle`` checks it before anything uses it, and only
then is it recorded here (``accept_bundle``): a bad bundle is refused and the last good
one stays. The set in force is the newest whose tariff is in effect today (its
``effective_from``; a centre's bundle before the shipped set of the same date, a later
bundle before an earlier one); its dated overrides then apply by the months billed. Each
payment records the tariff version it was computed with, and the person is told when the
tariff in force changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session

from agent_app.domain import tariffs
from agent_app.domain.coverage import month_of
from agent_app.domain.messages import register, render
from agent_app.domain.reference import ReferenceData, ReferenceDataError, load_reference
from agent_app.services.base import get_meta, set_meta
from agent_app.store.db import Database

BUNDLES_KEY = "reference_bundles"  # meta: the accepted bundles, oldest first (JSON)
TARIFF_IN_FORCE_KEY = "tariff_in_force"  # meta: the tariff version last in force
KEEP_BUNDLES = 5

register({
    "reference.tariff_changed": {
        "id": "Tarif iuran yang berlaku berganti: versi {old} menjadi {new} ({source}). "
              "Iuran dihitung dengan tarif baru.",
        "en": "The contribution tariff in force changed: version {old} became {new} "
              "({source}). Contributions are computed with the new tariff.",
    },
})


@dataclass(frozen=True)
class Bundle:
    version: str  # the centre's bundle version
    directory: str
    published_at: str


def validate_bundle(directory: Path, today: date) -> ReferenceData:
    """The reference data of a downloaded bundle, once it proved usable: every file read,
    regions, occupations and income tiers present, a rate for every programme, the consent
    text in both languages, and a fee computed for each sector this month. Raises
    ``ReferenceDataError`` saying what is wrong."""
    ref = load_reference(directory, reload=True)
    if not ref.kelurahan or not ref.occupations:
        raise ReferenceDataError("no kelurahan or no occupations")
    try:
        missing = [p for p in ref.programmes if p not in ref.tariffs["rates"]]
        date.fromisoformat(str(ref.tariffs["effective_from"]))
        for sector in {sector for _group, sector in ref.occupations.values()}:
            tariffs.quote(ref, income=ref.income_tiers[0][0], months=[month_of(today)],
                          sector=sector, programmes={p: "self" for p in ref.programmes})
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ReferenceDataError(f"tariffs.json: {type(exc).__name__}: {exc}") from exc
    if missing:
        raise ReferenceDataError(f"tariffs.json: no rate for {', '.join(missing)}")
    if not all(ref.consent.text.get(lang) for lang in ("id", "en")):
        raise ReferenceDataError("consent.json: text missing in a language")
    return ref


def accept_bundle(session: Session, bundle: Bundle) -> None:
    """Record a validated bundle (the last KEEP_BUNDLES are kept), in the caller's
    transaction."""
    kept = [b for b in accepted_bundles(session) if b.version != bundle.version]
    kept = (kept + [bundle])[-KEEP_BUNDLES:]
    set_meta(session, BUNDLES_KEY, json.dumps([b.__dict__ for b in kept]))


def accepted_bundles(session: Session) -> list[Bundle]:
    return [Bundle(**b) for b in json.loads(get_meta(session, BUNDLES_KEY, "[]"))]


def _effective_from(ref: ReferenceData) -> date:
    return date.fromisoformat(str(ref.tariffs["effective_from"]))


def reference_in_force(db: Database, today: date, shipped: ReferenceData) -> ReferenceData:
    """The newest set whose tariff is in effect ``today`` (see the module's docstring)."""
    with db.read() as s:
        bundles = accepted_bundles(s)
    candidates = [((_effective_from(shipped), 0, 0), shipped)]
    for index, bundle in enumerate(bundles, start=1):
        try:
            ref = load_reference(Path(bundle.directory))  # validated once, then cached
        except ReferenceDataError:
            continue  # its folder was damaged or removed since: the others stay
        candidates.append(((_effective_from(ref), 1, index), ref))
    in_effect = [c for c in candidates if c[0][0] <= today] or candidates[:1]
    return max(in_effect, key=lambda c: c[0])[1]


def note_tariff_in_force(session: Session, ref: ReferenceData) -> dict[str, str] | None:
    """Remember the tariff version in force; a message for the person when it changed."""
    previous = get_meta(session, TARIFF_IN_FORCE_KEY)
    if previous == ref.tariff_version:
        return None
    set_meta(session, TARIFF_IN_FORCE_KEY, ref.tariff_version)
    if previous is None:
        return None  # the first one this device knows: nothing changed for anyone
    params = {"old": previous, "new": ref.tariff_version, "source": ref.tariffs.get("source", "")}
    return {lang: render("reference.tariff_changed", lang, **params) for lang in ("id", "en")}
