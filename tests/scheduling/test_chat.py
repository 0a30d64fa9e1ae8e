"""Booking, moving and cancelling an interview in the chat, through the real stack (Rasa server with the
trained model, action server, API, the app database): every bot message of each turn in order, and the
iCalendar invites in the outbox."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from assistant import mail
from assistant.db import as_utc, session_scope, utcnow
from assistant.scheduling import service as scheduling_service
from assistant.audit.service import ATS_API
from assistant.candidates.models import Interview
from assistant.jobs.models import Job
from assistant.scheduling.models import InterviewBooking, InterviewRequest
from tests.scheduling.conftest import add_invited, add_slots

pytestmark = pytest.mark.stack
BERLIN = ZoneInfo("Europe/Berlin")
HOURS = [50, 74, 98, 122, 146, 170, 194]  # seven slots: five on the first page, two under "Other times"


def label(start, minutes=45, long=False):
    local = as_utc(start).astimezone(BERLIN)
    end = local + timedelta(minutes=minutes)
    day = f"{local:%A %-d %B}" if long else f"{local:%a %-d %b}"
    return f"{day}, {local:%H:%M}–{end:%H:%M}"


def when(start):
    return f"{label(start, long=True)} (Europe/Berlin time)"


def said(replies):
    return [r.get("text") for r in replies]


def buttons(reply):
    return [(b["title"], b["payload"]) for b in reply.get("buttons", [])]


def token(stack, external_id):
    """The career site's signed token (the dev endpoint serves the shipped demo ids only)."""
    from assistant.identity import service as identity_service

    return {"candidate_token": identity_service.issue_token(candidate_external_id=external_id)}


def invite(email):
    (message,) = mail.outbox(limit=1, to=email)
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    return message, calendar, calendar.walk("VEVENT")[0]


@pytest.fixture
def invitee(stack):
    """A candidate invited to book a video interview, with seven free slots of their own job."""
    with session_scope() as db:
        invited = add_invited(db)
        slots = add_slots(db, invited.job, HOURS)
        return {"external_id": invited.candidate.external_id, "email": invited.candidate.email,
                "request": invited.request.id, "job": invited.job.id,
                "slots": [(s.external_id, as_utc(s.starts_at)) for s in slots]}


