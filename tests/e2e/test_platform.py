"""The first conversation path through all three real services (Rasa REST channel, action server, API)."""

from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.stack


def texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text", "") for reply in replies)


def test_greeting_discloses_the_assistant_is_automated(stack):
    replies = stack.chat(f"platform-{uuid.uuid4().hex}", "hello")
    joined = texts(replies)
    assert "automated assistant" in joined
    assert "recruiter can take over" in joined
    assert any(reply.get("buttons") for reply in replies), "capabilities come with suggestion buttons"


def test_capabilities_goodbye_and_out_of_scope(stack):
    sender = f"platform-{uuid.uuid4().hex}"
    assert "application stands" in texts(stack.chat(sender, "what can you do for me?"))
    assert "outside what I can help with" in texts(stack.chat(sender, "what's the weather like in Paris today?"))
    assert "good luck" in texts(stack.chat(sender, "bye bye")).lower()


def test_services_report_health(stack):
    assert httpx.get(f"{stack.api_url}/health").json() == {"status": "ok"}
    ready = httpx.get(f"{stack.api_url}/health/ready").json()
    assert ready["checks"] == {"database": "ok", "rasa": "ok", "actions": "ok"}
    assert httpx.get(f"{stack.action_url}/health").status_code == 200


def test_rasa_http_api_needs_the_token(stack):
    response = httpx.get(f"{stack.rasa_url}/conversations/someone/tracker")
    assert response.status_code == 401


def test_chat_page_is_served_with_the_widget(stack):
    page = httpx.get(f"{stack.api_url}/chat")
    assert page.status_code == 200
    assert '<script src="/static/chat.js"></script>' in page.text and 'id="chat-config"' in page.text
    assert "CandidateChat.mount" in httpx.get(f"{stack.api_url}/static/chat.js").text
    assert httpx.get(f"{stack.api_url}/static/vendor/socket.io.min.js").status_code == 200
