"""Browser fixtures: Debian's chromium driven by Playwright (one browser for this package, a fresh profile
per test, a screenshot of every test's last state in test-artifacts/screenshots/)."""

from __future__ import annotations

import pytest
from tests.browser.browser_helpers import CHROMIUM_ARGS, chromium_path, screenshot


@pytest.fixture(scope="package")
def browser():
    """One headless chromium for the browser tests; closed when they are done, because Playwright's sync
    API keeps an event loop running in this thread while it is open (later asyncio tests would fail)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (empty localStorage) per test, desktop-sized."""
    # Test instrumentation (axe-core, wait_for_function) injects and evaluates scripts, which the pages'
    # Content-Security-Policy forbids; test_csp.py checks the pages under their real policy.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, request):
    """A page that fails the test on uncaught script errors and leaves a screenshot behind."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    screenshot(page, f"{request.node.name}-end")
    assert not errors, f"script errors on the page: {errors}"
