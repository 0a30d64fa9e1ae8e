"""Demo data for the analytics and audit pages, generated from fixed counts so every figure has a known value.

``load(db_session=..., tracker_store_url=...)`` writes one current period (the last 14 days) and its
baseline (the 14 days before) into the app database and Rasa's tracker store, and returns the true figures
computed from the counts alone (not by the code under test). Everything it writes carries the ``DA-`` /
``demo-analytics-`` prefix.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import insert
from sqlalchemy.orm import Session

from assistant.analytics.conversations import events_table
from assistant.analytics.metrics import Period, last_days
from assistant.analytics.models import ChatRating, NpsResponse
from assistant.candidates.models import Application, Candidate, JobFill, Offer, StageHistory
from assistant.db import make_engine, utcnow
from assistant.inbox.models import Ticket, TicketMessage
from assistant.jobs.models import BehaviourEvent, Job
from assistant.knowledge.models import AnswerLog

PREFIX = "demo-analytics-"
DEPARTMENTS = {"Engineering": "Germany", "Care": "United Kingdom"}


@dataclass(frozen=True)
class DepartmentSpec:
    apply_started: int
    apply_completed: int
    offers_accepted: int
    offers_declined: int
    fill_days: tuple[int, ...]
    # (stage, applications that reached it, days each of those that moved on spent in it)
    funnel: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class PeriodSpec:
    contained: int
    abandoned_fallback: int
    abandoned_form: int
    abandoned_decline: int
    escalated: dict[str, int]
    reply_minutes: tuple[int, ...]  # first recruiter reply of each ticket, one per escalation
    target_minutes: int
    helpful: int
    not_helpful: int
    ratings: tuple[int, ...]
    ratings_skipped: int
    nps_scores: tuple[int, ...]
    departments: dict[str, DepartmentSpec] = field(default_factory=dict)
    rating_comments: int = 0  # the first ratings given carry a comment
    nps_comments: int = 0  # the first NPS answers carry a comment


CURRENT = PeriodSpec(
    contained=28, abandoned_fallback=2, abandoned_form=1, abandoned_decline=1,
    escalated={"request_human": 5, "frustration": 3}, reply_minutes=(10, 20, 30, 40, 50, 60, 70, 80), target_minutes=60,
    helpful=9, not_helpful=3, ratings=(5, 5, 5, 5, 4, 4, 4, 3, 3, 1), ratings_skipped=2,
    nps_scores=(10,) * 6 + (9,) * 4 + (8,) * 3 + (7,) * 3 + (6,) * 2 + (3,) * 2, rating_comments=4, nps_comments=5,
    departments={
        "Engineering": DepartmentSpec(30, 20, 6, 1, (10, 30, 50),
                                      (("applied", 10, 2), ("under_review", 6, 5), ("interviews", 4, 7), ("offer", 2, 3), ("hired", 1, 0))),
        "Care": DepartmentSpec(20, 10, 2, 1, (20, 40),
                               (("applied", 6, 4), ("under_review", 3, 6), ("interviews", 2, 8), ("offer", 1, 2), ("hired", 1, 0))),
    },
)
BASELINE = PeriodSpec(
    contained=10, abandoned_fallback=2, abandoned_form=1, abandoned_decline=1,
    escalated={"request_human": 4, "repeated_failure": 2}, reply_minutes=(30, 60, 90, 120, 150, 180), target_minutes=60,
    helpful=4, not_helpful=4, ratings=(4, 3, 3, 2), ratings_skipped=1, nps_scores=(10, 9, 8, 6, 5, 2),
    rating_comments=1, nps_comments=2,
    departments={
        "Engineering": DepartmentSpec(20, 8, 3, 2, (40, 60), (("applied", 5, 5), ("under_review", 2, 9), ("interviews", 1, 0))),
        "Care": DepartmentSpec(10, 4, 1, 1, (50,), (("applied", 4, 6), ("under_review", 1, 0))),
    },
)


def expected(spec: PeriodSpec, department: str | None = None) -> dict:
    """Returns the true figures of a period spec, computed from the counts alone."""
    escalated = sum(spec.escalated.values())
    abandoned = spec.abandoned_fallback + spec.abandoned_form + spec.abandoned_decline
    total = spec.contained + abandoned + escalated
    depts = [d for name, d in spec.departments.items() if department in (None, name)]
    started, completed = sum(d.apply_started for d in depts), sum(d.apply_completed for d in depts)
    accepted, declined = sum(d.offers_accepted for d in depts), sum(d.offers_declined for d in depts)
    fills = [days for d in depts for days in d.fill_days]
    scores = spec.nps_scores
    return {
        "conversations": total, "contained": spec.contained, "abandoned": abandoned, "escalated": escalated,
        "containment_rate": spec.contained / total, "escalation_rate": escalated / total,
        "escalation_by_reason": dict(spec.escalated),
        "first_reply_minutes_p50": median(spec.reply_minutes),
        "reply_within_target_rate": sum(m <= spec.target_minutes for m in spec.reply_minutes) / len(spec.reply_minutes),
        "knowledge_helpful": spec.helpful, "knowledge_not_helpful": spec.not_helpful,
        "chat_rating": round(sum(spec.ratings) / len(spec.ratings), 2), "chat_ratings_skipped": spec.ratings_skipped,
        "chat_rating_comments": spec.rating_comments, "nps_comments": spec.nps_comments,
        "nps": round(100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores), 1),
        "application_completion_rate": completed / started,
        "offer_acceptance_rate": accepted / (accepted + declined),
        "time_to_fill_days_p50": median(fills),
        "funnel": {stage: sum(n for d in depts for s, n, _ in d.funnel if s == stage)
                   for stage in ("applied", "under_review", "interviews", "offer", "hired")},
        "time_in_stage_days_p50": {stage: median(days) if days else None for stage, days in _stage_days(depts).items()},
    }


def _stage_days(depts: list[DepartmentSpec]) -> dict[str, list[int]]:
    """Days in each stage of the applications that moved on from it (as many as reached the next stage)."""
    days: dict[str, list[int]] = {}
    for dept in depts:
        for (stage, _, spent), (_, moved_on, _) in zip(dept.funnel, dept.funnel[1:]):
            days.setdefault(stage, []).extend([spent] * moved_on)
    return days


class _Writer:
    def __init__(self, db_session: Session, tracker_rows: list[dict], tag: str):
        self.db, self.tracker_rows, self.tag = db_session, tracker_rows, tag
        self.n = 0

    def uid(self) -> str:
        self.n += 1
        return f"{PREFIX}{self.tag}-{self.n}"

    def chat(self, at: datetime, steps: list[tuple[str, str]]) -> str:
        """Writes one conversation: steps of ('user', intent) / ('action', name) / ('form', name or '')."""
        sender = self.uid()
        for i, (kind, name) in enumerate(steps):
            ts = (at + timedelta(seconds=i)).timestamp()
            if kind == "user":
                data = {"event": "user", "timestamp": ts, "text": f"/{name}", "parse_data": {"intent": {"name": name}}}
                self.tracker_rows.append({"sender_id": sender, "type_name": "user", "timestamp": ts, "intent_name": name,
                                          "action_name": None, "data": json.dumps(data)})
            elif kind == "action":
                data = {"event": "action", "timestamp": ts, "name": name}
                self.tracker_rows.append({"sender_id": sender, "type_name": "action", "timestamp": ts, "intent_name": None,
                                          "action_name": name, "data": json.dumps(data)})
            else:
                data = {"event": "active_loop", "timestamp": ts, "name": name or None}
                self.tracker_rows.append({"sender_id": sender, "type_name": "active_loop", "timestamp": ts,
                                          "intent_name": None, "action_name": None, "data": json.dumps(data)})
        return sender


def _times(period: Period, count: int) -> list[datetime]:
    step = (period.end - period.start) / (count + 1)
    return [period.start + step * (i + 1) for i in range(count)]


def _write_period(db: Session, writer: _Writer, spec: PeriodSpec, period: Period, jobs: dict[str, list[Job]]) -> None:
    hello = [("user", "greet"), ("action", "action_greet"), ("action", "utter_capabilities")]
    slots = iter(_times(period, 400))
    for _ in range(spec.contained):
        writer.chat(next(slots), hello + [("user", "goodbye"), ("action", "utter_goodbye")])
    for _ in range(spec.abandoned_fallback):
        writer.chat(next(slots), hello + [("user", "nlu_fallback"), ("action", "action_core_fallback")])
    for _ in range(spec.abandoned_form):
        writer.chat(next(slots), hello + [("user", "find_jobs"), ("action", "job_preferences_form"),
                                          ("form", "job_preferences_form")])
    for _ in range(spec.abandoned_decline):
        at = next(slots)
        sender = writer.chat(at, hello + [("user", "ask_question"), ("action", "action_search_knowledge")])
        db.add(AnswerLog(id=str(uuid.uuid4()), conversation_id=sender, question="demo", decision="decline", created_at=at))
    minutes = iter(spec.reply_minutes)
    for reason, count in spec.escalated.items():
        for _ in range(count):
            at = next(slots)
            sender = writer.chat(at, hello + [("user", "request_human"), ("action", "action_escalate")])
            ticket = Ticket(conversation_id=sender, reason=reason, priority="normal", status="resolved", created_at=at,
                            due_at=at + timedelta(minutes=spec.target_minutes), closed_at=at + timedelta(hours=4))
            db.add(ticket)
            db.flush()
            db.add(TicketMessage(ticket_id=ticket.id, author_type="recruiter", body="demo reply", created_at=at + timedelta(minutes=next(minutes))))
    for helpful in [True] * spec.helpful + [False] * spec.not_helpful:
        db.add(AnswerLog(id=str(uuid.uuid4()), conversation_id=writer.uid(), question="demo", decision="answer",
                         helpful=helpful, created_at=next(slots)))
    for n, rating in enumerate(list(spec.ratings) + [None] * spec.ratings_skipped):
        db.add(ChatRating(conversation_id=writer.uid(), rating=rating, created_at=next(slots),
                          comment="demo comment" if n < spec.rating_comments else ""))
    for name, dept in spec.departments.items():
        _write_department(db, writer, dept, period, jobs[name], slots)
    nps_candidate = _candidate(db, writer)
    for n, score in enumerate(spec.nps_scores):
        db.add(NpsResponse(candidate_id=nps_candidate.id, survey_key=writer.uid(), score=score, created_at=next(slots),
                           comment="demo comment" if n < spec.nps_comments else ""))
    db.flush()


def _candidate(db: Session, writer: _Writer) -> Candidate:
    key = writer.uid()
    candidate = Candidate(external_id=f"DA-{key.removeprefix(PREFIX)}", first_name="Demo", last_name="Analytics",
                          email=f"{key}@example.invalid")
    db.add(candidate)
    db.flush()
    return candidate


def _write_department(db: Session, writer: _Writer, dept: DepartmentSpec, period: Period, jobs: list[Job], slots) -> None:
    job = jobs[0]
    for i in range(dept.apply_started):
        at = next(slots)
        visitor = writer.uid()
        db.add(BehaviourEvent(visitor_id=visitor, job_id=job.id, kind="apply_started", created_at=at))
        if i < dept.apply_completed:
            db.add(BehaviourEvent(visitor_id=visitor, job_id=job.id, kind="apply_completed", created_at=at + timedelta(minutes=20)))
    owner = _candidate(db, writer)
    for i in range(dept.funnel[0][1]):
        at = next(slots)
        application = Application(external_id=f"DA-{writer.uid()}", candidate_id=owner.id, job_id=job.id, stage="applied",
                                  applied_at=at, stage_changed_at=at)
        db.add(application)
        db.flush()
        for stage, count, days in dept.funnel:
            if i >= count:
                break
            db.add(StageHistory(application_id=application.id, stage=stage, changed_at=at))
            application.stage, application.stage_changed_at = stage, at
            at = at + timedelta(days=days)
        if i < dept.offers_accepted + dept.offers_declined:
            status = "accepted" if i < dept.offers_accepted else "declined"
            made = next(slots)
            db.add(Offer(external_id=f"DA-{writer.uid()}", application_id=application.id, status=status,
                         made_at=made - timedelta(hours=2), decided_at=made))
    for index, days in enumerate(dept.fill_days):
        filled = next(slots)
        db.add(JobFill(job_id=jobs[index + 1].id, opened_at=filled - timedelta(days=days), filled_at=filled))


def _jobs(db: Session, tag: str) -> dict[str, list[Job]]:
    jobs: dict[str, list[Job]] = {}
    for name, country in DEPARTMENTS.items():
        jobs[name] = [Job(external_id=f"DA-{tag}-{name}-{i}", title=f"Demo {name} role {i}", department=name, level="mid",
                          city=None, country=country, status="closed", posted_at=utcnow() - timedelta(days=120))
                      for i in range(6)]
        db.add_all(jobs[name])
    db.flush()
    return jobs


@dataclass(frozen=True)
class Loaded:
    period: Period
    baseline: Period


def load(*, db_session: Session, tracker_store_url: str, now: datetime | None = None) -> Loaded:
    """Writes the demo periods (the last 14 days and the 14 before) and returns them; see expected()."""
    period = last_days(14, now)
    baseline = period.before()
    tag = uuid.uuid4().hex[:6]
    tracker_rows: list[dict] = []
    for spec, when, key in ((CURRENT, period, f"{tag}-c"), (BASELINE, baseline, f"{tag}-b")):
        _write_period(db_session, _Writer(db_session, tracker_rows, key), spec, when, _jobs(db_session, key))
    engine = make_engine(tracker_store_url)
    try:
        events_table.create(engine, checkfirst=True)
        with engine.begin() as connection:
            connection.execute(insert(events_table), tracker_rows)
    finally:
        engine.dispose()
    return Loaded(period, baseline)
