"""ATS import: idempotent upserts keyed by external_id, per-row errors that never lose the other rows."""

from __future__ import annotations

from sqlalchemy import select

from assistant.audit.service import ATS_API
from assistant.candidates import ats
from assistant.candidates import service as candidates_service
from assistant.candidates.models import Interview, StageHistory

CANDIDATES = [
    {"external_id": "C-A1", "first_name": "Ana", "email": "Ana@Example.com", "phone": "+351 912 345 678", "time_zone": "Europe/Lisbon"},
    {"external_id": "C-A2", "first_name": "Ben", "email": "not-an-email"},
    {"external_id": "C-A3", "first_name": "Cy", "email": "cy@example.com", "time_zone": "Mars/Olympus"},
    {"external_id": "C-A4", "first_name": "Dee", "email": "dee@example.com", "phone": "07700 900123"},
    "not an object",
]


def run(db_session, kind, rows):
    return ats.import_rows(db_session=db_session, kind=kind, rows=rows, actor=ATS_API)


def test_bad_rows_are_reported_and_good_rows_kept(db_session):
    result = run(db_session, "candidates", CANDIDATES)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    errors = {e.row: (e.external_id, e.errors) for e in result.errors}
    assert errors[1] == ("C-A2", ["email: not a valid e-mail address"])
    assert errors[2][1] == ["time_zone: not an IANA time zone, e.g. Europe/Lisbon"]
    assert errors[3][1] == ["phone: needs the country code, e.g. +44 7700 900123"]
    assert errors[4][0] is None and errors[4][1]
    ana = candidates_service.get_by_external_id(db_session=db_session, external_id="C-A1")
    assert (ana.email, ana.phone) == ("ana@example.com", "+351912345678")


def test_import_is_idempotent_and_updates_changed_rows(db_session):
    assert run(db_session, "candidates", CANDIDATES[:1]).created == 1
    again = run(db_session, "candidates", CANDIDATES[:1])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = run(db_session, "candidates", [{**CANDIDATES[0], "skills": ["Go"]}])
    assert changed.updated == 1
    assert candidates_service.get_by_external_id(db_session=db_session, external_id="C-A1").skills == ["Go"]


def test_an_email_used_by_another_candidate_is_a_row_error(db_session):
    run(db_session, "candidates", CANDIDATES[:1])
    result = run(db_session, "candidates", [{"external_id": "C-A9", "first_name": "Eve", "email": "ana@example.com"}])
    assert result.errors[0].errors == ["email: already used by another candidate"]


def test_applications_stage_changes_and_interviews(db_session, make_job):
    make_job("Backend Engineer", external_id="FH-T1")
    run(db_session, "candidates", CANDIDATES[:1])
    apps = [
        {"external_id": "APP-T1", "candidate_external_id": "C-A1", "job_external_id": "FH-T1", "applied_at": "2026-11-01T09:00:00Z"},
        {"external_id": "APP-T2", "candidate_external_id": "C-NOPE", "job_external_id": "FH-T1", "applied_at": "2026-11-01T09:00:00Z"},
        {"external_id": "APP-T3", "candidate_external_id": "C-A1", "job_external_id": "FH-NOPE", "applied_at": "2026-11-01T09:00:00Z"},
        {"external_id": "APP-T4", "candidate_external_id": "C-A1", "job_external_id": "FH-T1", "applied_at": "2026-11-01T09:00:00"},
    ]
    result = run(db_session, "applications", apps)
    assert result.created == 1
    assert [e.errors for e in result.errors] == [["candidate_external_id: no candidate 'C-NOPE'"], ["job_external_id: no job 'FH-NOPE'"],
                                                 ["applied_at: needs a time zone offset, e.g. 2026-11-20T09:00:00Z"]]
    assert run(db_session, "applications", apps[:1]).unchanged == 1

    changes = [
        {"application_external_id": "APP-T1", "stage": "under_review", "changed_at": "2026-11-03T10:00:00Z"},
        {"application_external_id": "APP-T1", "stage": "phone_screen", "changed_at": "2026-11-08T10:00:00Z"},
        {"application_external_id": "APP-T1", "stage": "ghosted", "changed_at": "2026-11-09T10:00:00Z"},
        {"application_external_id": "APP-NOPE", "stage": "offer", "changed_at": "2026-11-09T10:00:00Z"},
    ]
    result = run(db_session, "stage-changes", changes)
    assert result.created == 2 and len(result.errors) == 2
    assert "application_external_id: no application 'APP-NOPE'" in result.errors[1].errors
    assert run(db_session, "stage-changes", changes[:2]).unchanged == 2  # replay changes nothing
    late = run(db_session, "stage-changes", [{"application_external_id": "APP-T1", "stage": "assessment", "changed_at": "2026-11-05T10:00:00Z"}])
    assert late.created == 1
    application = candidates_service.get_application_by_external_id(db_session=db_session, external_id="APP-T1")
    assert application.stage == "phone_screen"  # an older change arriving late goes to the history only
    history = db_session.scalars(select(StageHistory.stage).where(StageHistory.application_id == application.id)
                                 .order_by(StageHistory.changed_at)).all()
    assert history == ["applied", "under_review", "assessment", "phone_screen"]

    interview = {"external_id": "INT-T1", "application_external_id": "APP-T1", "scheduled_at": "2099-01-05T14:00:00Z",
                 "kind": "video", "meeting_link": "https://meet.example.com/t1", "interviewer_names": ["Grace"]}
    assert run(db_session, "interviews", [interview]).created == 1
    assert run(db_session, "interviews", [interview]).unchanged == 1
    assert run(db_session, "interviews", [{**interview, "duration_minutes": 90}]).updated == 1
    bad = run(db_session, "interviews", [{**interview, "external_id": "INT-T2", "meeting_link": "javascript:alert(1)"}])
    assert bad.errors and bad.errors[0].errors[0].startswith("meeting_link:")
    assert db_session.scalar(select(Interview).where(Interview.external_id == "INT-T1")).duration_minutes == 90


def test_ats_writes_are_audited(db_session):
    from assistant.audit import service as audit_service

    run(db_session, "candidates", CANDIDATES[:1])
    run(db_session, "candidates", [{**CANDIDATES[0], "skills": ["Go"]}])
    ana = candidates_service.get_by_external_id(db_session=db_session, external_id="C-A1")
    entries = audit_service.entries_for_candidate(db_session=db_session, candidate_id=ana.id)
    assert [(e.actor_type, e.channel, e.action) for e in entries] == [("ats", "ats_api", "create"), ("ats", "ats_api", "update")]
    assert entries[1].fields == ["skills"]
