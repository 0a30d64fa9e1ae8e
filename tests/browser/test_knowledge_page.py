"""In chromium against the real stack: a question the assistant cannot answer reaches the content owner's page,
masked, and the owner publishes the folder from it."""

from __future__ import annotations

import random
import string
import uuid

import pytest

from assistant.inbox.demo import DEMO_PASSWORD
from tests.browser.browser_helpers import axe_violations, screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_an_unanswered_chat_question_shows_up_masked_for_the_content_owner(stack, page):
    from playwright.sync_api import expect

    creature = "axolotl" + "".join(random.choices(string.ascii_lowercase, k=8))  # letters only: digit runs are masked
    sender = f"kb-gap-{uuid.uuid4().hex[:8]}"
    replies = stack.chat(sender, f"do you offer company cars to the {creature} team in office 4821 3977?")
    intent = stack.tracker(sender)["latest_message"]["intent"]["name"]
    assert intent in ("ask_question", "nlu_fallback"), (intent, replies)

    page.goto(f"{stack.api_url}/login")
    page.fill("#login-email", "casey.content@fernhill.example")
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("h1")).to_have_text("Knowledge base")
    row = page.locator("#declined tr", has_text=creature)
    expect(row).to_have_count(1)
    assert "[number]" in row.inner_text() and "3977" not in row.inner_text()
    expect(page.locator("#problems")).to_contain_text("None")
    assert axe_violations(page, "knowledge-page") == []

    page.click("text=Publish the folder now")
    expect(page.locator("#reindex-outcome")).to_contain_text("Nothing changed")
    screenshot(page, "knowledge-page-after-publish")
