"""The pages under their real Content-Security-Policy (no test bypass): the career site's chat reaches Rasa over
socket.io and answers, the full-page chat mounts, the inbox signs in, and the browser reports no violation."""

from __future__ import annotations

import pytest

from assistant.inbox.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.stack, pytest.mark.browser]


@pytest.fixture
def strict_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # no bypass_csp
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.violations.append(message.text))
    page.on("pageerror", lambda error: page.violations.append(str(error)))
    yield page
    context.close()


def test_pages_work_under_their_policy(stack, strict_page):
    from playwright.sync_api import expect

    page = strict_page
    page.goto(f"{stack.api_url}/")
    page.get_by_role("button", name="Chat with us").click()
    for _ in range(100):  # the socket.io session is up (evaluate runs over the DevTools protocol, not page eval)
        if page.evaluate("() => Boolean(window.careerSiteChat && window.careerSiteChat.sessionId())"):
            break
        page.wait_for_timeout(200)
    page.locator(".cc-input").fill("how long does the hiring process take?")
    page.keyboard.press("Enter")
    replies = page.locator(".cc-msg.cc-bot")
    expect(replies, f"CSP reports: {page.violations}").not_to_have_count(0, timeout=60_000)  # answered over socket.io

    page.goto(f"{stack.api_url}/chat")
    expect(page.locator(".cc-input")).to_be_visible()

    page.goto(f"{stack.api_url}/login")
    page.fill("#login-email", "sam.recruiter@fernhill.example")
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("h1")).to_have_text("Queue")
    assert page.violations == []
