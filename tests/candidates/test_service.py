"""Status, interviews, updates and withdrawal through the service; audit entries; no cross-candidate leaks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.audit.models import AuditEntry
from assistant.audit import service as audit_service
from assistant.candidates import parsing
from assistant.candidates import service as candidates_service
from assistant.candidates.models import StageHistory


def test_status_of_all_applications_is_audited(db_session, make_candidate, make_application, actor_for):
    ada = make_candidate()
    first = make_application(ada, title="Senior Data Engineer", stage="interviews")
    second = make_application(ada, title="Registered Nurse", stage="applied")
    report = candidates_service.application_status(db_session=db_session, candidate=ada, text="any news?", actor=actor_for(ada))
    assert len(report.lines) == 2 and not report.reference_not_found
    assert any("**Senior Data Engineer**: Interviews." in line for line in report.lines)
    audited = audit_service.entries_for_candidate(db_session=db_session, candidate_id=ada.id)
    assert {(e.action, e.entity, e.entity_id) for e in audited} == {("read", "application", first.external_id),
                                                                    ("read", "application", second.external_id)}
    assert all(e.fields == ["stage", "stage_changed_at"] and e.channel == "chat:test" and e.actor_type == "candidate" for e in audited)


@pytest.mark.parametrize("text", ["any update on the data engineer position?", "status of my DATA ENGINEERING application"])
def test_status_of_a_named_application_by_title_words(db_session, make_candidate, make_application, actor_for, text):
    ada = make_candidate()
    make_application(ada, title="Senior Data Engineer", stage="interviews")
    make_application(ada, title="Registered Nurse", stage="applied")
    report = candidates_service.application_status(db_session=db_session, candidate=ada, text=text, actor=actor_for(ada))
    assert len(report.lines) == 1 and "Senior Data Engineer" in report.lines[0]


def test_status_by_application_id(db_session, make_candidate, make_application, actor_for):
    ada = make_candidate()
    mine = make_application(ada, title="Data Engineer", external_id="APP-7001")
    make_application(ada, title="Nurse")
    report = candidates_service.application_status(db_session=db_session, candidate=ada, text="what about app-7001?", actor=actor_for(ada))
    assert len(report.lines) == 1 and mine.job.title in report.lines[0]


def test_someone_elses_application_id_answers_like_a_nonexistent_one(db_session, make_candidate, make_application, actor_for):
    ada, bob = make_candidate(), make_candidate(first_name="Bob")
    make_application(ada, title="Data Engineer", external_id="APP-8001")
    make_application(bob, title="Secret Agent", external_id="APP-8002")

    def ask(text):
        report = candidates_service.application_status(db_session=db_session, candidate=ada, text=text, actor=actor_for(ada))
        return report.reference_not_found, report.lines

    others, missing = ask("status of APP-8002"), ask("status of APP-9999")
    assert others == missing and others[0] is True
    assert not any("Secret Agent" in line for line in others[1] + ask(f"what about {bob.email}'s secret agent job")[1])


def test_upcoming_interviews_in_the_candidates_time_zone(db_session, make_candidate, make_application, make_interview, actor_for):
    from datetime import datetime, timezone

    ada = make_candidate(time_zone="America/Toronto")
    application = make_application(ada, title="Data Engineer", stage="interviews")
    interview = make_interview(application, kind="technical", meeting_link="https://meet.example.com/x",
                               interviewer_names=["Grace Liu", "Tom Baker"])
    interview.scheduled_at = datetime(2099, 3, 2, 15, 0, tzinfo=timezone.utc)  # 10:00 in Toronto (EST)
    make_interview(application, in_hours=-24)  # past: not shown
    db_session.flush()
    lines = candidates_service.upcoming_interviews(db_session=db_session, candidate=ada, actor=actor_for(ada))
    assert lines == ["**Data Engineer**: technical interview on Monday 2 March 2099, 10:00–11:00 (America/Toronto time), "
                     "online: https://meet.example.com/x, with Grace Liu and Tom Baker."]
    entries = audit_service.entries_for_candidate(db_session=db_session, candidate_id=ada.id)
    assert [(e.entity, e.entity_id) for e in entries] == [("interview", interview.external_id)]


def test_updates_are_written_and_audited_without_values(db_session, make_candidate, actor_for):
    ada = make_candidate(phone="+442079460000")
    actor = actor_for(ada)
    candidates_service.update_phone(db_session=db_session, candidate=ada, phone="+447700900123", actor=actor)
    candidates_service.update_email(db_session=db_session, candidate=ada, email="New.Ada@Example.com", actor=actor)
    candidates_service.update_preferences(db_session=db_session, candidate=ada, actor=actor,
                                          change=parsing.parse_preferences("only call me after 5pm and stop job alerts"))
    candidates_service.update_profile(db_session=db_session, candidate=ada, actor=actor,
                                      change=parsing.parse_profile("add Python and SQL to my skills"))
    candidates_service.update_profile(db_session=db_session, candidate=ada, actor=actor,
                                      change=parsing.parse_profile("I prefer hybrid work, I have 5 years of experience"))
    db_session.expire_all()
    assert (ada.phone, ada.email, ada.contact_channel, ada.contact_hours, ada.job_alerts) == (
        "+447700900123", "new.ada@example.com", "phone", "after 5pm", False)
    assert (ada.skills, ada.work_preference, ada.years_experience) == (["Python", "SQL"], "hybrid", 5.0)
    entries = audit_service.entries_for_candidate(db_session=db_session, candidate_id=ada.id)
    assert [e.fields for e in entries] == [["phone"], ["email"], ["contact_channel", "contact_hours", "job_alerts"],
                                           ["skills"], ["work_preference", "years_experience"]]
    stored = " ".join(str(e.fields) + str(e.entity_id) for e in db_session.scalars(select(AuditEntry)))
    assert "7700" not in stored and "new.ada" not in stored and "Python" not in stored


def test_an_email_of_another_candidate_is_refused(db_session, make_candidate, actor_for):
    ada, bob = make_candidate(), make_candidate(first_name="Bob")
    with pytest.raises(parsing.InvalidValue):
        candidates_service.update_email(db_session=db_session, candidate=ada, email=bob.email.upper(), actor=actor_for(ada))
    assert ada.email != bob.email


def test_withdraw_only_active_applications_and_record_history(db_session, make_candidate, make_application, actor_for):
    ada = make_candidate()
    active = make_application(ada, stage="phone_screen")
    done = make_application(ada, stage="not_selected")
    candidates_service.withdraw(db_session=db_session, candidate=ada, application=active, actor=actor_for(ada))
    assert active.stage == "withdrawn"
    history = db_session.scalars(select(StageHistory).where(StageHistory.application_id == active.id).order_by(StageHistory.id)).all()
    assert [(h.stage, h.source) for h in history] == [("phone_screen", "ats"), ("withdrawn", "assistant")]
    with pytest.raises(candidates_service.NotWithdrawable):
        candidates_service.withdraw(db_session=db_session, candidate=ada, application=done, actor=actor_for(ada))
    assert done.stage == "not_selected"
    entry = audit_service.entries_for_candidate(db_session=db_session, candidate_id=ada.id)[-1]
    assert (entry.action, entry.entity_id, entry.fields) == ("withdraw", active.external_id, ["stage"])


def test_cannot_withdraw_someone_elses_application(db_session, make_candidate, make_application, actor_for):
    ada, bob = make_candidate(), make_candidate(first_name="Bob")
    bobs = make_application(bob, stage="applied")
    with pytest.raises(candidates_service.NotFound):
        candidates_service.withdraw(db_session=db_session, candidate=ada, application=bobs, actor=actor_for(ada))
    assert bobs.stage == "applied"


def test_lookup_pairs(db_session, make_candidate):
    ada = make_candidate(external_id="C-LOOK")
    assert candidates_service.get_by_external_id(db_session=db_session, external_id="C-LOOK").id == ada.id
    assert candidates_service.get_by_external_id(db_session=db_session, external_id="C-NONE") is None
    with pytest.raises(candidates_service.NotFound, match="external_id"):
        candidates_service.get_by_external_id_or_raise(db_session=db_session, external_id="C-NONE")
    assert candidates_service.get_by_email(db_session=db_session, email=ada.email.upper()).id == ada.id