def test_book_with_other_times_then_reschedule_then_cancel(stack, invitee):
    sender = f"sched-{uuid.uuid4().hex}"
    slots = invitee["slots"]
    first_page = [(label(start), slot_id) for slot_id, start in slots[:5]]

    replies = stack.chat(sender, "I'd like to book my interview", token(stack, invitee["external_id"]))
    assert said(replies) == ["Here are the next open times (Europe/Berlin time):"]
    assert buttons(replies[0]) == first_page + [("Other times", "other times"), ("None of these work", "none of these")]

    replies = stack.chat(sender, "other times")
    assert said(replies) == ["Here are later times (Europe/Berlin time):"]
    assert buttons(replies[0]) == [(label(start), slot_id) for slot_id, start in slots[5:]] + [("None of these work", "none of these")]

    chosen_id, chosen_start = slots[6]
    replies = stack.chat(sender, chosen_id)
    with session_scope() as db:
        booking = db.query(InterviewBooking).filter_by(request_id=invitee["request"], status="booked").one()
        uid, deadline = booking.uid, scheduling_service.change_deadline(booking.slot).astimezone(BERLIN)
    assert said(replies) == [
        f"Booked: your video interview for **Data Scientist** on {when(chosen_start)}.",
        f"I've e-mailed you the calendar invitation. You can move or cancel it here until {deadline:%A %-d %B, %H:%M}.",
    ]
    message, calendar, event = invite(invitee["email"])
    assert message["Subject"] == "Interview booked: Data Scientist"
    assert (calendar.get("method"), str(event["uid"]), int(event["sequence"])) == ("REQUEST", uid, 0)
    assert event.decoded("dtstart") == chosen_start

    replies = stack.chat(sender, "can I reschedule my interview?")
    assert said(replies) == [
        f"You're booked: your video interview for **Data Scientist** on {when(chosen_start)}. Here are other times if "
        "you'd like to move it.",
        "Here are the next open times (Europe/Berlin time):",
    ]
    assert buttons(replies[1]) == first_page + [("Other times", "other times"), ("None of these work", "none of these"),
                                                ("Keep my current time", "keep")]
    replies = stack.chat(sender, "the second one")
    new_start = slots[1][1]
    assert said(replies)[0] == f"Done: your video interview for **Data Scientist** is now on {when(new_start)}."
    assert said(replies)[1].startswith("I've e-mailed you the calendar invitation.") and len(replies) == 2
    message, calendar, event = invite(invitee["email"])
    assert message["Subject"] == "Interview moved: Data Scientist"
    assert (calendar.get("method"), str(event["uid"]), int(event["sequence"])) == ("REQUEST", uid, 1)
    assert event.decoded("dtstart") == new_start

    replies = stack.chat(sender, "when is my interview")
    new_deadline = (as_utc(new_start) - timedelta(hours=24)).astimezone(BERLIN)
    assert said(replies) == ["Your upcoming interview:", f"**Data Scientist**: video interview on "
                             f"{as_utc(new_start).astimezone(BERLIN):%A %-d %B %Y}, {label(new_start).split(', ')[1]} "
                             "(Europe/Berlin time), online: https://meet.example.com/x, with Anna Becker. Bring questions.",
                             "You booked it in this chat, so you can move or cancel it here until "
                             f"{new_deadline:%A %-d %B, %H:%M}."]
    assert buttons(replies[2]) == [("Reschedule", "/reschedule_interview"), ("Cancel it", "/cancel_interview")]
    replies = stack.chat(sender, "/reschedule_interview")  # the button: the times again, nothing changed yet
    assert said(replies)[0].startswith("You're booked: your video interview for **Data Scientist**")
    assert buttons(replies[1])[-1] == ("Keep my current time", "keep")
    assert said(stack.chat(sender, "keep")) == ["Okay, nothing has changed."]

    replies = stack.chat(sender, "cancel my interview")
    assert said(replies) == [f"Do you want to cancel your video interview for **Data Scientist** on {when(new_start)}?"]
    assert buttons(replies[0]) == [("Yes, cancel it", "/affirm"), ("No, keep it", "/deny")]
    replies = stack.chat(sender, "/affirm")
    assert said(replies) == [f"Done: your video interview for **Data Scientist** on {when(new_start)} is cancelled. I've "
                             "e-mailed you the calendar cancellation. You can book a new time here whenever you're ready."]
    message, calendar, event = invite(invitee["email"])
    assert (calendar.get("method"), str(event["uid"]), int(event["sequence"]), str(event["status"])) == (
        "CANCEL", uid, 2, "CANCELLED")


def test_a_time_taken_meanwhile_is_refused_and_the_list_refreshed(stack, invitee):
    sender = f"sched-race-{uuid.uuid4().hex}"
    slots = invitee["slots"]
    stack.chat(sender, "book my interview", token(stack, invitee["external_id"]))
    with session_scope() as db:  # another candidate takes the first time while this one is choosing
        rival = add_invited(db, job=db.get(Job, invitee["job"]))
        slot = scheduling_service.get_slot(db_session=db, external_id=slots[0][0])
        scheduling_service.book(db_session=db, request=rival.request, slot=slot, actor=rival.actor)
    replies = stack.chat(sender, slots[0][0])
    assert said(replies) == ["Sorry, someone else has just taken that time.", "Here are the next open times (Europe/Berlin time):"]
    assert buttons(replies[1])[0] == (label(slots[1][1]), slots[1][0])
    assert "Keep my current time" not in [title for title, _ in buttons(replies[1])]
    replies = stack.chat(sender, "keep")
    assert said(replies) == ["Okay, nothing has changed."]


