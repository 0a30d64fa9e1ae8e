"""The durable schedule: plan runs into ``journey_run``, claim due ones (one sender each), send, retry, log.

Each tick reads the folder's hash and reloads the journeys when it changed (no restart), plans every
occurrence as a run (unique per journey, candidate, occurrence; holdout decided here), then claims due runs:
PostgreSQL with ``SELECT ... FOR UPDATE SKIP LOCKED``; on every backend a compare-and-set UPDATE (status
still scheduled, no live lease) so only one worker ever holds a run. A claimed run is checked again against
the record (an occurrence that vanished or expired is cancelled, a stop condition cancels it), then sent
within quiet hours and the cap. A failure is retried with exponential backoff; every attempt is logged in
``journey_attempt`` with the journey id and version. Runs due while nothing was running are sent on the
next tick unless they have expired.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from assistant import clock, periodic
from assistant.db import as_utc, session_scope
from assistant.journeys import definitions, delivery, planner, policy
from assistant.journeys.definitions import JourneySet, LoadedJourney
from assistant.journeys.models import JourneyAttempt, JourneyRun
from assistant.oversight import service as oversight_service
from assistant.settings import get_settings

log = logging.getLogger(__name__)
Sessions = Callable[[], AbstractContextManager[Session]]
LEASE = timedelta(minutes=5)  # a claimed run a crashed worker never finished is taken again after this
BATCH = 200
_cache: dict[str, JourneySet] = {}
_lock = threading.Lock()


def current_journeys() -> JourneySet:
    """Returns the journeys in settings.journeys_dir, reloaded when the folder's content hash changed."""
    folder = get_settings().journeys_dir
    stamp = definitions.folder_hash(folder)
    with _lock:
        loaded = _cache.get(str(folder))
        if loaded is None or loaded.folder_hash != stamp:
            loaded = definitions.load(folder)
            _cache[str(folder)] = loaded
            if loaded.problems:
                log.warning("journeys with problems are not run", extra={"problems": len(loaded.problems)})
            log.info("journeys loaded", extra={"journeys": len(loaded.journeys), "folder_hash": loaded.folder_hash})
    return loaded


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 10000}"


def _insert(db_session: Session):
    return pg_insert if db_session.get_bind().dialect.name == "postgresql" else sqlite_insert


@dataclass
class PlanResult:
    occurrences: int = 0
    scheduled: int = 0
    held_out: int = 0


def plan(*, db_session: Session, journeys: JourneySet, now: datetime, snapshot: planner.Snapshot | None = None) -> PlanResult:
    """Writes a run for every new, unexpired, unstopped occurrence (existing ones untouched); returns counts."""
    snapshot = snapshot or planner.load_snapshot(db_session=db_session, now=now)
    result = PlanResult()
    insert = _insert(db_session)
    for loaded in journeys.journeys:
        journey = loaded.journey
        existing = set(db_session.execute(select(JourneyRun.candidate_id, JourneyRun.occurrence_key)
                                          .where(JourneyRun.journey_id == journey.id)).all())
        rows = []
        for occurrence in planner.occurrences(journey, snapshot, now):
            if occurrence.expires_at <= now or (occurrence.candidate_id, occurrence.key) in existing:
                continue
            if planner.stop_reason(journey, occurrence, snapshot) is not None:
                continue
            result.occurrences += 1
            held = policy.in_holdout(journey_id=journey.id, share=journey.holdout,
                                     candidate_external_id=snapshot.candidates[occurrence.candidate_id].external_id)
            rows.append({"journey_id": journey.id, "journey_version": loaded.version, "candidate_id": occurrence.candidate_id,
                         "occurrence_key": occurrence.key, "arm": "holdout" if held else "treated",
                         "status": "held_out" if held else "scheduled", "due_at": occurrence.due_at, "decided_at": now,
                         "reason": "holdout" if held else "", "channel": journey.channel, "attempts": 0, "done_actions": []})
            result.held_out += held
            result.scheduled += not held
        if rows:  # one statement, many parameter sets; rows a concurrent planner wrote meanwhile are skipped
            db_session.execute(insert(JourneyRun.__table__).on_conflict_do_nothing(
                index_elements=["journey_id", "candidate_id", "occurrence_key"]), rows)
    db_session.flush()
    return result


