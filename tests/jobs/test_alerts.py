"""Job alerts: new fitting jobs e-mailed at most once a week, never a closed, applied or already-sent job,
logged for bias audits, with a signed unsubscribe link that works only for that purpose."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.deps import get_db
from api.main import app
from assistant import mail
from assistant.candidates.models import Application
from assistant.db import utcnow
from assistant.identity import service as identity_service
from assistant.jobs import alerts
from assistant.jobs import service as jobs_service
from assistant.jobs.models import Job, JobAlertSent, RecommendationLog

NOW = utcnow()


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    from assistant.settings import get_settings

    monkeypatch.setattr(type(get_settings()), "outbox_dir", property(lambda self: tmp_path / "outbox"))


@pytest.fixture
def lena(make_candidate):
    return make_candidate(skills=["Python", "SQL", "Airflow"], desired_roles=["Data Engineer"], job_alerts=True,
                          preferred_locations=["Berlin"], years_experience=4)


def post(db_session, days_ago: float) -> None:
    """Dates every open job days_ago (the demo catalogue's own dates are not what these tests are about)."""
    for job in db_session.scalars(select(Job)):
        job.posted_at = NOW - timedelta(days=days_ago)
    db_session.flush()


def test_first_alert_mails_fitting_new_jobs_with_reasons_and_logs_them(db_session, catalogue, lena, outbox):
    post(db_session, 3)
    outcome = alerts.alert_candidate(db_session=db_session, candidate=lena, now=NOW, loaded=catalogue.index())
    assert 1 <= len(outcome.jobs) <= alerts.ALERT_JOBS
    titles = [catalogue.job(external_id).title for external_id in outcome.jobs]
    assert "Data Engineer" in titles[0] and {catalogue.job(e).department for e in outcome.jobs} == {"data"}, titles
    message = mail.outbox(limit=1, to=lena.email)[0]
    body = message.get_content()
    assert message["Subject"].startswith(f"New at Fernhill Group: {titles[0]}")
    assert body.count("  Why: ") == len(outcome.jobs) and "from=alert" in body
    assert "not an assessment of you" in body
    sent = db_session.scalars(select(JobAlertSent.job_id).where(JobAlertSent.candidate_id == lena.id)).all()
    assert sorted(sent) == sorted(catalogue.job(e).id for e in outcome.jobs)
    logged = db_session.scalars(select(RecommendationLog).where(RecommendationLog.candidate_id == lena.id)).all()
    assert [row.query for row in logged] == ["job alert"] * len(outcome.jobs) and [r.rank for r in logged] == list(range(1, len(logged) + 1))
    assert all(row.score >= alerts.ALERT_MIN_SCORE for row in logged), "only jobs that fit well are e-mailed"


def test_at_most_one_alert_a_week_only_new_jobs_and_no_empty_mail(db_session, catalogue, lena, outbox):
    post(db_session, 3)
    first = alerts.alert_candidate(db_session=db_session, candidate=lena, now=NOW, loaded=catalogue.index())
    assert first.jobs
    assert alerts.alert_candidate(db_session=db_session, candidate=lena, now=NOW + timedelta(days=1), loaded=catalogue.index()).jobs == []
    later = NOW + timedelta(days=8)
    assert alerts.alert_candidate(db_session=db_session, candidate=lena, now=later, loaded=catalogue.index()).jobs == []
    assert len(mail.outbox(limit=10, to=lena.email)) == 1, "nothing new, no e-mail"
    fresh = catalogue.job("FH-1106")  # a Data Engineer role in Berlin, posted after the first alert
    fresh.posted_at = NOW + timedelta(days=5)
    db_session.execute(JobAlertSent.__table__.delete().where(JobAlertSent.job_id == fresh.id))
    db_session.flush()
    again = alerts.alert_candidate(db_session=db_session, candidate=lena, now=later, loaded=catalogue.index())
    assert again.jobs == ["FH-1106"]


def test_closed_and_applied_jobs_are_never_alerted(db_session, catalogue, lena, outbox):
    from assistant.jobs.recommend import recommend_jobs

    post(db_session, 3)
    preview = recommend_jobs(db_session=db_session, candidate=lena, log_shown=False, loaded=catalogue.index())
    closed, applied = preview.items[0].job.external_id, preview.items[1].job.external_id  # what the alert would lead with
    jobs_service.close_job(db_session=db_session, external_id=closed)
    db_session.add(Application(external_id="APP-ALERT", candidate_id=lena.id, job_id=catalogue.job(applied).id, stage="applied"))
    db_session.flush()
    outcome = alerts.alert_candidate(db_session=db_session, candidate=lena, now=NOW, loaded=catalogue.index())
    assert closed not in outcome.jobs and applied not in outcome.jobs and outcome.jobs


def test_a_candidate_with_nothing_to_go_on_gets_no_mail(db_session, catalogue, make_candidate, outbox):
    post(db_session, 1)
    blank = make_candidate(job_alerts=True)
    assert alerts.alert_candidate(db_session=db_session, candidate=blank, now=NOW, loaded=catalogue.index()).jobs == []
    assert mail.outbox(limit=1, to=blank.email) == []


def test_unsubscribe_links_only_unsubscribe(db_session, lena):
    token = alerts.unsubscribe_token(lena)
    with pytest.raises(identity_service.InvalidToken):
        identity_service.verify_token(token)  # never a chat sign-in
    with pytest.raises(identity_service.InvalidToken):
        alerts.unsubscribe(db_session=db_session, token=identity_service.issue_token(candidate_external_id=lena.external_id))
    assert alerts.unsubscribe(db_session=db_session, token=token).job_alerts is False


def test_unsubscribe_page_confirms_before_changing_anything(db_session, lena):
    app.dependency_overrides[get_db] = lambda: db_session
    try:
        client = TestClient(app)
        token = alerts.unsubscribe_token(lena)
        page = client.get("/alerts/unsubscribe", params={"token": token})
        assert page.status_code == 200 and 'id="unsubscribe"' in page.text
        db_session.refresh(lena)
        assert lena.job_alerts is True, "opening the link changes nothing"
        done = client.post("/alerts/unsubscribe", data={"token": token})
        assert done.status_code == 200 and 'id="unsubscribed"' in done.text
        db_session.refresh(lena)
        assert lena.job_alerts is False
        assert client.post("/alerts/unsubscribe", data={"token": token[:-4] + "AAAA"}).status_code == 400
    finally:
        app.dependency_overrides.pop(get_db, None)


def test_mail_links_and_one_click_header_unsubscribe(db_session, catalogue, lena, outbox):
    post(db_session, 2)
    alerts.alert_candidate(db_session=db_session, candidate=lena, now=NOW, loaded=catalogue.index())
    message = mail.outbox(limit=1, to=lena.email)[0]
    link = re.search(r"(\S+/alerts/unsubscribe\?token=\S+)", message.get_content()).group(1)
    assert message["List-Unsubscribe"] == f"<{link}>" and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    app.dependency_overrides[get_db] = lambda: db_session
    try:  # what a mail client does for RFC 8058 one-click: POST to the header's URL, token in the query
        path = link.split("://", 1)[1].split("/", 1)[1]
        done = TestClient(app).post(f"/{path}", data={"List-Unsubscribe": "One-Click"})
    finally:
        app.dependency_overrides.pop(get_db, None)
    assert done.status_code == 200
    db_session.refresh(lena)
    assert lena.job_alerts is False


def test_one_failing_candidate_does_not_stop_the_others(monkeypatch):
    import uuid

    from assistant import migrate
    from assistant.candidates.models import Candidate
    from assistant.db import session_scope

    migrate.upgrade()
    with session_scope() as db:
        people = [Candidate(external_id=f"C-AL-{uuid.uuid4().hex[:6]}", first_name="Al", job_alerts=True,
                            email=f"al-{uuid.uuid4().hex[:8]}@example.com") for _ in range(2)]
        db.add_all(people)
        db.flush()
        broken = people[0].id

    def fake(*, db_session, candidate, now=None, loaded=None):
        if candidate.id == broken:
            raise RuntimeError("mail server away")
        return alerts.AlertOutcome(candidate.id, ["FH-1"])

    monkeypatch.setattr(alerts, "alert_candidate", fake)
    counts = alerts.send_alerts()
    assert counts["failed"] == 1 and counts["emails"] == counts["candidates"] - 1 >= 1