def test_too_close_to_the_interview_offers_a_recruiter(stack, invitee):
    sender = f"sched-late-{uuid.uuid4().hex}"
    now = utcnow()
    with session_scope() as db:
        request = db.get(InterviewRequest, invitee["request"])
        (soon,) = add_slots(db, request.application.job, [10])
        scheduling_service.book(db_session=db, request=request, slot=soon, actor=ATS_API,
                                now=now - timedelta(hours=20))  # booked yesterday, when it was 30 h away
        start = as_utc(soon.starts_at)
    expected = (f"Your video interview for **Data Scientist** on {when(start)} is less than 24 hours away, so it can't be "
                "moved or cancelled here any more. A recruiter can help with that.")
    for question in ("can I reschedule my interview?", "cancel my interview"):
        replies = stack.chat(sender, question, token(stack, invitee["external_id"]))
        assert said(replies) == [expected]
        assert buttons(replies[0]) == [("Talk to a recruiter", "/request_human")]
    replies = stack.chat(sender, "when is my interview?")  # the interview itself, then what is still possible
    assert said(replies)[0] == "Your upcoming interview:" and said(replies)[2:] == [expected]
    assert buttons(replies[2]) == [("Talk to a recruiter", "/request_human")]


def test_asking_about_interviews_offers_the_one_to_book_and_says_how_to_move_one_the_team_arranged(stack, invitee):
    sender = f"sched-ask-{uuid.uuid4().hex}"
    replies = stack.chat(sender, "when is my interview?", token(stack, invitee["external_id"]))
    assert said(replies) == ["You don't have any upcoming interviews scheduled. When one is booked, the details will show "
                             "here and in your e-mail.", "You have an interview to book: I can show you the open times."]
    assert buttons(replies[1]) == [("Book my interview", "/book_interview")]
    with session_scope() as db:  # the team arranges another interview through the ATS
        request = db.get(InterviewRequest, invitee["request"])
        db.add(Interview(external_id=f"INT-ATS-{uuid.uuid4().hex[:8]}", application_id=request.application_id,
                         scheduled_at=utcnow() + timedelta(days=12), kind="onsite", location="Berlin office"))
    replies = stack.chat(sender, "when is my interview?")
    assert said(replies)[0] == "Your upcoming interview:" and said(replies)[2:] == [
        "The team arranged this interview, so to move it, reply to your invitation e-mail or ask me for a recruiter.",
        "You also have an interview to book: I can show you the open times."]
    assert buttons(replies[2]) == [("Talk to a recruiter", "/request_human")]
    replies = stack.chat(sender, "/book_interview")
    assert said(replies) == ["Here are the next open times (Europe/Berlin time):"]
    stack.chat(sender, invitee["slots"][0][0])
    replies = stack.chat(sender, "when is my interview?")
    assert said(replies)[0] == "Your upcoming interviews:" and said(replies)[3:] == [
        "You booked your video interview for **Data Scientist** in this chat, so you can move or cancel it here until "
        f"{(invitee['slots'][0][1] - timedelta(hours=24)).astimezone(BERLIN):%A %-d %B, %H:%M}.",
        "The team arranged your other interview, so to move it, reply to your invitation e-mail or ask me for a recruiter."]


def test_an_unverified_candidate_verifies_first_then_gets_the_times(stack, invitee):
    sender = f"sched-otp-{uuid.uuid4().hex}"
    replies = stack.chat(sender, "I'd like to book my interview")
    assert said(replies) == ["Before I share or change anything personal, I need to confirm it's you.",
                             "What's the e-mail address you applied with? I'll send a 6-digit code to it. (Type “cancel” to stop.)"]
    assert said(stack.chat(sender, invitee["email"]))[0].startswith("If that address is in our records")
    code = re.search(r"\b(\d{6})\b", mail.outbox(limit=1, to=invitee["email"])[0].get_content()).group(1)
    replies = stack.chat(sender, code)
    assert said(replies) == ["Thanks, Lena: you're verified for this conversation.",
                             "Here are the next open times (Europe/Berlin time):"]
    assert [title for title, _ in buttons(replies[1])][:5] == [label(start) for _, start in invitee["slots"][:5]]


def test_a_candidate_without_an_interview_to_book_is_told_so(stack):
    sender = f"sched-none-{uuid.uuid4().hex}"
    replies = stack.chat(sender, "I'd like to book my interview", token(stack, "C-1001"))
    said_now = said(replies)  # C-1001 has a video interview the team arranged: shown, with how to move it
    assert said_now[:2] == ["I can't see an interview for you to book right now. When the team invites you to one, "
                            "you can book it here.", "Your upcoming interview:"]
    assert said_now[2].startswith("**Data Engineer**: video interview")
    assert said_now[3:] == ["The team arranged this interview, so to move it, reply to your invitation e-mail or ask "
                            "me for a recruiter."]
