"""Journey effects: for each journey with a holdout share, its goal's rate among treated vs held-out candidates.

Reads the journeys log (table ``journey_run``, written by assistant.journeys; see the contract in the
journeys concern): every candidate a journey decided about is in the ``treated`` or the ``holdout`` arm,
deterministically. Intent to treat: a treated run counts whether it was sent, skipped or failed; runs still
scheduled or cancelled are left out, and so are runs whose outcome window has not ended yet. The outcome is
the journey's ``goal`` reached within ``ATTRIBUTION_WINDOW_DAYS`` of the decision. The difference of the two
rates comes with Newcombe's 95% interval; below ``MIN_PER_ARM`` runs in either arm the answer is
"not enough data".
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, inspect, select
from sqlalchemy.orm import Session

from assistant.analytics.stats import newcombe, rate, wilson
from assistant.candidates.models import Application, Interview, Offer, StageHistory
from assistant.db import as_utc, utcnow
from assistant.identity.models import ConversationIdentity
from assistant.jobs.models import BehaviourEvent

log = logging.getLogger(__name__)
ATTRIBUTION_WINDOW_DAYS = 14
MIN_PER_ARM = 30
COUNTED_STATUSES = ("sent", "held_out", "skipped", "failed")
journey_run_table = Table(  # the columns of the journeys log that attribution reads (contract with #15)
    "journey_run", MetaData(), Column("id", Integer, primary_key=True), Column("journey_id", String(64)),
    Column("journey_version", String(32)), Column("candidate_id", Integer), Column("occurrence_key", String(128)),
    Column("arm", String(16)), Column("status", String(16)), Column("due_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)), Column("sent_at", DateTime(timezone=True)),
    Column("reason", String(200)), Column("channel", String(16)), Column("attempts", Integer),
    Column("done_actions", JSON),
)
LATER_THAN_ASSESSMENT = ("phone_screen", "interviews", "final_round", "offer", "hired")


def _stage_times(db_session: Session, ids: list[int], stages: Iterable[str] | None = None):
    query = (select(Application.candidate_id, StageHistory.changed_at)
             .join(StageHistory, StageHistory.application_id == Application.id).where(Application.candidate_id.in_(ids)))
    if stages is not None:
        query = query.where(StageHistory.stage.in_(list(stages)))
    return db_session.execute(query)


GOALS: dict[str, Callable[[Session, list[int]], Iterable[tuple[int, datetime]]]] = {
    "application_completed": lambda db, ids: db.execute(select(BehaviourEvent.candidate_id, BehaviourEvent.created_at).where(
        BehaviourEvent.candidate_id.in_(ids), BehaviourEvent.kind == "apply_completed")),
    "applied": lambda db, ids: db.execute(select(Application.candidate_id, Application.applied_at).where(
        Application.candidate_id.in_(ids))),
    "assessment_completed": lambda db, ids: _stage_times(db, ids, LATER_THAN_ASSESSMENT),
    "interview_booked": lambda db, ids: db.execute(select(Application.candidate_id, Interview.scheduled_at).join(
        Interview, Interview.application_id == Application.id).where(Application.candidate_id.in_(ids))),
    "offer_accepted": lambda db, ids: db.execute(select(Application.candidate_id, Offer.decided_at).join(
        Offer, Offer.application_id == Application.id).where(Application.candidate_id.in_(ids), Offer.status == "accepted")),
    "stage_moved": lambda db, ids: _stage_times(db, ids),
    # a reply: the candidate came back and verified in the chat (the tracker store keeps no candidate ids)
    "replied": lambda db, ids: db.execute(select(ConversationIdentity.candidate_id, ConversationIdentity.verified_at).where(
        ConversationIdentity.candidate_id.in_(ids))),
}


@dataclass
class JourneyEffect:
    journey_id: str
    goal: str | None
    holdout: float | None
    treated: int
    treated_outcomes: int
    treated_rate: float | None
    holdout_runs: int
    holdout_outcomes: int
    holdout_rate: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    treated_ci: tuple[float, float] | None
    holdout_ci: tuple[float, float] | None
    waiting: int  # runs whose outcome window has not ended yet
    enough_data: bool
    note: str


def journey_goals(folder: Path | None = None) -> dict[str, dict]:
    """Returns {journey id: {"goal", "holdout"}} from the journey files (journeys/*.yml)."""
    from assistant.settings import get_settings

    folder = folder or Path(getattr(get_settings(), "journeys_dir", "journeys"))
    goals = {}
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError:
            log.warning("journey file %s is not valid YAML; left out of attribution", path.name)
            continue
        if isinstance(data, dict) and data.get("id"):
            goals[str(data["id"])] = {"goal": data.get("goal"), "holdout": data.get("holdout")}
    return goals


def _runs(db_session: Session, start: datetime, end: datetime) -> list:
    if not inspect(db_session.connection()).has_table("journey_run"):
        return []
    r = journey_run_table.c
    return list(db_session.execute(select(r.journey_id, r.candidate_id, r.arm, r.decided_at).where(
        r.status.in_(COUNTED_STATUSES), r.decided_at >= start, r.decided_at < end, r.decided_at.is_not(None))))


def effects(*, db_session: Session, start: datetime, end: datetime, goals: dict[str, dict] | None = None,
            now: datetime | None = None) -> list[JourneyEffect]:
    """Returns the effect of every journey that has a holdout share, for runs decided in [start, end)."""
    goals = journey_goals() if goals is None else goals
    now = now or utcnow()
    window = timedelta(days=ATTRIBUTION_WINDOW_DAYS)
    by_journey: dict[str, list] = defaultdict(list)
    for run in _runs(db_session, start, end):
        by_journey[run.journey_id].append(run)
    result = []
    for journey_id in sorted(set(by_journey) | {j for j, g in goals.items() if g.get("holdout")}):
        spec = goals.get(journey_id, {})
        goal = spec.get("goal")
        runs = by_journey.get(journey_id, [])
        if not spec.get("holdout") and not any(run.arm == "holdout" for run in runs):
            continue  # no holdout: nothing to compare against
        closed = [run for run in runs if as_utc(run.decided_at) + window <= now]
        outcome_times: dict[int, list[datetime]] = defaultdict(list)
        if goal in GOALS and closed:
            ids = sorted({run.candidate_id for run in closed})
            for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
                for candidate_id, at in GOALS[goal](db_session, chunk):
                    if at is not None:
                        outcome_times[candidate_id].append(as_utc(at))
        tally = {"treated": [0, 0], "holdout": [0, 0]}
        for run in closed:
            decided = as_utc(run.decided_at)
            reached = any(decided <= at <= decided + window for at in outcome_times.get(run.candidate_id, ()))
            tally[run.arm][0] += 1
            tally[run.arm][1] += reached
        (n_t, s_t), (n_h, s_h) = tally["treated"], tally["holdout"]
        enough = goal in GOALS and n_t >= MIN_PER_ARM and n_h >= MIN_PER_ARM
        difference = low = high = None
        if enough:
            difference, low, high = (round(x, 4) for x in newcombe(s_t, n_t, s_h, n_h))
        note = ("" if enough else f"unknown goal {goal!r}" if goal not in GOALS else
                f"not enough data: at least {MIN_PER_ARM} runs per arm are needed")
        result.append(JourneyEffect(
            journey_id=journey_id, goal=goal, holdout=spec.get("holdout"), treated=n_t, treated_outcomes=s_t,
            treated_rate=rate(s_t, n_t), holdout_runs=n_h, holdout_outcomes=s_h, holdout_rate=rate(s_h, n_h),
            difference=difference, ci_low=low, ci_high=high,
            treated_ci=wilson(s_t, n_t) if n_t else None, holdout_ci=wilson(s_h, n_h) if n_h else None,
            waiting=len(runs) - len(closed), enough_data=enough, note=note))
    return result
