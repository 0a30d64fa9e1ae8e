"""The candidate record as the assistant sees it: lookups, application status, interviews, updates, withdrawal.

Every function that reads or writes personal data takes an ``actor`` and writes an audit entry (field
names, never values). Answers depend only on the verified candidate's own record, so asking about
another candidate's application gives exactly the same answer as asking about one that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import service as audit_service
from assistant.audit.service import Actor
from assistant.candidates import stages
from assistant.candidates.models import Application, Candidate, Interview, StageHistory
from assistant.candidates.parsing import REFERENCE_RE, InvalidValue, PreferenceChange, ProfileChange, bounded
from assistant.db import as_utc, utcnow


class NotFound(LookupError):
    """A record that must exist does not; str(error) names the field."""


class NotWithdrawable(ValueError):
    """The application is already in a final stage."""


# ---- lookups -------------------------------------------------------------------------------------

def get_by_external_id(*, db_session: Session, external_id: str) -> Candidate | None:
    """Returns the candidate with this external id, or None."""
    return db_session.scalar(select(Candidate).where(Candidate.external_id == external_id))


def get_by_external_id_or_raise(*, db_session: Session, external_id: str) -> Candidate:
    """Returns the candidate with this external id, or raises NotFound naming the field."""
    candidate = get_by_external_id(db_session=db_session, external_id=external_id)
    if candidate is None:
        raise NotFound(f"external_id: no candidate {external_id!r}")
    return candidate


def get_by_email(*, db_session: Session, email: str) -> Candidate | None:
    """Returns the candidate with this e-mail address (any case), or None."""
    return db_session.scalar(select(Candidate).where(Candidate.email == email.strip().lower()))


def get_application_by_external_id(*, db_session: Session, external_id: str) -> Application | None:
    """Returns the application with this external id, or None."""
    return db_session.scalar(select(Application).where(Application.external_id == external_id))


def applications(*, db_session: Session, candidate: Candidate) -> list[Application]:
    """Returns the candidate's applications, newest first."""
    return list(db_session.scalars(
        select(Application).where(Application.candidate_id == candidate.id).order_by(Application.applied_at.desc(), Application.id.desc())
    ))


def active_applications(*, db_session: Session, candidate: Candidate) -> list[Application]:
    """Returns the candidate's applications that are still in progress."""
    return [a for a in applications(db_session=db_session, candidate=candidate) if stages.is_active(a.stage)]


# ---- which application does a message mean? -----------------------------------------------------

GENERIC_WORDS = {
    "the", "and", "for", "with", "role", "job", "position", "application", "applications", "my", "of", "in", "at",
    "senior", "junior", "lead", "associate", "specialist", "i", "a", "an", "to", "is", "on", "what", "status",
}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 3 and w not in GENERIC_WORDS}


def _similar(a: str, b: str) -> bool:
    return a == b or a.rstrip("s") == b.rstrip("s") or (min(len(a), len(b)) >= 5 and a[:5] == b[:5])


@dataclass(frozen=True)
class Match:
    applications: list[Application]
    reference_not_found: bool = False  # the message named an id that is not one of the candidate's


def match_applications(candidates_applications: list[Application], text: str) -> Match:
    """Returns the applications a message refers to: by external id, else by job-title words, else all."""
    text = bounded(text)
    references = {r.upper() for r in REFERENCE_RE.findall(text)}
    if references:
        found = [a for a in candidates_applications if a.external_id.upper() in references]
        return Match(found, reference_not_found=not found)
    words = _words(text)
    scored = []
    for application in candidates_applications:
        title_words = _words(application.job.title)
        score = sum(1 for t in title_words if any(_similar(t, w) for w in words))
        scored.append((score, application))
    best = max((score for score, _ in scored), default=0)
    if best == 0:
        return Match(list(candidates_applications))
    return Match([a for score, a in scored if score == best])


# ---- status and interviews -----------------------------------------------------------------------

@dataclass(frozen=True)
class StatusReport:
    lines: list[str]
    reference_not_found: bool = False


def application_status(
    *, db_session: Session, candidate: Candidate, text: str = "", actor: Actor, now: datetime | None = None
) -> StatusReport:
    """Returns a stage summary for the application the text names, or for all of the candidate's applications."""
    now = now or utcnow()
    match = match_applications(applications(db_session=db_session, candidate=candidate), text)
    lines = []
    for application in match.applications:
        audit_service.record(db_session=db_session, actor=actor, action="read", entity="application",
                             entity_id=application.external_id, candidate_id=candidate.id, fields=["stage", "stage_changed_at"])
        lines.append(stages.summary(job_title=application.job.title, stage=application.stage,
                                    stage_changed_at=as_utc(application.stage_changed_at), now=now))
    return StatusReport(lines, reference_not_found=match.reference_not_found)


def zone(candidate: Candidate) -> ZoneInfo:
    """Returns the candidate's time zone (UTC when unknown)."""
    try:
        return ZoneInfo(candidate.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def describe_interview(interview: Interview, tz: ZoneInfo) -> str:
    """Returns one candidate-facing sentence about an interview, in the given time zone."""
    start = as_utc(interview.scheduled_at).astimezone(tz)
    end_minutes = start.hour * 60 + start.minute + interview.duration_minutes
    end = f"{(end_minutes // 60) % 24:02d}:{end_minutes % 60:02d}"
    when = f"{start:%A %-d %B %Y}, {start:%H:%M}–{end} ({tz.key} time)"
    kind = interview.kind.replace("_", " ")
    text = f"**{interview.application.job.title}**: {kind} interview on {when}"
    if interview.meeting_link:
        text += f", online: {interview.meeting_link}"
    if interview.location:
        text += f", at {interview.location}"
    if interview.interviewer_names:
        names = interview.interviewer_names
        text += ", with " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])
    text += "."
    if interview.notes_for_candidate:
        text += f" {interview.notes_for_candidate}"
    return text


