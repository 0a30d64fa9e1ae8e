"""Every message gets a reply through the real stack: over-long messages are refused before NLU, and a turn
the action server cannot serve gets an honest notice instead of silence (rasa_channel/)."""

from __future__ import annotations

import uuid

import pytest

from assistant.settings import get_settings

pytestmark = pytest.mark.stack


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text", "") for reply in replies]


def test_an_over_long_message_gets_the_length_notice_and_never_reaches_nlu(stack):
    sender = f"long-{uuid.uuid4().hex[:8]}"
    limit = get_settings().max_message_chars
    replies = stack.chat(sender, "where is my application " * 50_000)  # 1.2 MB
    assert texts(replies) == [f"That message is too long for me to read: please keep it under {limit:,} characters. "
                              "You could send the most important part first."]
    user_events = [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert user_events == []  # nothing was parsed or stored
    # The limit itself is still served normally.
    assert stack.chat(sender, "hi" + " " * (limit - 2))


def test_a_killed_action_server_gives_an_honest_notice_and_the_stack_keeps_serving(stack):
    sender = f"crash-{uuid.uuid4().hex[:8]}"
    email = get_settings().recruiting_email
    notice = ("Sorry, I can't answer that right now because of a technical problem on our side. "
              f"Nothing you sent is lost. Please try again in a few minutes or e-mail {email}.")
    stack.kill("actions")
    try:
        assert texts(stack.chat(sender, "how long does the hiring process take?")) == [notice]
        # The message is kept in the conversation.
        user_texts = [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]
        assert user_texts == ["how long does the hiring process take?"]
    finally:
        stack.start("actions")
    replies = stack.chat(sender, "how long does the hiring process take?")
    assert replies and notice not in texts(replies)
