"""Outcome data from the ATS: offers, hires, job fills and voluntary self-identification (stored apart)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from assistant.audit import self_id
from assistant.audit.models import AuditEntry
from assistant.audit.service import ATS_API
from assistant.candidates import ats
from assistant.candidates.models import Application, Candidate, JobFill, Offer, StageHistory
from assistant.db import as_utc, utcnow
from assistant.jobs.models import Job

T0 = utcnow().replace(microsecond=0) - timedelta(days=40)


def _setup(db_session):
    job = Job(external_id="J-OUT-1", title="Nurse", department="Care", level="mid", city="Leeds", country="UK",
              posted_at=T0)
    candidate = Candidate(external_id="C-OUT-1", first_name="Olu", email="olu@example.com")
    db_session.add_all([job, candidate])
    db_session.flush()
    db_session.add(Application(external_id="APP-OUT-1", candidate_id=candidate.id, job_id=job.id, stage="offer",
                               applied_at=T0, stage_changed_at=T0))
    db_session.flush()
    return job, candidate


def run(db_session, kind, rows):
    return ats.import_rows(db_session=db_session, kind=kind, rows=rows, actor=ATS_API)


def test_offers_hires_and_fills_are_imported_idempotently_with_row_errors(db_session):
    job, candidate = _setup(db_session)
    made, decided, hired, filled = (T0 + timedelta(days=d) for d in (10, 12, 13, 30))
    offers = [{"external_id": "OF-1", "application_external_id": "APP-OUT-1", "status": "accepted",
               "made_at": made.isoformat(), "decided_at": decided.isoformat()},
              {"external_id": "OF-2", "application_external_id": "APP-OUT-1", "status": "declined", "made_at": made.isoformat()},
              {"external_id": "OF-3", "application_external_id": "APP-NONE", "status": "made", "made_at": made.isoformat()}]
    result = run(db_session, "offers", offers)
    assert (result.created, [e.errors for e in result.errors]) == (1, [
        ["row: decided_at: needed for an accepted or declined offer"], ["application_external_id: no application 'APP-NONE'"]])
    assert run(db_session, "offers", offers[:1]).unchanged == 1
    offer = db_session.scalar(select(Offer))
    assert (offer.status, as_utc(offer.decided_at)) == ("accepted", decided)

    assert run(db_session, "hires", [{"application_external_id": "APP-OUT-1", "hired_at": hired.isoformat()}]).created == 1
    application = db_session.scalar(select(Application).where(Application.external_id == "APP-OUT-1"))
    assert application.stage == "hired"
    assert db_session.scalar(select(StageHistory.stage).where(StageHistory.application_id == application.id,
                                                              StageHistory.stage == "hired")) == "hired"

    fills = [{"job_external_id": "J-OUT-1", "filled_at": filled.isoformat()},
             {"job_external_id": "J-OUT-1", "filled_at": (T0 - timedelta(days=1)).isoformat()}]
    result = run(db_session, "job-fills", fills)
    assert result.created == 1 and result.errors[0].errors == ["filled_at: before the job was opened"]
    fill = db_session.scalar(select(JobFill))
    assert (as_utc(fill.opened_at), as_utc(fill.filled_at)) == (T0, filled)


def test_self_identification_is_stored_apart_and_validated(db_session):
    _, candidate = _setup(db_session)
    rows = [{"candidate_external_id": "C-OUT-1", "sex": "female", "race_ethnicity": "declined"},
            {"candidate_external_id": "C-OUT-1", "sex": "woman", "race_ethnicity": "asian"},
            {"candidate_external_id": "C-NOBODY", "sex": "male", "race_ethnicity": "white"}]
    result = run(db_session, "self-identification", rows)
    assert result.created == 1
    assert result.errors[0].external_id == "C-OUT-1" and result.errors[0].errors[0].startswith("sex: Input should be 'female'")
    assert result.errors[1].errors == ["candidate_external_id: no candidate 'C-NOBODY'"]
    assert self_id.categories(db_session=db_session) == {candidate.id: ("female", "declined")}
    assert run(db_session, "self-identification", rows[:1]).unchanged == 1
    assert not hasattr(candidate, "sex") and "sex" not in Candidate.__table__.columns
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.entity == "self_identification"))
    assert entry.fields == ["race_ethnicity", "sex"]  # field names, never the values