def claim(*, db_session: Session, now: datetime, worker: str, limit: int = BATCH) -> list[int]:
    """Returns the ids of due runs this worker now holds (committed), none held by another worker."""
    query = (select(JourneyRun.id).where(JourneyRun.status == "scheduled", JourneyRun.due_at <= now,
                                         or_(JourneyRun.locked_until.is_(None), JourneyRun.locked_until <= now))
             .order_by(JourneyRun.due_at, JourneyRun.id).limit(limit))
    postgres = db_session.get_bind().dialect.name == "postgresql"
    if postgres:
        query = query.with_for_update(skip_locked=True)
    ids = list(db_session.scalars(query))
    if not postgres:
        db_session.commit()  # SQLite: end the read so each compare-and-set below sees the newest rows
    claimed = []
    for run_id in ids:
        done = db_session.execute(
            update(JourneyRun).where(JourneyRun.id == run_id, JourneyRun.status == "scheduled",
                                     or_(JourneyRun.locked_until.is_(None), JourneyRun.locked_until <= now))
            .values(locked_until=now + LEASE, attempts=JourneyRun.attempts + 1)
            .execution_options(synchronize_session=False))
        if done.rowcount == 1:
            claimed.append(run_id)
        if not postgres:
            db_session.commit()
    db_session.commit()
    return claimed


def _log(db_session: Session, run: JourneyRun, outcome: str, detail: str, worker: str, now: datetime) -> None:
    db_session.add(JourneyAttempt(run_id=run.id, journey_id=run.journey_id, journey_version=run.journey_version,
                                  attempt=run.attempts, outcome=outcome, detail=detail[:200], worker=worker, at=now))
    log.info("journey attempt", extra={"journey_id": run.journey_id, "journey_version": run.journey_version,
                                       "run_id": run.id, "attempt": run.attempts, "outcome": outcome, "detail": detail[:80]})


def _close(db_session: Session, run: JourneyRun, status: str, reason: str, worker: str, now: datetime) -> str:
    run.status, run.reason, run.locked_until = status, reason[:200], None
    _log(db_session, run, status, reason, worker, now)
    return status


def capped_sends(*, db_session: Session, candidate_id: int, journeys: JourneySet, now: datetime) -> list[datetime]:
    """Returns when this candidate got automated messages that count toward the cap, within the cap window."""
    exempt = {item.journey.id for item in journeys.journeys if item.journey.cap_exempt}
    since = now - timedelta(days=get_settings().journey_cap_days)
    rows = db_session.execute(select(JourneyRun.journey_id, JourneyRun.sent_at).where(
        JourneyRun.candidate_id == candidate_id, JourneyRun.status == "sent", JourneyRun.sent_at > since,
        JourneyRun.channel.in_(("email", "chat"))))
    return [as_utc(at) for journey_id, at in rows if journey_id not in exempt]


def _attempt(db_session: Session, run: JourneyRun, loaded: LoadedJourney | None, journeys: JourneySet,
             now: datetime, worker: str) -> str:
    if loaded is None:
        return _close(db_session, run, "cancelled", "journey removed", worker, now)
    journey = loaded.journey
    run.journey_version = loaded.version
    snapshot = planner.load_snapshot(db_session=db_session, now=now, candidate_ids=[run.candidate_id])
    occurrence = next((o for o in planner.occurrences(journey, snapshot, now, [run.candidate_id])
                       if o.key == run.occurrence_key), None)
    if occurrence is None:
        return _close(db_session, run, "cancelled", "no longer applies", worker, now)
    if occurrence.due_at > now:  # e.g. the interview moved later under the same key
        run.due_at, run.locked_until, run.attempts = occurrence.due_at, None, run.attempts - 1
        _log(db_session, run, "deferred", "due later", worker, now)
        return "deferred"
    if "replied" in journey.stop_when:
        replied = delivery.last_reply_at(db_session=db_session, candidate_id=run.candidate_id)
        if replied:
            snapshot.replied_at[run.candidate_id] = replied
    stop = planner.stop_reason(journey, occurrence, snapshot)
    if stop:
        return _close(db_session, run, "cancelled", stop, worker, now)
    decision = policy.decide(journey=journey, occurrence=occurrence, snapshot=snapshot, now=now,
                             recent_sends=capped_sends(db_session=db_session, candidate_id=run.candidate_id,
                                                       journeys=journeys, now=now))
    if decision.action == "skip":
        return _close(db_session, run, "skipped", decision.reason, worker, now)
    if decision.action == "wait":
        run.locked_until, run.attempts = decision.until, run.attempts - 1
        _log(db_session, run, "deferred", f"{decision.reason} until {decision.until.isoformat(timespec='minutes')}", worker, now)
        return "deferred"
    ctx = delivery.context(loaded=loaded, occurrence=occurrence, snapshot=snapshot, now=now)
    outcomes = []
    for index, action in enumerate(journey.actions):
        name = f"{index}:{action.kind}"
        if name in (run.done_actions or []):
            continue
        outcome = delivery.perform(db_session=db_session, loaded=loaded, action=action, rendered=delivery.render_action(action, ctx),
                                   run=run, occurrence=occurrence, snapshot=snapshot, now=now)
        run.done_actions = [*(run.done_actions or []), name]
        outcomes.append(outcome)
        db_session.commit()  # an action done is never done again, even if a later one fails
    run.status, run.sent_at, run.locked_until, run.reason = "sent", now, None, ""
    _log(db_session, run, "sent", "; ".join(outcomes), worker, now)
    return "sent"


