"""In chromium against the real stack: the analytics page draws its charts (Chart.js, no inline script) beside
tables holding the demo data's true values and exports CSV; the bias audit flags the skewed demo output and
an admin switches an AI feature off and on; the privacy team erases a candidate from its page."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import httpx
import pytest

from assistant.analytics import demo
from assistant.audit import demo as audit_demo
from assistant.db import session_scope
from tests.browser.browser_helpers import axe_violations, screenshot
from tests.inbox.conftest import PASSWORD, api_account, app_db  # noqa: F401 - fixtures

pytestmark = [pytest.mark.stack, pytest.mark.browser]
DEMO_NOW = datetime(2023, 6, 15, tzinfo=timezone.utc)  # its own period: no other test writes there


def _sign_in(page, stack, email: str) -> None:
    page.goto(f"{stack.api_url}/login")
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")


@pytest.fixture(scope="module")
def demo_data(stack):
    with session_scope() as db:
        demo.load(db_session=db, tracker_store_url=stack.settings.tracker_store_url, now=DEMO_NOW)
        audit_demo.load(db_session=db)


def test_analytics_page_charts_tables_and_csv(stack, demo_data, page, api_account):  # noqa: F811
    from playwright.sync_api import expect

    _sign_in(page, stack, api_account("lead"))
    expect(page.locator("h1")).to_have_text("Analytics")  # a lead lands on the analytics page
    page.goto(f"{stack.api_url}/inbox/analytics?from=2023-06-01&to=2023-06-14")
    page.wait_for_selector("body[data-charts=drawn]")
    truth = demo.expected(demo.CURRENT)
    row = page.locator('#headline tr[data-key="containment_rate"] td')
    expect(row.nth(1)).to_have_text(f"{truth['containment_rate'] * 100:.1f} %")
    expect(page.locator('#headline tr[data-key="time_to_fill_days_p50"] td').nth(1)).to_have_text(f"{truth['time_to_fill_days_p50']:.1f} days")
    expect(page.locator('#headline tr[data-key="nps"] td').nth(2)).to_have_text(f"{demo.expected(demo.BASELINE)['nps']:.2f}")
    for chart in ("chart-conversations", "chart-reasons", "chart-funnel"):
        box = page.locator(f"#{chart}").bounding_box()
        assert box["width"] > 200 and box["height"] > 200, chart
    expect(page.locator("#reasons")).to_contain_text("request human")
    comments = page.locator("#feedback tr", has_text="Comments with").locator("td")
    expect(comments.nth(1)).to_have_text(f"{truth['chat_rating_comments']} / {truth['nps_comments']}")
    assert axe_violations(page, "analytics-page") == []
    page.screenshot(path=str(screenshot(page, "analytics-page")), full_page=True)
    with page.expect_download() as download:
        page.click("#csv-export")
    lines = open(download.value.path()).read().splitlines()
    assert lines[0] == "figure,period,baseline"
    assert f"offers_accepted,{sum(d.offers_accepted for d in demo.CURRENT.departments.values())}," in "\n".join(lines)
    page.select_option("select[name=department]", "Care")
    page.click("text=Show")
    page.wait_for_selector("body[data-charts=drawn]")
    care = demo.expected(demo.CURRENT, "Care")
    expect(page.locator('#headline tr[data-key="offer_acceptance_rate"] td').nth(1)).to_have_text(
        f"{care['offer_acceptance_rate'] * 100:.1f} %")


def test_bias_audit_flags_the_skew_and_an_admin_switches_features(stack, demo_data, page, api_account):  # noqa: F811
    from playwright.sync_api import expect

    admin = api_account("admin")
    _sign_in(page, stack, admin)
    page.goto(f"{stack.api_url}/inbox/audit")
    recommended = page.locator('section[data-output="recommended"]')
    expect(recommended).to_contain_text("Flagged: sex:female")
    expect(page.locator('section[data-output="ats_stage:under_review"]')).to_contain_text("the employer's process")
    journeys = page.locator('#feature-switches tr[data-feature="journeys"]')
    try:
        journeys.get_by_label("Reason for turning journeys off (optional)").fill("Browser test: pausing the nudges")
        journeys.get_by_role("button", name="Turn off").click()
        expect(journeys.locator(".badge")).to_have_text("off")
    finally:
        page.locator('#feature-switches tr[data-feature="journeys"]').get_by_role("button", name="Turn on").click()
    expect(journeys.locator(".badge")).to_have_text("on")
    changes = page.locator('#switch-history tbody tr[data-feature="journeys"]')  # newest first, with who and why
    expect(changes.nth(0).locator("td").nth(2)).to_have_text("on")
    expect(changes.nth(1).locator("td").nth(2)).to_have_text("off")
    expect(changes.nth(1).locator("td").nth(4)).to_have_text("Browser test: pausing the nudges")
    expect(changes.nth(1).locator("td").nth(3)).to_have_text(admin)
    assert axe_violations(page, "audit-page") == []
    page.screenshot(path=str(screenshot(page, "audit-page")), full_page=True)


def test_privacy_team_erases_a_candidate_from_its_page(stack, page, api_account):  # noqa: F811
    from playwright.sync_api import expect

    tag = uuid.uuid4().hex[:6]
    key = {"X-API-Key": stack.settings.secret("ats_api_key")}
    person = {"external_id": f"C-PAGE-{tag}", "first_name": "Rae", "email": f"rae.{tag}@example.com"}
    assert httpx.post(f"{stack.api_url}/api/ats/candidates", json=[person], headers=key, timeout=30).json()["created"] == 1
    _sign_in(page, stack, api_account("privacy"))
    expect(page.locator("h1")).to_have_text("Candidates' data requests")
    page.fill('form[action="/inbox/privacy/export"] input[name=external_id]', person["external_id"])
    with page.expect_download() as download:
        page.click("#export")
    assert person["email"] in open(download.value.path()).read()
    page.fill('form[action="/inbox/privacy/erase"] input[name=external_id]', person["external_id"])
    page.fill("input[name=confirm]", "not the id")
    page.click("#erase")
    expect(page.locator("[role=alert]")).to_contain_text("Type the candidate's id a second time")
    page.fill("input[name=confirm]", person["external_id"])
    page.click("#erase")
    expect(page.locator("#erased")).to_contain_text("Erased")
    assert axe_violations(page, "privacy-page") == []
    page.screenshot(path=str(screenshot(page, "privacy-page")), full_page=True)


def test_analytics_page_works_under_its_real_policy(stack, demo_data, browser, api_account):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # no CSP bypass
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.on("pageerror", lambda error: violations.append(str(error)))
    try:
        _sign_in(page, stack, api_account("admin"))
        page.goto(f"{stack.api_url}/inbox/analytics?from=2023-06-01&to=2023-06-14")
        page.wait_for_selector("body[data-charts=drawn]")
        assert violations == []
    finally:
        context.close()
