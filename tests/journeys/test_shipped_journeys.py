"""Each shipped journey fires once, at the right time, through the real scheduler on the real database (SQLite,
and PostgreSQL when configured), with the settable time given to each tick; and stops when it should."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

from sqlalchemy import select

from assistant.inbox.models import Ticket
from assistant.journeys import definitions
from assistant.journeys.planner import TASK_REASON
from assistant.knowledge import documents
from assistant.settings import get_settings
from tests.journeys.conftest import SHIPPED, T0

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def _section(article: str, heading: str) -> str:
    docs, _ = documents.load(get_settings().knowledge_dir, lenient=True)
    return next(s.text for d in docs if d.path == article for s in d.sections if s.heading == heading)


def test_at_least_eight_journeys_ship_and_cover_every_trigger_but_interview_booked():
    assert not SHIPPED.problems
    assert len(SHIPPED.journeys) >= 8
    kinds = {item.journey.trigger.kind for item in SHIPPED.journeys}
    assert kinds == {"stage_changed", "before_interview", "in_stage", "longer_than_typical",
                     "jobs_viewed_without_applying", "apply_started_not_completed"}
    # interview_booked is not shipped on purpose (README: the booking's confirmation and the 48 h preparation
    # already cover it); tests/journeys/test_interview_booked.py runs it from a test file.
    assert kinds | {"interview_booked"} == definitions._TRIGGER_KINDS
    actions = {action.kind for item in SHIPPED.journeys for action in item.journey.actions}
    assert actions == {"email", "chat", "task", "webhook"}


def test_interview_preparation_and_reminders_fire_once_each_at_their_time(world):
    ada = world.candidate(treated_for=("interview-preparation",))
    app = world.application(ada, stage="interviews", changed_at=T0 - 5 * DAY)
    at = T0 + 3 * DAY  # Thursday 13:00 in Berlin
    world.interview(app, at, kind="video")

    world.tick(T0)
    world.tick(at - 48 * HOUR - MINUTE)
    assert world.sent(ada) == []
    world.tick(at - 48 * HOUR)
    world.tick(at - 48 * HOUR + 5 * MINUTE)
    assert world.sent(ada) == ["interview-preparation"]
    world.tick(at - 24 * HOUR)
    world.tick(at - 2 * HOUR)
    world.tick(at - HOUR)
    world.tick(at + HOUR)
    assert world.sent(ada) == ["interview-preparation", "interview-reminder-24h", "interview-reminder-2h"]

    mails = world.mails(ada)
    assert [m["Subject"] for m in mails] == ["Preparing for your video interview for Data Engineer",
                                             "Reminder: your interview for Data Engineer is tomorrow"]
    assert [m["X-Journey-Id"] for m in mails] == ["interview-preparation", "interview-reminder-24h"]
    prep = mails[0].get_content()
    assert "Thursday 10 December, 13:00 (Europe/Berlin)" in prep
    assert _section("technical-interviews.md", "Data and analytics interviews")[:80] in prep  # role-specific quote
    assert "One-Click" in mails[0]["List-Unsubscribe-Post"] and "journey=interview-preparation" in mails[0]["List-Unsubscribe"]
    (chat,) = world.chats(ada)  # no open chat: kept for the next visit
    assert chat.journey_id == "interview-reminder-2h" and "13:00 (Europe/Berlin)" in chat.text


def test_a_phone_screen_gets_phone_tips_and_a_moved_interview_gets_one_message_at_the_new_time(world):
    ben = world.candidate(treated_for=("interview-preparation",))
    app = world.application(ben, stage="phone_screen", changed_at=T0 - 5 * DAY)
    first = T0 + 3 * DAY
    interview = world.interview(app, first, kind="phone")
    world.tick(T0)
    moved = first + 2 * DAY
    world._import("interviews", {"external_id": interview, "application_external_id": app, "scheduled_at": moved.isoformat(),
                                 "kind": "phone", "duration_minutes": 30})
    world.tick(first - 48 * HOUR)  # the old time: its run no longer applies
    world.tick(moved - 48 * HOUR)
    world.tick(moved - 47 * HOUR)
    runs = world.runs(ben, "interview-preparation")
    assert sorted((r.status, r.reason) for r in runs) == [("cancelled", "no longer applies"), ("sent", "")]
    (prep,) = [m for m in world.mails(ben) if m["X-Journey-Id"] == "interview-preparation"]
    assert _section("phone-screen.md", "How to prepare for the call")[:80] in prep.get_content()


def test_status_change_is_explained_once_and_stops_when_the_stage_moves_on(world):
    cleo = world.candidate()
    app = world.application(cleo, stage="under_review", changed_at=T0 - 10 * DAY)
    world.stage_change(app, "assessment", T0)
    world.tick(T0 + 29 * MINUTE)
    assert world.sent(cleo) == []
    world.tick(T0 + 30 * MINUTE)
    world.tick(T0 + 2 * HOUR)
    assert world.sent(cleo) == ["status-change"]
    (mail,) = world.mails(cleo)
    assert mail["Subject"] == "Your application for Data Engineer: Assessment"
    assert "you have been invited to complete an assessment" in mail.get_content()

    dan = world.candidate()
    app = world.application(dan, stage="under_review", changed_at=T0 - 10 * DAY)
    world.stage_change(app, "phone_screen", T0)
    world.tick(T0 + 10 * MINUTE)  # planned, not yet due
    world.stage_change(app, "interviews", T0 + 20 * MINUTE)
    world.tick(T0 + 31 * MINUTE)
    world.tick(T0 + 51 * MINUTE)
    runs = {r.occurrence_key.split(":")[2]: (r.status, r.reason) for r in world.runs(dan, "status-change")}
    assert runs == {"phone_screen": ("cancelled", "stage moved"), "interviews": ("sent", "")}


def test_offer_accepted_sends_a_welcome_and_a_signed_onboarding_webhook_without_message_text(world, monkeypatch):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = get_settings()
    monkeypatch.setattr(settings, "journey_webhook_url", f"http://127.0.0.1:{server.server_port}/hris")
    monkeypatch.setattr(settings, "journey_webhook_secret", type(settings.rasa_token)("hris-test-key"))
    try:
        eve = world.candidate()
        app = world.application(eve, stage="offer", changed_at=T0 - 3 * DAY)
        world.stage_change(app, "hired", T0)
        world.tick(T0 + MINUTE)
        world.tick(T0 + HOUR)
    finally:
        server.shutdown()
    assert world.sent(eve) == ["offer-accepted-welcome"]
    (mail,) = world.mails(eve)
    assert mail["Subject"] == f"Welcome to {settings.company_name}!"
    assert _section("onboarding-and-first-day.md", "Your first day")[:60] in mail.get_content()
    ((headers, body),) = received
    expected = hmac.new(b"hris-test-key", body, hashlib.sha256).hexdigest()
    assert headers["X-Assistant-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["type"] == "onboarding.start" and payload["candidate_external_id"] == eve.external_id
    assert payload["application_external_id"] == app
    assert set(payload) == {"type", "journey_id", "journey_version", "run_id", "candidate_external_id",
                            "application_external_id", "sent_at"}  # ids only: no text, no contact data


def test_jobs_viewed_three_times_without_applying_nudges_only_candidates_with_alerts_on(world):
    jobs = [world.job("engineering", f"Backend Engineer {n}") for n in range(3)]
    fay = world.candidate(job_alerts=True, treated_for=("jobs-viewed-nudge",))
    gil = world.candidate(job_alerts=False, treated_for=("jobs-viewed-nudge",))
    hal = world.candidate(job_alerts=True, treated_for=("jobs-viewed-nudge",))
    for person in (fay, gil, hal):
        for n, job in enumerate(jobs):
            world.event(person, "job_viewed", job, T0 - (3 - n) * HOUR)
    world.application(hal, stage="applied", changed_at=T0 - 2 * HOUR, job=world.job("engineering", "QA Engineer"),
                      applied_at=T0 - 2 * HOUR)
    world.tick(T0 + HOUR - MINUTE)
    assert world.sent(fay) == []
    world.tick(T0 + HOUR)
    assert world.sent(fay) == ["jobs-viewed-nudge"]
    assert world.mails(fay)[0]["Subject"] == "Questions about our engineering roles?"
    assert [(r.status, r.reason) for r in world.runs(gil, "jobs-viewed-nudge")] == [("skipped", "no opt-in to engagement messages")]
    assert world.runs(hal, "jobs-viewed-nudge") == []  # applied in that department


def test_application_started_and_not_finished_gets_one_reminder_after_a_day(world):
    job = world.job("data", "Data Analyst")
    ivy = world.candidate(treated_for=("application-not-finished",))
    jon = world.candidate(treated_for=("application-not-finished",))
    world.event(ivy, "apply_started", job, T0 - 23 * HOUR)
    world.event(jon, "apply_started", job, T0 - 23 * HOUR)
    world.event(jon, "apply_completed", job, T0 - 22 * HOUR)
    world.tick(T0)
    assert world.sent(ivy) == []
    world.tick(T0 + HOUR)
    world.tick(T0 + 2 * HOUR)
    assert world.sent(ivy) == ["application-not-finished"] and world.runs(jon) == []
    assert world.mails(ivy)[0]["Subject"] == "Your application for Data Analyst is not finished yet"


def test_assessment_not_finished_after_three_days_gets_a_reminder_unless_it_moved_on(world):
    kim = world.candidate(treated_for=("assessment-reminder",))
    lea = world.candidate(treated_for=("assessment-reminder",))
    world.application(kim, stage="assessment", changed_at=T0 - 3 * DAY + HOUR)
    moved = world.application(lea, stage="assessment", changed_at=T0 - 3 * DAY + HOUR)
    world.tick(T0)
    world.stage_change(moved, "phone_screen", T0 + 30 * MINUTE)
    world.tick(T0 + HOUR)
    assert world.sent(kim) == ["status-change", "assessment-reminder"]  # the move itself is explained too (late: no tick ran)
    assert "invited to an assessment for Data Engineer 3 days ago" in world.mails(kim)[-1].get_content()
    assert [(r.status, r.reason) for r in world.runs(lea, "assessment-reminder")] == [("cancelled", "no longer applies")]


def test_longer_than_usual_tells_the_candidate_and_opens_a_recruiter_task_in_the_inbox(world):
    max_ = world.candidate()
    world.application(max_, stage="under_review", changed_at=T0 - 11 * DAY - HOUR)  # typical 10 days, +1 day wait
    world.tick(T0 - 2 * HOUR)
    assert world.sent(max_) == []
    world.tick(T0)
    world.tick(T0 + DAY)
    assert world.sent(max_) == ["longer-than-usual"]
    assert "11 days" in world.mails(max_)[0].get_content()
    (task,) = world.db.scalars(select(Ticket).where(Ticket.candidate_id == max_.id))
    assert task.reason == TASK_REASON and task.status == "open"
    assert task.trigger_message.startswith("Data Engineer: 11 days at Under review (usually 10)")


def test_an_open_ticket_stops_nudges_because_a_person_has_the_conversation(world):
    from assistant.inbox import service as inbox_service

    ned = world.candidate()
    world.application(ned, stage="under_review", changed_at=T0 - 11 * DAY - HOUR)
    inbox_service.open_ticket(db_session=world.db, conversation_id=f"conv-{ned.external_id}", reason="request_human",
                              priority="normal", due_at=T0 + DAY, trigger_message="", transcript=[], candidate_id=ned.id)
    world.tick(T0)
    assert world.runs(ned, "longer-than-usual") == [] and world.mails(ned) == []


def _nps_link(mail) -> str:
    return next(line.strip() for line in mail.get_content().splitlines() if "/feedback/nps?token=" in line)


def test_nps_after_an_outcome_is_asked_once_per_application_three_days_later(world):
    from urllib.parse import parse_qs, urlsplit

    from assistant.analytics import feedback

    ola = world.candidate()
    app = world.application(ola, stage="final_round", changed_at=T0 - 5 * DAY)
    world.stage_change(app, "not_selected", T0)
    world.tick(T0 + MINUTE)
    world.tick(T0 + 3 * DAY - MINUTE)
    assert world.sent(ola) == []
    world.tick(T0 + 3 * DAY)
    assert world.sent(ola) == ["nps-after-outcome"]
    (mail,) = world.mails(ola)
    assert mail["Subject"] == f"One question about applying to {get_settings().company_name}"
    assert mail["X-Journey-Id"] == "nps-after-outcome" and "journey=nps-after-outcome" in mail["List-Unsubscribe"]
    content = mail.get_content()
    assert "How likely are you to recommend applying to" in content and "Data Engineer" in content
    token = parse_qs(urlsplit(_nps_link(mail)).query)["token"][0]
    assert feedback.read_nps_token(token) == feedback.Survey(ola.external_id, f"{app}:not_selected")
    # Reopened and then hired: still the one survey for this application.
    world.stage_change(app, "under_review", T0 + 4 * DAY)
    world.stage_change(app, "hired", T0 + 5 * DAY)
    for at in (T0 + 5 * DAY + MINUTE, T0 + 8 * DAY, T0 + 9 * DAY):
        world.tick(at)
    assert [(r.status, r.arm) for r in world.runs(ola, "nps-after-outcome")] == [("sent", "treated")]  # no holdout
    assert len([m for m in world.mails(ola) if m["X-Journey-Id"] == "nps-after-outcome"]) == 1


def test_nps_waits_for_the_morning_and_respects_an_unsubscribe(world):
    from assistant.journeys.models import JourneyOptOut

    kai = world.candidate(time_zone="Asia/Tokyo")  # T0 + 3 days is 21:00 in Tokyo: quiet hours
    world.stage_change(world.application(kai, stage="offer", changed_at=T0 - DAY), "hired", T0)
    uma = world.candidate()
    world.stage_change(world.application(uma, stage="interviews", changed_at=T0 - DAY), "withdrawn", T0)
    world.db.add(JourneyOptOut(candidate_id=uma.id, journey_id="nps-after-outcome"))
    world.db.flush()
    world.tick(T0 + 3 * DAY)
    assert "nps-after-outcome" not in world.sent(kai)
    (waiting,) = world.runs(kai, "nps-after-outcome")
    assert world.attempts(waiting)[-1][1].startswith("quiet hours until 2026-12-10T23:00")
    world.tick(T0 + 3 * DAY + 11 * HOUR)  # 08:00 in Tokyo
    assert sorted(world.sent(kai)) == ["nps-after-outcome", "offer-accepted-welcome"]  # both waited for the morning
    assert [(r.status, r.reason) for r in world.runs(uma, "nps-after-outcome")] == [("skipped", "unsubscribed from this journey")]
    assert world.mails(uma) == []
