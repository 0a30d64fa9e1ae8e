"""Which journeys apply to whom, and when: occurrences computed from a snapshot of the record.

The snapshot is read in a few set-based queries (all candidates for planning, one for sending), then each
trigger turns it into occurrences: (journey, candidate, occurrence key, due, expiry). The same functions
plan the schedule, re-check a run when it is due (an occurrence that vanished, e.g. a moved interview, is
cancelled) and drive the simulation, so there is one place for each rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.candidates import stages
from assistant.candidates.models import Application, Candidate, Interview, StageHistory
from assistant.db import as_utc
from assistant.inbox.models import Ticket
from assistant.jobs.models import BehaviourEvent, Job
from assistant.journeys.definitions import Journey
from assistant.journeys.models import JourneyOptOut
from assistant.scheduling.models import INTERVIEW_PREFIX

HISTORY_DAYS = 30  # stage changes and behaviour events older than this never start a journey
TASK_REASON = "journey_task"  # tickets that are recruiter tasks from journeys (not a person in the conversation)


@dataclass(slots=True)
class CandidateFacts:
    id: int
    external_id: str
    first_name: str
    email: str
    time_zone: str
    language: str
    contact_channel: str
    contact_hours: str | None
    job_alerts: bool
    consents: dict


@dataclass(slots=True)
class AppFacts:
    id: int
    external_id: str
    candidate_id: int
    job_id: int
    job_title: str
    department: str
    stage: str
    applied_at: datetime
    stage_changed_at: datetime


@dataclass(slots=True)
class InterviewFacts:
    external_id: str
    application_id: int
    scheduled_at: datetime
    kind: str
    duration_minutes: int
    location: str | None
    meeting_link: str | None
    interviewers: list[str]
    notes: str | None
    created_at: datetime | None = None  # when the ATS created it or the candidate booked it (None: before we kept it)


@dataclass(slots=True)
class EventFacts:
    kind: str
    job_id: int | None
    job_external_id: str | None
    job_title: str | None
    department: str | None
    created_at: datetime


@dataclass
class Snapshot:
    candidates: dict[int, CandidateFacts] = field(default_factory=dict)
    apps: dict[int, AppFacts] = field(default_factory=dict)
    apps_by_candidate: dict[int, list[AppFacts]] = field(default_factory=lambda: defaultdict(list))
    history: dict[int, list[tuple[str, datetime]]] = field(default_factory=lambda: defaultdict(list))  # app -> (stage, at)
    interviews: dict[int, list[InterviewFacts]] = field(default_factory=lambda: defaultdict(list))  # app -> interviews
    events: dict[int, list[EventFacts]] = field(default_factory=lambda: defaultdict(list))  # candidate -> oldest first
    open_tickets: set[int] = field(default_factory=set)  # candidates a person is talking to
    opt_outs: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # candidate -> journey ids or "*"
    replied_at: dict[int, datetime] = field(default_factory=dict)  # last chat message (filled when sending)


@dataclass(frozen=True, slots=True)
class Occurrence:
    journey_id: str
    candidate_id: int
    key: str
    starts_at: datetime  # what happened (stop conditions look after this)
    due_at: datetime
    expires_at: datetime  # not sent by then: it no longer makes sense
    application_id: int | None = None
    interview: InterviewFacts | None = None
    department: str | None = None
    job_title: str | None = None
    stage: str | None = None  # the stage a stage_changed occurrence is about


def _chunks(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _where(column, candidate_ids: list[int] | None):
    return [] if candidate_ids is None else [column.in_(candidate_ids)]


def load_snapshot(*, db_session: Session, now: datetime, candidate_ids: list[int] | None = None) -> Snapshot:
    """Returns the facts journeys look at, for every candidate or only the given ones (a few set-based reads)."""
    snapshot = Snapshot()
    groups = [None] if candidate_ids is None else list(_chunks(candidate_ids))
    since = now - timedelta(days=HISTORY_DAYS)
    for ids in groups:
        for row in db_session.execute(select(
                Candidate.id, Candidate.external_id, Candidate.first_name, Candidate.email, Candidate.time_zone,
                Candidate.language, Candidate.contact_channel, Candidate.contact_hours, Candidate.job_alerts,
                Candidate.consents).where(*_where(Candidate.id, ids))):
            snapshot.candidates[row[0]] = CandidateFacts(*row[:9], consents=row[9] or {})
        for row in db_session.execute(select(
                Application.id, Application.external_id, Application.candidate_id, Application.job_id, Job.title,
                Job.department, Application.stage, Application.applied_at, Application.stage_changed_at)
                .join(Job, Job.id == Application.job_id).where(*_where(Application.candidate_id, ids))):
            app = AppFacts(*row[:7], as_utc(row[7]), as_utc(row[8]))
            snapshot.apps[app.id] = app
            snapshot.apps_by_candidate[app.candidate_id].append(app)
        for app_id, stage, at in db_session.execute(
                select(StageHistory.application_id, StageHistory.stage, StageHistory.changed_at)
                .join(Application, Application.id == StageHistory.application_id)
                .where(StageHistory.changed_at >= since, *_where(Application.candidate_id, ids))):
            snapshot.history[app_id].append((stage, as_utc(at)))
        for row in db_session.execute(select(
                Interview.external_id, Interview.application_id, Interview.scheduled_at, Interview.kind,
                Interview.duration_minutes, Interview.location, Interview.meeting_link, Interview.interviewer_names,
                Interview.notes_for_candidate, Interview.created_at).join(Application, Application.id == Interview.application_id)
                .where(Interview.scheduled_at >= since, *_where(Application.candidate_id, ids))):
            snapshot.interviews[row[1]].append(InterviewFacts(row[0], row[1], as_utc(row[2]), *row[3:7], row[7] or [], row[8],
                                                              as_utc(row[9]) if row[9] else None))
        for row in db_session.execute(select(
                BehaviourEvent.candidate_id, BehaviourEvent.kind, BehaviourEvent.job_id, Job.external_id, Job.title,
                Job.department, BehaviourEvent.created_at).outerjoin(Job, Job.id == BehaviourEvent.job_id)
                .where(BehaviourEvent.candidate_id.is_not(None), BehaviourEvent.created_at >= since,
                       BehaviourEvent.kind.in_(("job_viewed", "apply_started", "apply_completed")),
                       *_where(BehaviourEvent.candidate_id, ids))
                .order_by(BehaviourEvent.created_at, BehaviourEvent.id)):
            snapshot.events[row[0]].append(EventFacts(row[1], row[2], row[3], row[4], row[5], as_utc(row[6])))
        snapshot.open_tickets |= set(db_session.scalars(select(Ticket.candidate_id).where(
            Ticket.open_conversation_id.is_not(None), Ticket.candidate_id.is_not(None), Ticket.reason != TASK_REASON,
            *_where(Ticket.candidate_id, ids))))
        for candidate_id, journey_id in db_session.execute(select(JourneyOptOut.candidate_id, JourneyOptOut.journey_id)
                                                           .where(*_where(JourneyOptOut.candidate_id, ids))):
            snapshot.opt_outs[candidate_id].add(journey_id)
    return snapshot


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _stage_changed(journey: Journey, snapshot: Snapshot, candidate_ids: Iterable[int]) -> Iterator[Occurrence]:
    trigger = journey.trigger
    wanted = {stage.value for stage in trigger.stages}
    for cid in candidate_ids:
        for app in snapshot.apps_by_candidate.get(cid, ()):
            changes = sorted(((at, stage) for stage, at in snapshot.history.get(app.id, ()) if stage in wanted))
            if trigger.once_per_application:  # one key per application: the unique run makes it once, ever
                changes = changes[:1]
            for at, stage in changes:
                due = at + trigger.wait
                key = f"once:{app.external_id}" if trigger.once_per_application else f"stage:{app.external_id}:{stage}:{_iso(at)}"
                yield Occurrence(journey.id, cid, key, at, due, due + journey.expires_after, app.id,
                                 department=app.department, job_title=app.job_title, stage=stage)


def _before_interview(journey: Journey, snapshot: Snapshot, candidate_ids: Iterable[int]) -> Iterator[Occurrence]:
    trigger = journey.trigger
    for cid in candidate_ids:
        for app in snapshot.apps_by_candidate.get(cid, ()):
            for interview in snapshot.interviews.get(app.id, ()):
                if interview.kind in trigger.interview_kinds:
                    due = interview.scheduled_at - trigger.before
                    yield Occurrence(journey.id, cid, f"interview:{interview.external_id}:{_iso(interview.scheduled_at)}",
                                     due, due, min(due + journey.expires_after, interview.scheduled_at), app.id,
                                     interview, app.department, app.job_title)


def booked_by(interview: InterviewFacts) -> str:
    """Returns "candidate" for an interview the candidate booked in the chat, else "ats"."""
    return "candidate" if interview.external_id.startswith(INTERVIEW_PREFIX) else "ats"


def _interview_booked(journey: Journey, snapshot: Snapshot, candidate_ids: Iterable[int], now: datetime) -> Iterator[Occurrence]:
    trigger = journey.trigger
    since = now - timedelta(days=HISTORY_DAYS)
    for cid in candidate_ids:
        for app in snapshot.apps_by_candidate.get(cid, ()):
            for interview in snapshot.interviews.get(app.id, ()):
                booked = interview.created_at
                if (booked is None or not since <= booked <= now or interview.kind not in trigger.interview_kinds
                        or booked_by(interview) not in trigger.booked_by):
                    continue
                lead = interview.scheduled_at - booked
                if (trigger.min_lead is not None and lead < trigger.min_lead) or (
                        trigger.max_lead is not None and lead > trigger.max_lead):
                    continue
                due = booked + trigger.wait
                yield Occurrence(journey.id, cid, f"booked:{interview.external_id}", booked, due,
                                 min(due + journey.expires_after, interview.scheduled_at), app.id,
                                 interview, app.department, app.job_title)


def _in_stage(journey: Journey, snapshot: Snapshot, candidate_ids: Iterable[int]) -> Iterator[Occurrence]:
    trigger = journey.trigger
    for cid in candidate_ids:
        for app in snapshot.apps_by_candidate.get(cid, ()):
            if app.stage == trigger.stage.value:
                due = app.stage_changed_at + trigger.after
                yield Occurrence(journey.id, cid, f"in-stage:{app.external_id}:{app.stage}:{_iso(app.stage_changed_at)}",
                                 app.stage_changed_at, due, due + journey.expires_after, app.id,
                                 department=app.department, job_title=app.job_title)


def _longer_than_typical(journey: Journey, snapshot: Snapshot, candidate_ids: Iterable[int]) -> Iterator[Occurrence]:
    trigger = journey.trigger
    wanted = {stage.value for stage in trigger.stages}
    typical = {stage: stages.typical_days(stage) for stage in stages.ACTIVE_STAGES}
    for cid in candidate_ids:
        for app in snapshot.apps_by_candidate.get(cid, ()):
            days = typical.get(app.stage)
            if days is None or (wanted and app.stage not in wanted):
                continue
            due = app.stage_changed_at + timedelta(days=days) + trigger.wait
            yield Occurrence(journey.id, cid, f"slow:{app.external_id}:{app.stage}:{_iso(app.stage_changed_at)}",
                             app.stage_changed_at, due, due + journey.expires_after, app.id,
                             department=app.department, job_title=app.job_title)


def _jobs_viewed(journey: Journey, snapshot: Snapshot, candidate_ids: Iterable[int], now: datetime) -> Iterator[Occurrence]:
    trigger = journey.trigger
    since = now - trigger.within
    for cid in candidate_ids:
        events = snapshot.events.get(cid)
        if not events:
            continue
        applied_departments = {app.department for app in snapshot.apps_by_candidate.get(cid, ())}
        views: dict[str, list[datetime]] = defaultdict(list)
        started: set[str] = set()
        for event in events:
            if event.department is None or event.created_at > now:
                continue
            if event.kind == "job_viewed" and event.created_at >= since:
                views[event.department].append(event.created_at)
            elif event.kind in ("apply_started", "apply_completed"):
                started.add(event.department)
        for department, times in views.items():
            if len(times) >= trigger.views and department not in applied_departments | started:
                at = times[trigger.views - 1]
                due = at + trigger.wait
                yield Occurrence(journey.id, cid, f"viewed:{department}", at, due, due + journey.expires_after,
                                 department=department)


def _apply_started(journey: Journey, snapshot: Snapshot, candidate_ids: Iterable[int], now: datetime) -> Iterator[Occurrence]:
    trigger = journey.trigger
    for cid in candidate_ids:
        events = snapshot.events.get(cid)
        if not events:
            continue
        applied_jobs = {app.job_id for app in snapshot.apps_by_candidate.get(cid, ())}
        completed = {event.job_id for event in events if event.kind == "apply_completed" and event.created_at <= now}
        seen: set[int] = set()
        for event in events:
            if (event.kind != "apply_started" or event.job_id is None or event.job_id in seen or event.created_at > now
                    or event.job_id in completed or event.job_id in applied_jobs):
                continue
            seen.add(event.job_id)
            due = event.created_at + trigger.after
            yield Occurrence(journey.id, cid, f"apply:{event.job_external_id}", event.created_at, due,
                             due + journey.expires_after, department=event.department, job_title=event.job_title)


def occurrences(journey: Journey, snapshot: Snapshot, now: datetime,
                candidate_ids: Iterable[int] | None = None) -> Iterator[Occurrence]:
    """Yields the journey's occurrences whose conditions hold (due or not, expired or not)."""
    ids = list(snapshot.candidates) if candidate_ids is None else list(candidate_ids)
    kind = journey.trigger.kind
    if kind == "stage_changed":
        found = _stage_changed(journey, snapshot, ids)
    elif kind == "before_interview":
        found = _before_interview(journey, snapshot, ids)
    elif kind == "interview_booked":
        found = _interview_booked(journey, snapshot, ids, now)
    elif kind == "in_stage":
        found = _in_stage(journey, snapshot, ids)
    elif kind == "longer_than_typical":
        found = _longer_than_typical(journey, snapshot, ids)
    elif kind == "jobs_viewed_without_applying":
        found = _jobs_viewed(journey, snapshot, ids, now)
    else:
        found = _apply_started(journey, snapshot, ids, now)
    departments = set(journey.conditions.departments)
    languages = set(journey.conditions.languages)
    for occurrence in found:
        if departments and occurrence.department not in departments:
            continue
        if languages and snapshot.candidates[occurrence.candidate_id].language not in languages:
            continue
        yield occurrence


def stop_reason(journey: Journey, occurrence: Occurrence, snapshot: Snapshot) -> str | None:
    """Returns why the journey stopped for this occurrence (its stop conditions), or None."""
    cid, since = occurrence.candidate_id, occurrence.starts_at
    app = snapshot.apps.get(occurrence.application_id) if occurrence.application_id else None
    for stop in journey.stop_when:
        if stop == "applied" and (
                any(a.applied_at > since for a in snapshot.apps_by_candidate.get(cid, ()))
                or any(e.kind == "apply_completed" and e.created_at > since for e in snapshot.events.get(cid, ()))):
            return "applied"
        if stop == "withdrew" and (app.stage == stages.Stage.WITHDRAWN if app else any(
                a.stage == stages.Stage.WITHDRAWN and a.stage_changed_at > since for a in snapshot.apps_by_candidate.get(cid, ()))):
            return "withdrew"
        if stop == "stage_moved" and app is not None and app.stage_changed_at > since:
            return "stage moved"
        if stop == "ticket_open" and cid in snapshot.open_tickets:
            return "a recruiter has the conversation"
        if stop == "replied" and snapshot.replied_at.get(cid) and snapshot.replied_at[cid] > since:
            return "replied"
    return None
