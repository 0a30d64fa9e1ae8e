"""The chat widget in a real browser against a scripted socket (faked at the edge: the socket.io client).

The fake emits exactly what Rasa 3.6's socket.io channel emits (see api/static/widget.js), so these tests
pin rendering, safety and keyboard behaviour without a Rasa server; tests/browser/test_career_site.py
runs the same widget against the real stack.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.browser.browser_helpers import ROOT, axe_violations, screenshot

pytestmark = pytest.mark.browser

ORIGIN = "http://widget.test"
STATIC = ROOT / "api" / "static"

FAKE_IO = """
window.fakeSockets = [];
window.io = function (url, options) {
  var handlers = {};
  var socket = { url: url, options: options, connected: false, emitted: [],
    on: function (name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
    emit: function (name, data) {
      socket.emitted.push([name, data]);
      if (name === "session_request") {
        setTimeout(function () { socket.fire("session_confirm", data.session_id || "generated-session"); }, 0);
      }
    },
    fire: function (name, data) { (handlers[name] || []).forEach(function (fn) { fn(data); }); },
    disconnect: function () { socket.connected = false; }
  };
  window.fakeSockets.push(socket);
  setTimeout(function () { socket.connected = true; socket.fire("connect"); }, 0);
  return socket;
};
"""

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Widget test</title>
<link rel="stylesheet" href="/static/widget.css"></head>
<body><main><h1>Widget test page</h1><p>Host page content.</p></main><div id="chat"></div>
<script src="/fake-io.js"></script><script src="/static/widget.js"></script>
<script>
  var params = new URLSearchParams(location.search);
  window.chat = CandidateChat.mount(document.getElementById("chat"), {
    serverUrl: "http://rasa.test", apiUrl: "", title: "Careers assistant", privacyUrl: "https://careers.example/privacy",
    maxMessageChars: 50, inline: params.get("inline") === "1", visitorId: "visitor-1",
    getCandidateToken: function () { return params.get("token"); },
    pageContext: { job_id: "FH-1001" }
  });
</script></body></html>"""


def token_for(subject: str) -> str:
    """Returns an unsigned JWT-shaped token: the widget only reads `sub` to notice who is signed in."""
    part = base64.urlsafe_b64encode(json.dumps({"sub": subject}).encode()).decode().rstrip("=")
    return f"e30.{part}.signature"


@pytest.fixture
def widget(page):
    """Serves the test page, the fake socket.io client and the real widget files from a fake origin."""
    posted: list[dict] = []

    def handle(route):
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        if path == "/api/knowledge/feedback":
            posted.append(json.loads(route.request.post_data or "{}"))
            return route.fulfill(status=200, content_type="application/json", body='{"ok": true}')
        if path.startswith("/static/"):
            file = STATIC / path.removeprefix("/static/")
            kind = "text/css" if file.suffix == ".css" else "application/javascript"
            return route.fulfill(status=200, content_type=kind, body=file.read_text())
        if path == "/fake-io.js":
            return route.fulfill(status=200, content_type="application/javascript", body=FAKE_IO)
        return route.fulfill(status=200, content_type="text/html", body=PAGE)

    page.route(f"{ORIGIN}/**", handle)
    page.posted = posted
    return page


def open_inline(page, query: str = "inline=1") -> None:
    page.goto(f"{ORIGIN}/?{query}")
    page.wait_for_function("window.fakeSockets.length > 0 && window.fakeSockets.at(-1).connected")
    page.wait_for_function("window.fakeSockets.at(-1).emitted.some(e => e[0] === 'session_request')")


def bot(page, message: dict) -> None:
    """Delivers one bot_uttered event as Rasa would."""
    page.evaluate("(m) => window.fakeSockets.at(-1).fire('bot_uttered', m)", message)


SENT = "window.fakeSockets.flatMap(s => s.emitted).filter(e => e[0] === 'user_uttered').map(e => e[1])"


def sent_messages(page) -> list[dict]:
    return page.evaluate(SENT)


def type_and_send(page, text: str) -> dict:
    """Types a message, presses Enter and returns it as the socket emitted it (after a reconnect the widget
    holds it until the new session is confirmed, so this waits for it)."""
    before = len(sent_messages(page))
    page.locator(".cc-input").fill(text)
    page.keyboard.press("Enter")
    page.wait_for_function(f"(n) => {SENT}.length > n", arg=before)
    return sent_messages(page)[-1]


def test_markdown_subset_is_rendered_and_everything_else_stays_text(widget):
    open_inline(widget)
    bot(widget, {"text": "<img src=x onerror=window.pwned=1> **Bold** and _italic_ [docs](https://example.org/a) "
                          "[bad](javascript:alert(1)) <script>window.pwned=2</script>\n- one\n- **two**"})
    message = widget.locator(".cc-bot").last
    assert message.locator("img, script").count() == 0
    assert widget.evaluate("window.pwned") is None
    assert "<img src=x onerror=window.pwned=1>" in message.inner_text()
    assert message.locator("strong").first.inner_text() == "Bold"
    assert message.locator("em").inner_text() == "italic"
    link = message.locator("a")
    assert link.count() == 1, "only the http(s) link becomes a link"
    assert link.get_attribute("href") == "https://example.org/a"
    assert link.get_attribute("rel") == "noopener noreferrer" and link.get_attribute("target") == "_blank"
    assert "[bad](javascript:alert(1))" in message.inner_text()
    assert message.locator("li").all_inner_texts() == ["one", "two"]


def test_disclosure_and_privacy_link_show_before_the_first_message(widget):
    open_inline(widget)
    disclosure = widget.locator(".cc-disclosure")
    assert "automated assistant" in disclosure.inner_text()
    assert disclosure.locator("a").get_attribute("href") == "https://careers.example/privacy"
    assert widget.locator(".cc-msg").count() == 0


def test_quick_replies_send_their_payload_with_metadata(widget):
    open_inline(widget, f"inline=1&token={token_for('C-1')}")
    bot(widget, {"text": "What next?", "quick_replies": [{"content_type": "text", "title": "Find jobs", "payload": "/find_jobs"}]})
    assert widget.get_by_role("button", name="Find jobs for me").count() == 0, "starter suggestions go once the chat starts"
    widget.get_by_role("button", name="Find jobs", exact=True).click()
    sent = sent_messages(widget)[-1]
    assert sent["message"] == "/find_jobs"
    assert sent["session_id"] == widget.evaluate("window.chat.sessionId()")
    assert sent["customData"]["visitor_id"] == "visitor-1"
    assert sent["customData"]["candidate_token"] == token_for("C-1")
    assert sent["customData"]["page"]["job_id"] == "FH-1001"
    assert widget.locator(".cc-user").last.inner_text().endswith("Find jobs")


def test_job_cards_not_interested_and_show_more(widget):
    open_inline(widget)
    jobs = [
        {"id": "FH-1", "title": "Data Engineer", "location": "Berlin, Germany", "workplace": "hybrid",
         "salary": "EUR 60,000–75,000", "url": "https://careers.example/jobs/FH-1", "why": "Matches Python and SQL"},
        {"id": "FH-2", "title": "Analytics Engineer", "location": "Remote", "workplace": "remote", "salary": "",
         "url": "javascript:alert(1)", "why": ""},
    ]
    bot(widget, {"type": "job_cards", "jobs": jobs, "more": True})
    cards = widget.locator(".cc-card")
    assert cards.count() == 2
    first = cards.nth(0)
    assert "Berlin, Germany · hybrid · EUR 60,000–75,000" in first.inner_text()
    assert "Matches Python and SQL" in first.inner_text()
    assert first.locator("a").get_attribute("href") == "https://careers.example/jobs/FH-1"
    assert cards.nth(1).locator("a").count() == 0, "an unsafe job URL is not linked"

    widget.get_by_role("button", name="Not interested in Data Engineer").click()
    assert widget.locator(".cc-card").count() == 1
    assert sent_messages(widget)[-1]["message"] == '/not_interested{"job_id":"FH-1"}'
    widget.get_by_role("button", name="Show more jobs").click()
    assert sent_messages(widget)[-1]["message"] == "/more_jobs"
    assert widget.get_by_role("button", name="Show more jobs").count() == 0


def test_cited_answer_shows_its_source_and_sends_feedback_to_the_api(widget):
    open_inline(widget)
    thumbs = [{"content_type": "text", "title": "👍 Helpful", "payload": '/answer_feedback{"answer_id":"ans-1","helpful":true}'}]
    bot(widget, {"text": "Most interviews are **video calls**.", "quick_replies": thumbs})
    bot(widget, {"type": "cited_answer", "answer_id": "ans-1", "feedback": True,
                 "source": {"title": "Interviews", "url": "https://careers.example/help/interviews", "section": "Formats"}})
    assert widget.locator(".cc-buttons").count() == 0, "the thumbs replace feedback-only quick replies"
    answer = widget.locator(".cc-bot").last
    source = answer.locator(".cc-source a")
    assert source.inner_text() == "Interviews — Formats"
    assert source.get_attribute("href") == "https://careers.example/help/interviews"
    answer.get_by_role("button", name="This answer helped").click()
    widget.wait_for_function("document.querySelector('.cc-feedback-status').textContent.includes('Thanks')")
    session = widget.evaluate("window.chat.sessionId()")
    assert widget.posted == [{"answer_id": "ans-1", "conversation_id": session, "helpful": True}]
    assert answer.get_by_role("button", name="This answer helped").get_attribute("aria-pressed") == "true"
    assert sent_messages(widget) == [], "feedback goes to the API, not into the conversation"


def test_handoff_banner_and_recruiter_messages(widget):
    open_inline(widget)
    bot(widget, {"text": "I've passed this to our recruiting team."})
    bot(widget, {"type": "handoff", "state": "waiting"})
    banner = widget.locator(".cc-banner")
    assert banner.is_visible() and "A recruiter will reply here" in banner.inner_text()
    widget.locator(".cc-input").fill("Thanks, I'll wait")
    widget.keyboard.press("Enter")
    assert widget.locator(".cc-typing").is_hidden(), "no typing indicator while a person is due to answer"

    bot(widget, {"text": "Hi, I'm Sam. How can I help?"})
    bot(widget, {"type": "handoff", "state": "live", "name": "Sam"})
    assert banner.inner_text() == "You are chatting with Sam from Recruiting."
    human = widget.locator(".cc-human").last
    assert "Sam · Recruiting" in human.inner_text() and "How can I help?" in human.inner_text()
    bot(widget, {"text": "Your interview is confirmed."})
    bot(widget, {"type": "handoff", "state": "live", "name": "Sam"})
    assert widget.locator(".cc-human").count() == 2
    assert widget.locator(".cc-system").count() == 2, "a repeated state adds no note"
    bot(widget, {"text": "An unmarked message."})
    assert widget.locator(".cc-bot").last.inner_text().endswith("An unmarked message."), \
        "only a marked message is shown as a person's"
    screenshot(widget, "widget-handoff-live")

    bot(widget, {"type": "handoff", "state": "ended"})
    assert banner.is_hidden()


def test_history_survives_a_reload_and_a_new_candidate_starts_fresh(widget):
    open_inline(widget, f"inline=1&token={token_for('C-1')}")
    widget.locator(".cc-input").fill("hello")
    widget.keyboard.press("Enter")
    bot(widget, {"text": "Hi there!", "quick_replies": [{"content_type": "text", "title": "Jobs", "payload": "/find_jobs"}]})
    session = widget.evaluate("window.chat.sessionId()")

    open_inline(widget, f"inline=1&token={token_for('C-1')}")
    assert widget.evaluate("window.fakeSockets.at(-1).emitted[0]") == ["session_request", {"session_id": session}]
    assert widget.locator(".cc-user").inner_text().endswith("hello")
    assert widget.locator(".cc-bot").inner_text().endswith("Hi there!")
    assert widget.get_by_role("button", name="Jobs").count() == 1

    widget.get_by_role("button", name="New chat").click()
    assert widget.locator(".cc-msg").count() == 0
    assert widget.evaluate("window.chat.sessionId()") != session
    assert widget.evaluate("window.fakeSockets.at(-1).emitted[0]") == ["session_request", {"session_id": widget.evaluate("window.chat.sessionId()")}]

    open_inline(widget, f"inline=1&token={token_for('C-1')}")
    session = widget.evaluate("window.chat.sessionId()")
    open_inline(widget, f"inline=1&token={token_for('C-2')}")
    assert widget.evaluate("window.chat.sessionId()") != session
    assert widget.locator(".cc-msg").count() == 0, "another candidate never sees this conversation"


def test_the_transcript_stays_in_this_tab_and_every_message_carries_the_window_key(widget):
    open_inline(widget)
    widget.locator(".cc-input").fill("where is my application?")
    widget.keyboard.press("Enter")
    bot(widget, {"text": "Before I share or change anything personal, I need to confirm it's you."})
    key = sent_messages(widget)[-1]["customData"]["client_key"]
    assert len(key) == 64 and int(key, 16) >= 0
    assert widget.evaluate("window.localStorage.length") == 0, "nothing outlives the tab"
    assert "Before I share" in widget.evaluate("JSON.stringify(window.sessionStorage)")
    session = widget.evaluate("window.chat.sessionId()")

    open_inline(widget)  # a reload in the same tab: same conversation, same window key
    assert type_and_send(widget, "hello")["customData"]["client_key"] == key
    assert widget.evaluate("window.chat.sessionId()") == session

    widget.get_by_role("button", name="New chat").click()  # a new chat is a new window: the old verification stays behind
    assert type_and_send(widget, "hello")["customData"]["client_key"] not in ("", key)

    # a conversation left alone longer than the idle time starts fresh on the next visit
    widget.evaluate("""() => { const k = Object.keys(sessionStorage)[0]; const s = JSON.parse(sessionStorage.getItem(k));
                              s.lastActive = Date.now() - 31 * 60000; sessionStorage.setItem(k, JSON.stringify(s)); }""")
    fresh_session = widget.evaluate("window.chat.sessionId()")
    open_inline(widget)
    assert widget.evaluate("window.chat.sessionId()") != fresh_session
    assert widget.locator(".cc-msg").count() == 0


def test_message_limit_keyboard_and_focus(widget):
    widget.goto(f"{ORIGIN}/")
    launcher = widget.get_by_role("button", name="Chat with us")
    launcher.focus()
    widget.keyboard.press("Enter")
    assert widget.evaluate("document.activeElement.classList.contains('cc-input')"), "focus moves into the panel"
    assert widget.get_by_role("dialog").is_visible()

    widget.keyboard.type("x" * 60)
    note = widget.locator(".cc-note")
    assert "up to 50 characters" in note.inner_text() and "by 10" in note.inner_text()
    assert widget.locator(".cc-send").is_disabled()
    widget.keyboard.press("Enter")
    assert sent_messages(widget) == [] and widget.locator(".cc-input").input_value() == "x" * 60, "nothing is lost"

    widget.locator(".cc-input").fill("x" * 45)
    assert "45 of 50 characters" in note.inner_text()
    widget.locator(".cc-input").fill("Where is my application?")
    widget.keyboard.press("Enter")
    widget.wait_for_function(f"{SENT}.length > 0")
    assert sent_messages(widget)[-1]["message"] == "Where is my application?"
    assert widget.locator(".cc-typing").is_visible()

    widget.keyboard.press("Escape")
    assert widget.get_by_role("dialog").is_hidden()
    assert widget.evaluate("document.activeElement.classList.contains('cc-launcher')"), "focus returns to the launcher"


def test_bubble_is_usable_360_pixels_wide_and_accessible(widget):
    widget.set_viewport_size({"width": 360, "height": 740})
    widget.goto(f"{ORIGIN}/")
    widget.get_by_role("button", name="Chat with us").click()
    widget.wait_for_function("window.fakeSockets.length > 0 && window.fakeSockets.at(-1).connected")
    bot(widget, {"text": "Here are some roles:"})
    bot(widget, {"type": "job_cards", "more": False, "jobs": [
        {"id": "FH-1", "title": "Senior Platform Engineer (Kubernetes, Observability)", "location": "Lisbon, Portugal",
         "workplace": "hybrid", "salary": "EUR 70,000–90,000", "url": "https://careers.example/jobs/FH-1", "why": "You listed Go"}]})
    box = widget.get_by_role("dialog").bounding_box()
    assert box["width"] <= 360
    assert widget.evaluate("document.scrollingElement.scrollWidth") <= 360, "no sideways scrolling"
    screenshot(widget, "widget-360px")
    assert axe_violations(widget, "widget-fake-socket") == []
