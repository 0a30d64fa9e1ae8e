"""Escalation through the real stack: Rasa (trained model), action server, API and the recruiter inbox."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

import httpx
import pytest
import socketio

from assistant.escalation.reasons import ESCALATION_INTENTS
from assistant.inbox.demo import DEMO_PASSWORD
from assistant.settings import ROOT

pytestmark = pytest.mark.stack
DATA = ROOT / "tests" / "escalation" / "data"
SAM = "sam.recruiter@fernhill.example"


def texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text", "") for reply in replies)


def first_heldout_per_reason() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for line in (DATA / "heldout.jsonl").read_text().splitlines():
        row = json.loads(line)
        seen.setdefault(row["intent"], row["text"])
    return sorted(seen.items())


def ticket_ids(conversation_id: str, database_url: str | None = None) -> list[int]:
    """Returns the ids of the conversation's tickets, oldest first, read from the stack's database (or the
    one at database_url, e.g. a cluster's)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from assistant.db import make_engine, session_scope
    from assistant.inbox.models import Ticket

    query = select(Ticket.id).where(Ticket.conversation_id == conversation_id).order_by(Ticket.id)
    if database_url is None:
        with session_scope() as db:
            return list(db.scalars(query))
    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            return list(db.scalars(query))
    finally:
        engine.dispose()


class Recruiter:
    """A signed-in recruiter using the inbox JSON API of the running API."""

    def __init__(self, api_url: str, email: str = SAM, database_url: str | None = None):
        self.database_url = database_url
        self.http = httpx.Client(base_url=api_url, timeout=30)
        page = self.http.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        login = self.http.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
        assert login.status_code in (200, 303) and "Queue" in self.http.get("/inbox").text
        self.csrf = self.http.get("/api/me").json()["csrf_token"]

    def ticket_for(self, conversation_id: str) -> dict | None:
        """Returns the conversation's newest ticket as the API shows it (staff see ticket numbers, not chat ids)."""
        ids = ticket_ids(conversation_id, self.database_url)
        listed = {ticket["id"] for ticket in self.http.get("/api/tickets").json()}
        for ticket_id in reversed(ids):
            if ticket_id in listed:
                return self.http.get(f"/api/tickets/{ticket_id}").json()
        return None

    def post(self, path: str, body: dict | None = None) -> httpx.Response:
        response = self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})
        assert response.status_code == 200, response.text
        return response


@pytest.fixture(scope="module")
def recruiter(stack) -> Recruiter:
    return Recruiter(stack.api_url)


@pytest.mark.parametrize(("reason", "text"), first_heldout_per_reason())
def test_every_reason_hands_off_and_pauses(stack, recruiter, reason, text):
    sender = f"reason-{reason}-{uuid.uuid4().hex[:8]}"
    replies = stack.chat(sender, text)
    assert "passed this conversation" in texts(replies)
    if reason == "distress":
        assert stack.settings.emergency_number in replies[0]["text"]
    ticket = recruiter.ticket_for(sender)
    assert ticket is not None and ticket["reason"] in ESCALATION_INTENTS and ticket["trigger_message"] == text
    assert stack.tracker(sender)["paused"] is True
    assert stack.chat(sender, "hello? what are your office hours?") == []  # the paused bot stays silent


def test_general_questions_are_answered_and_personal_cases_escalate(stack):
    pairs = [json.loads(line) for line in (DATA / "general_vs_personal.jsonl").read_text().splitlines() if line]

    def intent(text: str) -> str:
        response = httpx.post(f"{stack.rasa_url}/model/parse", json={"text": text},
                              params={"token": stack.settings.secret("rasa_token")}, timeout=30)
        return response.json()["intent"]["name"]

    wrong = [(pair["general"], pair["personal"]) for pair in pairs
             if intent(pair["general"]) in ESCALATION_INTENTS or intent(pair["personal"]) not in ESCALATION_INTENTS]
    assert len(wrong) <= len(pairs) // 10, wrong  # at least 90% of pairs fully right (figures: `assistant eval escalation`)


def test_pause_messages_both_ways_and_hand_back(stack, recruiter):
    sender = f"both-ways-{uuid.uuid4().hex[:8]}"
    stack.chat(sender, "I want to talk to a human")
    assert stack.chat(sender, "my interview is on Friday, can it move?") == []
    ticket = recruiter.ticket_for(sender)
    assert ticket["status"] == "open" and ticket["thread_live"]
    assert "my interview is on Friday, can it move?" in [e["text"] for e in ticket["thread"] if e["who"] == "candidate"]

    recruiter.post(f"/api/tickets/{ticket['id']}/claim")
    sent = recruiter.post(f"/api/tickets/{ticket['id']}/reply", {"body": "Hi, Sam here. Monday works too."}).json()
    assert sent["delivery"] == "chat"
    bot_events = [e for e in stack.tracker(sender)["events"] if e["event"] == "bot"]
    assert bot_events[-1]["text"] == "Hi, Sam here. Monday works too."
    assert {"from": "recruiter", "name": "Sam"}.items() <= bot_events[-1]["metadata"].items()
    assert stack.tracker(sender)["paused"] is True

    closed = recruiter.post(f"/api/tickets/{ticket['id']}/hand-back", {"message": ""}).json()
    assert closed["status"] == "resolved"
    tracker = stack.tracker(sender)
    assert tracker["paused"] is False and any(e["event"] == "resume" for e in tracker["events"])
    assert "back with the automated assistant" in [e for e in tracker["events"] if e["event"] == "bot"][-1]["text"]
    assert "application stands" in texts(stack.chat(sender, "what can you do for me?"))


