"""Respect for the candidate: quiet hours in their own time zone, their contact hours and channel, the cap across
journeys, one-click unsubscribe per journey and for all, consent, and deterministic holdouts."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from assistant.journeys import policy
from assistant.journeys.planner import CandidateFacts
from tests.journeys.conftest import T0

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def _slow(world, candidate, stage="under_review", days=11):
    """An application in a stage longer than usual (under review: typical 10 days, then one day's wait)."""
    return world.application(candidate, stage=stage, changed_at=T0 - days * DAY - HOUR)


def test_quiet_hours_defer_a_message_to_the_morning_in_the_candidates_time_zone(world):
    kenji = world.candidate(time_zone="Asia/Tokyo")  # T0 is 21:00 in Tokyo
    _slow(world, kenji)
    world.tick(T0)
    (run,) = world.runs(kenji, "longer-than-usual")
    assert run.status == "scheduled" and run.locked_until.replace(tzinfo=timezone.utc) == datetime(2026, 12, 7, 23, 0, tzinfo=timezone.utc)
    assert world.attempts(run) == [("deferred", "quiet hours until 2026-12-07T23:00+00:00")]
    world.tick(datetime(2026, 12, 7, 22, 59, tzinfo=timezone.utc))
    assert world.sent(kenji) == []
    world.tick(datetime(2026, 12, 7, 23, 0, tzinfo=timezone.utc))  # 08:00 in Tokyo
    assert world.sent(kenji) == ["longer-than-usual"]


def test_contact_hours_from_the_record_narrow_the_allowed_window():
    def facts(hours):
        return CandidateFacts(1, "C-1", "A", "a@x", "America/Toronto", "en", "phone", hours, False, {})

    assert policy.allowed_window(facts(None)) == (datetime.min.replace(hour=8).time(), datetime.min.replace(hour=21).time())
    assert policy.allowed_window(facts("after 5pm"))[0].hour == 17
    assert policy.allowed_window(facts("before 10am"))[1].hour == 10
    assert [t.hour for t in policy.allowed_window(facts("between 9 and 12"))] == [9, 12]
    assert [t.hour for t in policy.allowed_window(facts("9-5"))] == [9, 17]
    noon_toronto = datetime(2026, 12, 7, 17, 0, tzinfo=timezone.utc)
    assert policy.next_allowed(facts("after 5pm"), noon_toronto) == datetime(2026, 12, 7, 22, 0, tzinfo=timezone.utc)


def test_a_candidate_who_prefers_phone_or_sms_gets_the_message_in_the_chat_not_by_email(world):
    lucas = world.candidate(contact_channel="sms")
    _slow(world, lucas)
    world.tick(T0)
    assert world.sent(lucas) == ["longer-than-usual"] and world.mails(lucas) == []
    (chat,) = world.chats(lucas)
    assert chat.text.startswith("**An update on your application for Data Engineer**")


def test_the_frequency_cap_holds_a_third_message_until_the_week_is_over(world):
    mia = world.candidate()
    for _ in range(3):
        _slow(world, mia)
    world.tick(T0)
    assert world.sent(mia) == ["longer-than-usual", "longer-than-usual"]
    waiting = [r for r in world.runs(mia) if r.status == "scheduled"]
    assert len(waiting) == 1 and world.attempts(waiting[0])[-1][1].startswith("frequency cap until 2026-12-14T12:00")
    world.tick(T0 + 7 * DAY - MINUTE)
    assert len(world.sent(mia)) == 2
    world.tick(T0 + 7 * DAY)
    assert len(world.sent(mia)) == 3


def test_interview_logistics_reminders_are_not_held_by_the_cap(world):
    noa = world.candidate(treated_for=("interview-preparation",))
    for _ in range(2):
        _slow(world, noa)
    app = world.application(noa, stage="interviews", changed_at=T0 - 5 * DAY)
    world.interview(app, T0 + 3 * DAY)
    for at in (T0, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY - 2 * HOUR):
        world.tick(at)
    assert world.sent(noa) == ["longer-than-usual", "longer-than-usual", "interview-reminder-24h", "interview-reminder-2h"]
    prep = world.runs(noa, "interview-preparation")[0]
    assert (prep.status, prep.reason) == ("skipped", "frequency cap until it expired")


def _one_click(client, mail):
    link = mail["List-Unsubscribe"].strip("<>")
    parts = urlsplit(link)
    assert parts.path == "/alerts/unsubscribe"
    return client.post(f"{parts.path}?{parts.query}"), parse_qs(parts.query)["journey"][0]


def test_one_click_unsubscribe_stops_that_journey_and_the_all_link_stops_every_journey(world, db_session):
    from api.deps import get_db
    from api.main import app

    app.dependency_overrides[get_db] = lambda: db_session
    try:
        client = TestClient(app)  # no lifespan: no background jobs
        olga = world.candidate()
        first = _slow(world, olga)
        world.tick(T0)
        (mail,) = world.mails(olga)
        page = client.get(mail["List-Unsubscribe"].strip("<>").removeprefix(world_public_url()))
        assert page.status_code == 200 and "Stop these messages?" in page.text  # a GET changes nothing
        response, journey = _one_click(client, mail)
        assert response.status_code == 200 and 'id="unsubscribed"' in response.text
        assert journey == "longer-than-usual"
        world.stage_change(first, "assessment", T0 + DAY)  # a status change still comes; a new slow stage does not
        _slow(world, olga, days=12)
        world.tick(T0 + DAY + HOUR)
        assert world.sent(olga) == ["longer-than-usual", "status-change"]
        assert [r.reason for r in world.runs(olga, "longer-than-usual") if r.status == "skipped"] == ["unsubscribed from this journey"]

        body = world.mails(olga)[-1].get_content()
        all_link = next(line for line in body.splitlines() if line.startswith("Stop all automated messages: ")).split(": ", 1)[1]
        parts = urlsplit(all_link)
        assert client.post(f"{parts.path}?{parts.query}").status_code == 200
        world.stage_change(first, "phone_screen", T0 + 2 * DAY)
        world.tick(T0 + 2 * DAY + HOUR)
        assert [r.reason for r in world.runs(olga, "status-change") if r.status == "skipped"] == ["unsubscribed from all journeys"]
        forged = client.post("/alerts/unsubscribe", data={"journey": "status-change", "token": parse_qs(parts.query)["token"][0]})
        assert forged.status_code == 400  # an "all" token is good for "all" only
    finally:
        app.dependency_overrides.clear()


def world_public_url() -> str:
    from assistant.settings import get_settings

    return get_settings().public_url


def test_no_consent_to_automated_messages_means_none_are_sent(world):
    pia = world.candidate(consents={"privacy_notice": True, "journeys": False})
    _slow(world, pia)
    world.tick(T0)
    assert [(r.status, r.reason) for r in world.runs(pia)] == [("skipped", "no consent to automated messages")]
    assert world.mails(pia) == []


def test_holdout_is_deterministic_per_candidate_and_logged_without_sending(world):
    share = 0.1
    expected = int.from_bytes(hashlib.sha256(b"assessment-reminder:C-1004").digest()[:8], "big") / 2**64 < share
    assert policy.in_holdout(journey_id="assessment-reminder", candidate_external_id="C-1004", share=share) is expected
    held = [f"H-{n}" for n in range(400) if policy.in_holdout(journey_id="assessment-reminder", candidate_external_id=f"H-{n}", share=share)]
    assert 20 <= len(held) <= 60  # about a tenth
    for _ in range(200):
        quinn = world.candidate()
        if policy.in_holdout(journey_id="assessment-reminder", candidate_external_id=quinn.external_id, share=share):
            break
    world.application(quinn, stage="assessment", changed_at=T0 - 3 * DAY - HOUR)
    world.tick(T0)
    (run,) = world.runs(quinn, "assessment-reminder")
    assert (run.arm, run.status, run.sent_at) == ("holdout", "held_out", None)
    assert world.mails(quinn) == []
