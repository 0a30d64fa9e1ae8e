"""In chromium against the real stack: a recruiter signs in and publishes interview slots on the inbox page with
the keyboard only, a candidate books one of them in the chat, and the recruiter sees the booking; no axe
violations on the page."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.inbox.demo import DEMO_PASSWORD
from tests.browser.browser_helpers import axe_violations, screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]
BERLIN = ZoneInfo("Europe/Berlin")  # settings.business_timezone: the page's times


def _focus_ring(page) -> str:
    """The focused element's outline style ('none' would mean no visible focus)."""
    return page.evaluate("getComputedStyle(document.activeElement).outlineStyle")


def _tab_to(page, name: str, limit: int = 40) -> None:
    """Presses Tab until the element with this name attribute (or button text) has the focus."""
    for _ in range(limit):
        if page.evaluate("(n) => { const e = document.activeElement; return !!e && (e.name === n || "
                         "(e.tagName === 'BUTTON' && e.textContent.trim() === n)); }", name):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{name!r} cannot be reached with Tab")


def _publish(page, job_title: str, start: datetime, interviewer: str) -> None:
    """Fills the "Add a slot" form and submits it with the keyboard only (Tab, type-ahead, Enter)."""
    page.locator("h1").click()  # start from the page, as after a click into it
    _tab_to(page, "job_external_id")
    page.keyboard.type(job_title)  # type-ahead in the closed select
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "starts_at"
    page.keyboard.type(f"{start:%m%d%Y}")  # Chromium's datetime-local: month, day, year (en-US), then
    page.keyboard.press("Tab")  # Tab to the time (a year can have six digits, so it does not move on by itself)
    page.keyboard.type(f"{start:%I%M%p}")
    assert page.input_value("input[name=starts_at]") == f"{start:%Y-%m-%dT%H:%M}"
    _tab_to(page, "duration_minutes", limit=8)  # Tab also steps through the date and time fields inside it
    for name, value in (("duration_minutes", None), ("kind", None), ("meeting_link", "https://meet.example.com/b"),
                        ("location", None), ("interviewer_names", interviewer)):
        if name != "duration_minutes":
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == name, f"Tab order reaches {name}"
        assert _focus_ring(page) != "none", f"{name} shows where the focus is"
        if value:
            page.keyboard.type(value)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Add slot"
    assert _focus_ring(page) != "none"
    page.keyboard.press("Enter")


def test_a_recruiter_publishes_slots_with_the_keyboard_and_sees_the_booking_made_in_the_chat(stack, page):
    from playwright.sync_api import expect

    from assistant.candidates.models import Application, Candidate
    from assistant.db import session_scope
    from assistant.identity import service as identity_service
    from assistant.jobs.models import Job
    from assistant.scheduling.models import InterviewBooking, InterviewRequest

    tag = uuid.uuid4().hex[:6]
    title = f"Zeta Browser Analyst {tag}"
    with session_scope() as db:  # a candidate the ATS invited to book an interview for a job with no slots yet
        job = Job(external_id=f"J-BR-{tag}", title=title, department="data", level="mid", city="Berlin",
                  country="Germany", workplace="hybrid")
        candidate = Candidate(external_id=f"C-BR-{tag}", first_name="Rosa", last_name="Lindqvist",
                              email=f"rosa-{tag}@example.com", time_zone="Europe/Berlin")
        db.add_all([job, candidate])
        db.flush()
        application = Application(external_id=f"APP-BR-{tag}", candidate_id=candidate.id, job_id=job.id, stage="phone_screen")
        db.add(application)
        db.flush()
        db.add(InterviewRequest(external_id=f"IR-BR-{tag}", application_id=application.id, kind="video"))
        job_id = job.id

    page.goto(f"{stack.api_url}/login")
    page.focus("#login-email")
    page.keyboard.type("sam.recruiter@fernhill.example")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    interviews = page.get_by_role("link", name="Interviews")
    interviews.focus()
    assert _focus_ring(page) != "none"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Interview slots")

    today = datetime.now(BERLIN).date()
    first = datetime.combine(today + timedelta(days=3), time(10, 0), tzinfo=BERLIN)
    second = datetime.combine(today + timedelta(days=4), time(14, 30), tzinfo=BERLIN)
    _publish(page, title, first, "Anna Becker")
    expect(page.locator("h1")).to_have_text("Interview slots")
    expect(page.locator("#scheduling-error")).to_have_count(0)
    _publish(page, title, second, "Anna Becker, Jonas Wolf")
    rows = page.locator("#slots tbody tr", has_text=title)
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"{first:%a %d %b %H:%M} · 45 min")
    expect(rows.nth(1)).to_contain_text(f"{second:%a %d %b %H:%M} · 45 min")
    expect(rows.nth(1)).to_contain_text("Anna Becker, Jonas Wolf")
    expect(rows.nth(0)).to_contain_text("free")
    assert axe_violations(page, "scheduling-page") == []
    screenshot(page, "scheduling-page-published")

    sender = f"br-sched-{tag}"  # the candidate books the second time in the chat
    token = {"candidate_token": identity_service.issue_token(candidate_external_id=f"C-BR-{tag}")}
    replies = stack.chat(sender, "I'd like to book my interview", token)
    offered = [(b["title"], b["payload"]) for b in replies[0].get("buttons", [])]
    assert [t for t, _ in offered][:2] == [f"{first:%a %-d %b}, 10:00–10:45", f"{second:%a %-d %b}, 14:30–15:15"]
    replies = stack.chat(sender, offered[1][1], token)
    assert replies[0]["text"].startswith(f"Booked: your video interview for **{title}**")

    page.reload()
    booked = page.locator("#slots tbody tr.booked", has_text=title)
    expect(booked).to_have_count(1)
    expect(booked).to_contain_text(f"{second:%a %d %b %H:%M}")
    expect(booked).to_contain_text(f"booked Rosa Lindqvist · APP-BR-{tag}")
    expect(page.locator("#slots tbody tr.free", has_text=title)).to_contain_text(f"{first:%a %d %b %H:%M}")
    assert axe_violations(page, "scheduling-page-booked") == []
    screenshot(page, "scheduling-page-booked")

    with session_scope() as db:  # what the page shows is the database's one active booking of that slot
        (booking,) = (db.query(InterviewBooking).join(InterviewRequest, InterviewRequest.id == InterviewBooking.request_id)
                      .filter(InterviewRequest.external_id == f"IR-BR-{tag}").all())
        assert booking.status == "booked" and booking.slot.job_id == job_id