def test_recruiter_reply_reaches_the_open_socketio_chat_within_two_seconds(stack, recruiter):
    async def scenario() -> tuple[str, float]:
        client = socketio.AsyncClient()
        received: asyncio.Queue = asyncio.Queue()
        confirmed = asyncio.Event()
        session_id = f"socket-{uuid.uuid4().hex[:8]}"
        client.on("bot_uttered", lambda data: received.put_nowait(data))
        client.on("session_confirm", lambda data: confirmed.set())
        await client.connect(stack.rasa_url, transports=["websocket"])
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        await client.emit("user_uttered", {"message": "can I speak to a real person please", "session_id": session_id})

        async def next_text() -> str:
            while True:  # custom payloads (the widget's handoff state) arrive between texts
                message = await received.get()
                if message.get("text"):
                    return message["text"]

        assert "passed this conversation" in await asyncio.wait_for(next_text(), 30)
        ticket = await asyncio.to_thread(recruiter.ticket_for, session_id)
        start = time.monotonic()
        await asyncio.to_thread(recruiter.post, f"/api/tickets/{ticket['id']}/reply", {"body": "Sam here, how can I help?"})
        pushed = await asyncio.wait_for(next_text(), 5)
        latency = time.monotonic() - start
        await client.disconnect()
        return pushed, latency

    text, latency = asyncio.run(scenario())
    assert text == "Sam here, how can I help?"
    assert latency < 2.0, f"reply took {latency:.2f}s"


def test_a_new_session_does_not_unpause_a_handed_off_conversation(stack):
    from assistant.escalation import service as escalation_service

    escalated = f"expiry-src-{uuid.uuid4().hex[:8]}"
    stack.chat(escalated, "please connect me with a recruiter")
    assert stack.tracker(escalated)["paused"] is True
    # The same conversation, but its last message was 3 hours ago (session_expiration_time is 60 minutes).
    # Rasa's SQL tracker store only appends events, so the aged copy goes to a fresh conversation id, with
    # its open ticket opened by the same service the action uses.
    aged = f"expiry-{uuid.uuid4().hex[:8]}"
    events = stack.tracker(escalated)["events"]
    for event in events:
        event["timestamp"] = event["timestamp"] - 3 * 3600
    response = httpx.put(f"{stack.rasa_url}/conversations/{aged}/tracker/events", json=events,
                         params={"token": stack.settings.secret("rasa_token")}, timeout=30)
    response.raise_for_status()
    assert response.json()["paused"] is True
    escalation_service.escalate_conversation(conversation_id=aged, reason_name="request_human",
                                             trigger_message="please connect me with a recruiter", transcript=[])

    assert stack.chat(aged, "hello, anyone there?") == []  # the paused bot stays silent in the new session
    tracker = stack.tracker(aged)
    names = [e.get("event") for e in tracker["events"]]
    assert names.count("session_started") == 2, "a new session was started"
    new_session = names[len(names) - 1 - names[::-1].index("session_started"):]
    assert "pause" in new_session and "user" in new_session
    assert tracker["paused"] is True


def test_retried_action_call_creates_one_ticket(stack, recruiter):
    sender = f"retry-{uuid.uuid4().hex[:8]}"
    message = {"text": "I need to talk to a person", "intent": {"name": "request_human", "confidence": 0.99},
               "entities": [], "metadata": {}}
    body = {"next_action": "action_escalate", "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender, "slots": {}, "latest_message": message, "paused": False,
                        "events": [{"event": "user", "timestamp": time.time(), **message}],
                        "latest_input_channel": "rest", "active_loop": {}, "latest_action_name": "action_listen"}}
    results = [httpx.post(f"{stack.action_url}/webhook", json=body, timeout=30).json() for _ in range(3)]
    assert all(any(e["event"] == "pause" for e in r["events"]) for r in results)
    ids = {re.search(r"#(\d+)", r["responses"][0]["text"]).group(1) for r in results}
    assert len(ids) == 1
    listing = recruiter.http.get("/api/tickets").json()
    assert len(ticket_ids(sender)) == 1 and int(ids.pop()) in [t["id"] for t in listing]
    assert not any("conversation_id" in t for t in listing), "staff see ticket numbers, not conversation ids"


def test_two_unanswerable_questions_in_a_row_hand_off(stack, recruiter):
    sender = f"repeat-{uuid.uuid4().hex}"
    first = texts(stack.chat(sender, "does the Toronto office have a rooftop garden with beehives?"))
    assert "I don't know that one" in first, first
    assert recruiter.ticket_for(sender) is None
    second = texts(stack.chat(sender, "so is there a rooftop garden with beehives at the Toronto office or not?"))
    assert "I don't know that one" in second, second
    ticket = recruiter.ticket_for(sender)
    assert ticket is not None and ticket["reason"] == "repeated_failure"
    assert stack.tracker(sender)["paused"] is True