def upcoming_interviews(
    *, db_session: Session, candidate: Candidate, actor: Actor, now: datetime | None = None
) -> list[str]:
    """Returns descriptions of the candidate's future interviews, soonest first, in their time zone."""
    now = now or utcnow()
    rows = db_session.scalars(
        select(Interview).join(Application).where(Application.candidate_id == candidate.id).order_by(Interview.scheduled_at)
    )
    tz = zone(candidate)
    found = []
    for interview in rows:
        if as_utc(interview.scheduled_at) <= now or not stages.is_active(interview.application.stage):
            continue
        audit_service.record(db_session=db_session, actor=actor, action="read", entity="interview",
                             entity_id=interview.external_id, candidate_id=candidate.id,
                             fields=["scheduled_at", "kind", "location", "meeting_link", "interviewer_names"])
        found.append(describe_interview(interview, tz))
    return found


# ---- updates -------------------------------------------------------------------------------------

def _write(db_session: Session, candidate: Candidate, actor: Actor, fields: list[str]) -> Candidate:
    db_session.flush()
    audit_service.record(db_session=db_session, actor=actor, action="update", entity="candidate",
                         entity_id=candidate.external_id, candidate_id=candidate.id, fields=fields)
    return candidate


def phone_region(candidate: Candidate) -> str | None:
    """Returns the region of the candidate's current phone number (to read national numbers), or None."""
    if not candidate.phone:
        return None
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(candidate.phone, None))
    except phonenumbers.NumberParseException:
        return None


def update_email(*, db_session: Session, candidate: Candidate, email: str, actor: Actor) -> Candidate:
    """Returns the candidate with a new (already validated) e-mail address; raises InvalidValue if it cannot be used."""
    email = email.strip().lower()
    other = get_by_email(db_session=db_session, email=email)
    if other is not None and other.id != candidate.id:
        # Reached only after the new address was confirmed with a code sent to it, so this tells its owner nothing new.
        raise InvalidValue(f"That address is already linked to another candidate record. Please write to {_recruiting_email()} "
                           "so a recruiter can merge them.")
    candidate.email = email
    return _write(db_session, candidate, actor, ["email"])


def _recruiting_email() -> str:
    from assistant.settings import get_settings

    return get_settings().recruiting_email


def update_phone(*, db_session: Session, candidate: Candidate, phone: str, actor: Actor) -> Candidate:
    """Returns the candidate with a new phone number (E.164)."""
    candidate.phone = phone
    return _write(db_session, candidate, actor, ["phone"])


def update_preferences(*, db_session: Session, candidate: Candidate, change: PreferenceChange, actor: Actor) -> Candidate:
    """Returns the candidate with the contact channel, contact hours and job alerts in change applied."""
    for name in change.fields():
        setattr(candidate, name, getattr(change, name))
    return _write(db_session, candidate, actor, change.fields())


def _merge(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    removed = {r.lower() for r in remove}
    merged = [item for item in current if item.lower() not in removed]
    seen = {item.lower() for item in merged}
    for item in add:
        if item.lower() not in seen and item.lower() not in removed:
            merged.append(item)
            seen.add(item.lower())
    return merged


def update_profile(*, db_session: Session, candidate: Candidate, change: ProfileChange, actor: Actor) -> Candidate:
    """Returns the candidate with the profile changes applied (used by job recommendations)."""
    candidate.skills = _merge(list(candidate.skills or []), change.add_skills, change.remove_skills)
    candidate.desired_roles = _merge(list(candidate.desired_roles or []), change.desired_roles, [])
    candidate.preferred_locations = _merge(list(candidate.preferred_locations or []), change.add_locations, change.remove_locations)
    if change.work_preference:
        candidate.work_preference = change.work_preference
    if change.years_experience is not None:
        candidate.years_experience = change.years_experience
    return _write(db_session, candidate, actor, change.fields())


def profile_summary(candidate: Candidate) -> str:
    """Returns a short description of the profile fields recommendations use."""
    parts = [
        f"skills: {', '.join(candidate.skills) or '—'}",
        f"roles: {', '.join(candidate.desired_roles) or '—'}",
        f"locations: {', '.join(candidate.preferred_locations) or '—'}",
        f"work: {candidate.work_preference}",
    ]
    if candidate.years_experience is not None:
        parts.append(f"experience: {candidate.years_experience:g} years")
    return "; ".join(parts)


def withdraw(
    *, db_session: Session, candidate: Candidate, application: Application, actor: Actor, now: datetime | None = None
) -> Application:
    """Returns the application moved to withdrawn (with stage history); raises NotWithdrawable for final stages."""
    if application.candidate_id != candidate.id:
        raise NotFound("application: not found")
    if not stages.is_active(application.stage):
        raise NotWithdrawable(f"this application is already {stages.info(application.stage).label.lower()}")
    now = now or utcnow()
    application.stage = stages.Stage.WITHDRAWN.value
    application.stage_changed_at = now
    db_session.add(StageHistory(application_id=application.id, stage=application.stage, changed_at=now,
                                source="assistant" if actor.type == "candidate" else actor.type))
    db_session.flush()
    audit_service.record(db_session=db_session, actor=actor, action="withdraw", entity="application",
                         entity_id=application.external_id, candidate_id=candidate.id, fields=["stage"])
    return application
