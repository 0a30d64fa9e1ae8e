"""Over-long messages never reach an action: the action server answers them itself (real action server)."""

from __future__ import annotations

import json
import zlib

import httpx
import pytest

from actions.message_limit import notice, overlong_reply
from assistant.settings import get_settings


def _call(action: str, text: str, requested_slot: str | None = None) -> dict:
    return {"next_action": action, "sender_id": "limit-test", "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": "limit-test", "slots": {"requested_slot": requested_slot},
                        "latest_message": {"text": text, "intent": {"name": "verify_identity"}, "entities": []},
                        "events": [], "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": "action_listen"}}


def test_messages_up_to_the_limit_run_the_action():
    assert overlong_reply(_call("action_search_knowledge", "x" * get_settings().max_message_chars)) is None


def test_an_overlong_message_is_reverted_with_a_notice():
    reply = overlong_reply(_call("action_search_knowledge", "x" * (get_settings().max_message_chars + 1)))
    assert reply == {"events": [{"event": "rewind", "timestamp": None}], "responses": [{"text": notice()}]}


def test_an_overlong_form_answer_empties_the_requested_slot():
    reply = overlong_reply(_call("validate_verify_form", "a@" * 100_000, requested_slot="verify_email"))
    assert reply["events"] == [{"event": "slot", "name": "verify_email", "value": None, "timestamp": None}]


@pytest.mark.parametrize("deflate", [False, True])
def test_the_running_action_server_refuses_a_megabyte_before_any_action(stack, deflate):
    """A 1 MB e-mail answer used to spend minutes in EMAIL_RE; now no action sees it."""
    body = json.dumps(_call("validate_verify_form", "a" * 1_000_000, requested_slot="verify_email")).encode()
    headers = {"Content-Type": "application/json"}
    if deflate:
        body, headers["Content-Encoding"] = zlib.compress(body), "deflate"
    response = httpx.post(f"http://127.0.0.1:{get_settings().action_port}/webhook", content=body, headers=headers,
                          timeout=30)
    assert response.status_code == 200
    assert response.json()["responses"][0]["text"] == notice()
    assert response.json()["events"] == [{"event": "slot", "name": "verify_email", "value": None, "timestamp": None}]
