"""The "interview booked" trigger: once per interview the ATS creates or the candidate books in the chat, at the
booking time plus the wait, only for the lead times asked for; it stops on a cancelled booking or a withdrawal
and respects quiet hours and the cap like every journey. The interview's creation time comes from the settable
clock (frozen here), so every step runs at the time the test chooses."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from typer.testing import CliRunner

from assistant import clock
from assistant.cli import app as cli
from assistant.journeys import definitions
from assistant.journeys.definitions import JourneySet
from assistant.scheduling import service as scheduling
from tests.journeys.conftest import SHIPPED, T0
from tests.scheduling.conftest import add_invited, add_slots

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)

BOOKED = """id: booked-test
name: Interview booked (test)
reason: You booked an interview, and we confirm every booking.
trigger:
  kind: interview_booked
  wait: 10m
  {extra}
stop_when: [withdrew]
expires_after: 24h
actions:
  - email:
      subject: "Your {{{{ interview.kind }}}} interview for {{{{ job.title }}}} is booked"
      body: "Hi {{{{ candidate.first_name }}}}, see you on {{{{ interview.when }}}}. Stop: {{{{ unsubscribe_url }}}}"
"""


def _journeys(extra: str = "", *shipped: str) -> JourneySet:
    loaded, problems = definitions.parse(BOOKED.format(extra=extra).encode(), "booked-test.yml")
    assert not problems, problems
    return JourneySet(journeys=tuple(SHIPPED.get(j) for j in shipped) + (loaded,), problems=(), folder_hash="test")


@contextmanager
def frozen(at: datetime):
    """Records created inside carry this creation time (Interview.created_at comes from the settable clock)."""
    clock.set_clock(frozen_at=at)
    try:
        yield
    finally:
        clock.reset_clock()


def test_check_accepts_the_trigger_and_reports_its_problems_as_file_line(tmp_path):
    (tmp_path / "booked-test.yml").write_text(BOOKED.format(extra="min_lead: 48h"))
    result = CliRunner().invoke(cli, ["journeys", "check", "--folder", str(tmp_path)], terminal_width=300)
    assert result.exit_code == 0, result.output
    (tmp_path / "booked-test.yml").write_text(BOOKED.format(extra="booked_by: [robot]\n  max_lead: soon"))
    (tmp_path / "backwards.yml").write_text(BOOKED.format(extra="min_lead: 3d\n  max_lead: 1d").replace("booked-test", "backwards"))
    result = CliRunner().invoke(cli, ["journeys", "check", "--folder", str(tmp_path)], terminal_width=300)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        f"{tmp_path}/backwards.yml:4: trigger: min_lead is longer than max_lead: no interview would match",
        f"{tmp_path}/booked-test.yml:7: trigger.booked_by.0: Input should be 'ats' or 'candidate'",
        f"{tmp_path}/booked-test.yml:8: trigger.max_lead: 'soon' is not a duration like 30m, 48h or 3d",
    ]


def test_an_interview_from_the_ats_fires_once_after_the_wait_and_moving_it_sends_nothing_more(world):
    journeys = _journeys()
    ada = world.candidate()
    app = world.application(ada, stage="interviews", changed_at=T0 - 5 * DAY)
    with frozen(T0):
        interview = world.interview(app, T0 + 4 * DAY)
    world.tick(T0 + 9 * MINUTE, journeys)
    assert world.sent(ada) == []
    world.tick(T0 + 10 * MINUTE, journeys)
    world.tick(T0 + 11 * MINUTE, journeys)
    assert world.sent(ada) == ["booked-test"]
    (mail,) = world.mails(ada)
    assert mail["Subject"] == "Your video interview for Data Engineer is booked"
    assert "Friday 11 December, 13:00 (Europe/Berlin)" in mail.get_content()

    with frozen(T0 + HOUR):  # the ATS moves it: the same interview, no second message
        world._import("interviews", {"external_id": interview, "application_external_id": app,
                                     "scheduled_at": (T0 + 5 * DAY).isoformat(), "kind": "video", "duration_minutes": 45})
    world.tick(T0 + 2 * HOUR, journeys)
    (run,) = world.runs(ada, "booked-test")
    assert (run.status, run.occurrence_key) == ("sent", f"booked:{interview}")

    with frozen(T0 + 3 * HOUR):  # a second interview is a second occurrence
        world.interview(app, T0 + 6 * DAY, kind="technical")
    world.tick(T0 + 3 * HOUR + 10 * MINUTE, journeys)
    assert world.sent(ada) == ["booked-test", "booked-test"]
    assert [m["Subject"] for m in world.mails(ada)][-1] == "Your technical interview for Data Engineer is booked"


def test_lead_and_kind_filters_and_old_interviews_never_start_it(world):
    journeys = _journeys("min_lead: 48h\n  interview_kinds: [video]")
    ben = world.candidate()
    app = world.application(ben, stage="interviews", changed_at=T0 - 5 * DAY)
    with frozen(T0):
        world.interview(app, T0 + 30 * HOUR)  # booked only 30 h ahead
        world.interview(app, T0 + 3 * DAY, kind="phone")
    with frozen(T0 - 40 * DAY):  # created before the history window
        world.interview(app, T0 + 3 * DAY)
    world.tick(T0 + HOUR, journeys)
    assert world.runs(ben, "booked-test") == []
    with frozen(T0 + 2 * HOUR):
        world.interview(app, T0 + 3 * DAY)
    world.tick(T0 + 3 * HOUR, journeys)
    assert world.sent(ben) == ["booked-test"]


def test_a_booking_in_the_chat_fires_for_candidate_bookings_and_a_cancellation_before_the_wait_stops_it(world, db_session):
    journeys = _journeys("booked_by: [candidate]")
    invited = add_invited(db_session)
    first, second = add_slots(db_session, invited.job, [72, 96], now=T0)
    with frozen(T0):
        booking = scheduling.book(db_session=db_session, request=invited.request, slot=first, actor=invited.actor, now=T0)
        world.interview(invited.application.external_id, T0 + 5 * DAY)  # from the ATS: not this journey's
    world.tick(T0 + 5 * MINUTE, journeys)
    (run,) = world.runs(invited.candidate, "booked-test")
    assert run.status == "scheduled" and run.occurrence_key == f"booked:BOOKING-{booking.id}"
    with frozen(T0 + 6 * MINUTE):
        scheduling.reschedule(db_session=db_session, booking=booking, slot=second, actor=invited.actor, now=T0 + 6 * MINUTE)
    world.tick(T0 + 10 * MINUTE, journeys)
    assert world.sent(invited.candidate) == ["booked-test"]  # moved: still one message, at the new time
    assert "Friday 11 December, 13:00 (Europe/Berlin)" in world.mails(invited.candidate)[0].get_content()

    with frozen(T0 + HOUR):
        scheduling.cancel(db_session=db_session, booking=booking, actor=invited.actor, now=T0 + HOUR)
        again = scheduling.book(db_session=db_session, request=invited.request, slot=first, actor=invited.actor, now=T0 + HOUR)
    world.tick(T0 + HOUR + MINUTE, journeys)
    with frozen(T0 + HOUR + 2 * MINUTE):
        scheduling.cancel(db_session=db_session, booking=again, actor=invited.actor, now=T0 + HOUR + 2 * MINUTE)
    world.tick(T0 + 2 * HOUR, journeys)
    runs = {r.occurrence_key: (r.status, r.reason) for r in world.runs(invited.candidate, "booked-test")}
    assert runs == {f"booked:BOOKING-{booking.id}": ("sent", ""),
                    f"booked:BOOKING-{again.id}": ("cancelled", "no longer applies")}
    assert len(world.mails(invited.candidate)) == 1


def test_a_withdrawal_before_it_is_due_stops_it(world):
    journeys = _journeys()
    cleo = world.candidate()
    app = world.application(cleo, stage="interviews", changed_at=T0 - 5 * DAY)
    with frozen(T0):
        world.interview(app, T0 + 4 * DAY)
    world.tick(T0 + MINUTE, journeys)
    world.stage_change(app, "withdrawn", T0 + 5 * MINUTE)
    world.tick(T0 + 10 * MINUTE, journeys)
    (run,) = world.runs(cleo, "booked-test")
    assert (run.status, run.reason) == ("cancelled", "withdrew") and world.mails(cleo) == []


def test_a_late_evening_booking_waits_for_the_morning_in_the_candidates_time_zone(world):
    journeys = _journeys()
    dan = world.candidate()  # Europe/Berlin
    app = world.application(dan, stage="interviews", changed_at=T0 - 5 * DAY)
    evening = T0 + 9 * HOUR  # 22:00 in Berlin
    with frozen(evening):
        world.interview(app, T0 + 4 * DAY)
    world.tick(evening + 10 * MINUTE, journeys)
    (run,) = world.runs(dan, "booked-test")
    assert world.attempts(run) == [("deferred", "quiet hours until 2026-12-08T07:00+00:00")]
    world.tick(datetime(2026, 12, 8, 6, 59, tzinfo=timezone.utc), journeys)
    assert world.sent(dan) == []
    world.tick(datetime(2026, 12, 8, 7, 0, tzinfo=timezone.utc), journeys)  # 08:00 in Berlin
    assert world.sent(dan) == ["booked-test"]


def test_the_cap_holds_it_and_it_is_dropped_when_it_would_come_too_late(world):
    journeys = _journeys("", "longer-than-usual")
    eva = world.candidate()
    for _ in range(2):
        world.application(eva, stage="under_review", changed_at=T0 - 11 * DAY - HOUR)
    world.tick(T0, journeys)
    assert world.sent(eva) == ["longer-than-usual", "longer-than-usual"]
    app = world.application(eva, stage="interviews", changed_at=T0 - 5 * DAY)
    with frozen(T0):
        world.interview(app, T0 + 4 * DAY)
    world.tick(T0 + 10 * MINUTE, journeys)
    (run,) = world.runs(eva, "booked-test")
    assert (run.status, run.reason) == ("skipped", "frequency cap until it expired") and world.mails(eva)[-1]["X-Journey-Id"] != "booked-test"
