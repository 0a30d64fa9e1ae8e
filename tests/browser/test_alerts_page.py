"""In chromium: the unsubscribe link of a job-alert e-mail asks first, then turns alerts off."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.browser_helpers import axe_violations, screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_unsubscribe_link_asks_then_turns_job_alerts_off(stack, page):
    from playwright.sync_api import expect

    from assistant.candidates.models import Candidate
    from assistant.db import session_scope
    from assistant.jobs import alerts

    with session_scope() as db:
        candidate = Candidate(external_id=f"C-UNSUB-{uuid.uuid4().hex[:6]}", first_name="Uma", job_alerts=True,
                              email=f"uma-{uuid.uuid4().hex[:8]}@example.com")
        db.add(candidate)
        db.flush()
        candidate_id, token = candidate.id, alerts.unsubscribe_token(candidate)

    page.goto(f"{stack.api_url}/alerts/unsubscribe?token={token}")
    expect(page.locator("h1")).to_have_text("Stop job alerts?")
    assert axe_violations(page, "unsubscribe") == []
    with session_scope() as db:
        assert db.get(Candidate, candidate_id).job_alerts is True, "opening the link changed nothing"
    page.click("#unsubscribe")
    expect(page.locator("#unsubscribed")).to_be_visible()
    screenshot(page, "unsubscribed")
    with session_scope() as db:
        assert db.get(Candidate, candidate_id).job_alerts is False
