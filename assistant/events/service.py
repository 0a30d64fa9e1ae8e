"""Behaviour events (append-only) of candidates and anonymous visitors, and merging a visitor into a candidate.

A verified candidate's events are personal data: writing and reading them is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant.audit import service as audit_service
from assistant.candidates.models import Application
from assistant.db import utcnow
from assistant.events.schemas import EventIn
from assistant.jobs.models import BehaviourEvent, Job, VisitorLink

log = logging.getLogger(__name__)
EXCLUDING_KINDS = ("not_interested", "apply_completed")  # never recommend these jobs again


class UnknownJobs(ValueError):
    """Some events name jobs that do not exist."""

    def __init__(self, job_ids: list[str]):
        self.job_ids = job_ids
        super().__init__(f"job_id: unknown job(s) {', '.join(sorted(job_ids))}")


def record_events(*, db_session: Session, events: Iterable[EventIn], candidate_id: int | None = None,
                  visitor_id: str | None = None, actor: audit_service.Actor | None = None) -> list[BehaviourEvent]:
    """Returns the stored events (all or none: an unknown job id rejects the batch with UnknownJobs)."""
    if candidate_id is None and visitor_id is None:
        raise ValueError("an event needs a verified candidate or a visitor_id")
    events = list(events)
    wanted = {event.job_id for event in events}
    jobs = dict(db_session.execute(select(Job.external_id, Job.id).where(Job.external_id.in_(wanted))).all())
    missing = sorted(wanted - set(jobs))
    if missing:
        raise UnknownJobs(missing)
    if candidate_id is None:
        candidate_id = linked_candidate(db_session=db_session, visitor_id=visitor_id)
    rows = [BehaviourEvent(candidate_id=candidate_id, visitor_id=visitor_id, job_id=jobs[event.job_id],
                           kind=event.kind, dwell_seconds=event.dwell_seconds) for event in events]
    db_session.add_all(rows)
    db_session.flush()
    if candidate_id is not None:
        audit_service.record(db_session=db_session, actor=actor or audit_service.candidate_actor(candidate_id=candidate_id, channel="career_site"),
                             action="create", entity="behaviour_event", candidate_id=candidate_id,
                             fields=["kind", "job_id"] + (["dwell_seconds"] if any(e.dwell_seconds is not None for e in events) else []))
    log.info("recorded %d behaviour events (%s)", len(rows), "candidate" if candidate_id else "visitor")
    return rows


def record_not_interested(*, db_session: Session, job_external_id: str, candidate_id: int | None,
                          visitor_id: str | None, actor: audit_service.Actor | None = None) -> BehaviourEvent:
    """Returns the stored not_interested event for a job (the job is never recommended to this person again)."""
    event = EventIn(kind="not_interested", job_id=job_external_id)
    return record_events(db_session=db_session, events=[event], candidate_id=candidate_id, visitor_id=visitor_id, actor=actor)[0]


def linked_candidate(*, db_session: Session, visitor_id: str | None) -> int | None:
    """Returns the candidate a visitor id was merged into, or None."""
    if not visitor_id:
        return None
    return db_session.scalar(select(VisitorLink.candidate_id).where(VisitorLink.visitor_id == visitor_id))


def merge_visitor(*, db_session: Session, visitor_id: str, candidate_id: int,
                  actor: audit_service.Actor | None = None) -> VisitorLink | None:
    """Returns the link of a visitor to a candidate who just verified, moving the visitor's events over.

    A visitor id already linked to another candidate (a shared browser) is left alone: returns None.
    """
    link = db_session.get(VisitorLink, visitor_id)
    if link is not None and link.candidate_id != candidate_id:
        log.info("visitor already linked to another candidate; not merged")
        return None
    if link is None:
        link = VisitorLink(visitor_id=visitor_id, candidate_id=candidate_id)
        db_session.add(link)
    moved = db_session.execute(
        update(BehaviourEvent)
        .where(BehaviourEvent.visitor_id == visitor_id, BehaviourEvent.candidate_id.is_(None))
        .values(candidate_id=candidate_id)
    ).rowcount
    db_session.flush()
    audit_service.record(db_session=db_session, actor=actor or audit_service.candidate_actor(candidate_id=candidate_id),
                         action="update", entity="behaviour_event", candidate_id=candidate_id, fields=["candidate_id"])
    log.info("merged visitor into candidate %s (%d events moved)", candidate_id, moved)
    return link


def _subject_filter(db_session: Session, candidate_id: int | None, visitor_id: str | None):
    if candidate_id is not None:
        return BehaviourEvent.candidate_id == candidate_id
    if linked_candidate(db_session=db_session, visitor_id=visitor_id) is not None:
        return BehaviourEvent.id.is_(None)  # a linked visitor id only speaks for the verified candidate
    return BehaviourEvent.visitor_id == visitor_id


def recent_events(*, db_session: Session, candidate_id: int | None = None, visitor_id: str | None = None,
                  kinds: Iterable[str] = ("job_viewed", "apply_started", "alert_clicked"), days: int = 30,
                  limit: int = 50, actor: audit_service.Actor | None = None) -> list[BehaviourEvent]:
    """Returns the newest events of a candidate (or an unlinked visitor) of these kinds, newest first."""
    if candidate_id is None and not visitor_id:
        return []
    since: datetime = utcnow() - timedelta(days=days)
    rows = list(db_session.scalars(
        select(BehaviourEvent)
        .where(_subject_filter(db_session, candidate_id, visitor_id), BehaviourEvent.kind.in_(list(kinds)),
               BehaviourEvent.created_at >= since)
        .order_by(BehaviourEvent.created_at.desc(), BehaviourEvent.id.desc())
        .limit(limit)
    ))
    if candidate_id is not None:
        audit_service.record(db_session=db_session, actor=actor or audit_service.candidate_actor(candidate_id=candidate_id),
                             action="read", entity="behaviour_event", candidate_id=candidate_id, fields=["kind", "job_id", "dwell_seconds"])
    return rows


def excluded_job_ids(*, db_session: Session, candidate_id: int | None = None, visitor_id: str | None = None) -> set[int]:
    """Returns the job ids never to recommend to this person: dismissed, or already applied to."""
    if candidate_id is None and not visitor_id:
        return set()
    excluded = set(db_session.scalars(
        select(BehaviourEvent.job_id).where(_subject_filter(db_session, candidate_id, visitor_id),
                                            BehaviourEvent.kind.in_(EXCLUDING_KINDS), BehaviourEvent.job_id.is_not(None))
    ))
    if candidate_id is not None:
        excluded |= set(db_session.scalars(select(Application.job_id).where(Application.candidate_id == candidate_id)))
    return excluded

