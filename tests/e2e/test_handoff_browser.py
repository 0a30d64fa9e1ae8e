"""In real Chromium: a candidate escalates in the chat page, a recruiter claims and replies in the inbox, the reply
appears in the candidate's chat, then the recruiter hands back and the assistant answers again.

Relies on the widget's stable hooks: `window.fullPageChat.sessionId()`, `.cc-input`, `.cc-msg.cc-bot`,
`.cc-msg.cc-human` (recruiter bubbles), and on the inbox's ids (#login-email, #claim, #reply-body, #hand-back).
"""

from __future__ import annotations

import pytest

from assistant.inbox.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.stack, pytest.mark.browser]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def say(page, text: str) -> None:
    page.fill(".cc-input", text)
    page.press(".cc-input", "Enter")


def test_candidate_and_recruiter_talk_then_the_assistant_takes_over_again(stack, browser):
    from playwright.sync_api import expect

    candidate = browser.new_context(bypass_csp=True).new_page()  # for wait_for_function; see test_csp.py
    candidate.goto(f"{stack.api_url}/chat")
    candidate.wait_for_function("window.fullPageChat && window.fullPageChat.sessionId()")
    say(candidate, "I'd really like to speak with a real person from recruiting")
    expect(candidate.locator(".cc-msg.cc-bot").filter(has_text="passed this conversation")).to_be_visible(timeout=30_000)
    session_id = candidate.evaluate("window.fullPageChat.sessionId()")

    recruiter = browser.new_context(bypass_csp=True).new_page()
    recruiter.goto(f"{stack.api_url}/inbox")
    recruiter.fill("#login-email", "sam.recruiter@fernhill.example")
    recruiter.fill("#login-password", DEMO_PASSWORD)
    recruiter.click("#login-submit")
    expect(recruiter.locator("h1")).to_have_text("Queue")
    ticket_id = stack_ticket_id(stack, session_id)
    recruiter.locator(f'a[href="/inbox/tickets/{ticket_id}"]').click()  # listed in the live queue
    recruiter.click("#claim")
    expect(recruiter.locator("#ticket-assignee")).to_have_text("Sam Recruiter")

    say(candidate, "I need to move my interview, is that possible?")
    expect(recruiter.locator("#thread")).to_contain_text("I need to move my interview", timeout=10_000)  # live refresh

    recruiter.fill("#reply-body", "Hi, this is Sam. Yes, we can move it: does Thursday work?")
    recruiter.click("#reply-send")
    expect(candidate.locator(".cc-msg.cc-human").filter(has_text="does Thursday work?")).to_be_visible(timeout=2_000)

    recruiter.click("#hand-back")
    expect(recruiter.locator("#ticket-status")).to_have_text("resolved")
    expect(candidate.locator(".cc-msg").filter(has_text="back with the automated assistant")).to_be_visible(timeout=5_000)
    say(candidate, "what can you do for me?")
    expect(candidate.locator(".cc-msg.cc-bot").filter(has_text="application stands")).to_be_visible(timeout=30_000)


def stack_ticket_id(stack, conversation_id: str) -> int:
    from sqlalchemy import select

    from assistant.db import session_scope
    from assistant.inbox.models import Ticket

    with session_scope() as db:
        return db.scalar(select(Ticket.id).where(Ticket.open_conversation_id == conversation_id))