def process(*, run_id: int, journeys: JourneySet, now: datetime, worker: str, sessions: Sessions = session_scope) -> str:
    """Sends (or defers, skips, cancels) one claimed run; returns what happened. Failures are retried later."""
    try:
        with sessions() as db:
            run = db.get(JourneyRun, run_id)
            if run is None or run.status != "scheduled":
                return "gone"
            return _attempt(db, run, journeys.get(run.journey_id), journeys, now, worker)
    except Exception as error:  # noqa: BLE001 - recorded, retried with backoff, never stops the others
        detail = f"{type(error).__name__}: {error}" if isinstance(error, delivery.DeliveryFailed) else type(error).__name__
        with sessions() as db:
            run = db.get(JourneyRun, run_id)
            if run is None or run.status != "scheduled":
                return "gone"
            if run.attempts >= get_settings().journey_max_attempts:
                return _close(db, run, "failed", detail, worker, now)
            delay = get_settings().journey_retry_seconds * 2 ** max(0, run.attempts - 1)
            run.locked_until = now + timedelta(seconds=delay)
            _log(db, run, "error", detail, worker, now)
            log.warning("journey run failed, retried later", extra={"run_id": run_id, "journey_id": run.journey_id,
                                                                    "attempt": run.attempts, "retry_seconds": delay})
            return "error"


_last_plan: dict[str, tuple[str, float]] = {}


def _plan_due(journeys: JourneySet, now: datetime, *, force: bool) -> bool:
    """Returns True when this process should plan now: every settings.journey_plan_seconds, at once after a reload."""
    wall = time.monotonic()
    folder_hash, at = _last_plan.get("last", ("", -1e18))
    if force or folder_hash != journeys.folder_hash or wall - at >= get_settings().journey_plan_seconds:
        _last_plan["last"] = (journeys.folder_hash, wall)
        return True
    return False


def tick(*, now: datetime | None = None, worker: str | None = None, send: bool = True,
         sessions: Sessions = session_scope, journeys: JourneySet | None = None, replan: bool = False) -> dict[str, int]:
    """Reloads changed journeys, plans new runs (every settings.journey_plan_seconds, or now with replan), then
    sends every due one this worker claims; returns counts. Does nothing while the admin switch ``journeys``
    (assistant.oversight) is off.

    ``sessions`` makes the transactions (default: the configured database; tests pass their own)."""
    now = now or clock.now()
    worker = worker or worker_name()
    journeys = journeys or current_journeys()
    counts = {"journeys": len(journeys.journeys), "planned": 0, "held_out": 0}
    with sessions() as db:
        switched_off = not oversight_service.is_enabled(db_session=db, feature="journeys")
    if switched_off:  # human oversight: an admin turned journeys off; runs stay scheduled (expiry still applies)
        log.info("journeys tick skipped: switched off by an admin")
        return counts | {"switched_off": 1}
    if _plan_due(journeys, now, force=replan or not send):
        with sessions() as db:
            planned = plan(db_session=db, journeys=journeys, now=now)
        counts.update(planned=planned.scheduled, held_out=planned.held_out)
    if not send:
        return counts
    with sessions() as db:
        claimed = claim(db_session=db, now=now, worker=worker, limit=BATCH)
    for run_id in claimed:
        outcome = process(run_id=run_id, journeys=journeys, now=now, worker=worker, sessions=sessions)
        counts[outcome] = counts.get(outcome, 0) + 1
    log.info("journeys tick", extra={"counts": counts})
    return counts


def run_counts(*, db_session: Session) -> dict[str, int]:
    """Returns how many runs are in each status."""
    return dict(db_session.execute(select(JourneyRun.status, func.count()).group_by(JourneyRun.status)).all())


def _periodic_tick() -> object:
    return tick() if get_settings().journeys_enabled else None


lifespan = periodic.every(lambda: get_settings().journey_tick_seconds, _periodic_tick, "journeys")
"""Runs the journeys tick at API start-up and then every settings.journey_tick_seconds."""
