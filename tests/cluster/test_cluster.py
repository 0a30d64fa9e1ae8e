"""Two replicas of every process on PostgreSQL + Redis behind HAProxy behave as one stack: the same replies,
recruiter replies pushed to the open socket.io chat on either replica, knowledge edits served by every
replica, job alerts sent once, and a killed process restarted while the others keep serving."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections import Counter

import httpx
import pytest
import socketio

from tests.cluster.conftest import ALERT_EMAIL
from tests.e2e.test_handoff import Recruiter

pytestmark = pytest.mark.stack
CONVERSATION = ["hello", "how long does the hiring process take?", "do you sponsor work visas?",
                "what's the weather like in Paris today?"]


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text") or "" for reply in replies]


def test_conversations_on_either_replica_get_the_replies_a_single_stack_gives(cluster_stack, stack):
    expected = [texts(stack.chat(f"single-{uuid.uuid4().hex}", message)) for message in CONVERSATION]
    served = set()
    for replica in ("rasa-1", "rasa-2"):
        sender = cluster_stack.conversation_on(replica, "same")
        for message, want in zip(CONVERSATION, expected):
            replies, served_by = cluster_stack.chat(sender, message)
            assert texts(replies) == want, (replica, message)
            assert served_by == replica
            served.add(served_by)
    assert served == {"rasa-1", "rasa-2"}


def test_recruiter_reply_reaches_the_open_socketio_chat_on_either_replica(cluster_stack):
    recruiter = Recruiter(cluster_stack.api_url, database_url=cluster_stack.settings.database_url)

    async def scenario(session_id: str) -> str:
        client = socketio.AsyncClient()
        received: asyncio.Queue = asyncio.Queue()
        confirmed = asyncio.Event()
        client.on("bot_uttered", lambda data: received.put_nowait(data))
        client.on("session_confirm", lambda data: confirmed.set())
        # As the widget does: the conversation id in the query lets HAProxy pick the replica.
        await client.connect(f"{cluster_stack.rasa_url}?conversation={session_id}", transports=["polling", "websocket"])
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        await client.emit("user_uttered", {"message": "can I speak to a real person please", "session_id": session_id})

        async def next_text() -> str:
            while True:
                message = await received.get()
                if message.get("text"):
                    return message["text"]

        assert "passed this conversation" in await asyncio.wait_for(next_text(), 30)
        ticket = await asyncio.to_thread(recruiter.ticket_for, session_id)
        await asyncio.to_thread(recruiter.post, f"/api/tickets/{ticket['id']}/reply", {"body": f"Sam here for {session_id}"})
        pushed = await asyncio.wait_for(next_text(), 5)
        await client.disconnect()
        return pushed

    for replica in ("rasa-1", "rasa-2"):
        session_id = cluster_stack.conversation_on(replica, "push")
        assert asyncio.run(scenario(session_id)) == f"Sam here for {session_id}", replica


def test_a_knowledge_edit_is_answered_by_every_replica(cluster_stack):
    doc = cluster_stack.knowledge_dir / "cluster-canteen.md"
    doc.write_text("---\ntitle: Canteen at our offices\nurl: https://careers.fernhill.example/help/canteen\n"
                   "tags: [canteen, lunch]\nowner: workplace\nupdated: 2026-11-01\nlang: en\naudience: all\n---\n\n"
                   "# Canteen at our offices\n\n## Lunch\nEvery office canteen serves a free zucchini lasagne on Fridays.\n")
    answered = set()
    deadline = time.monotonic() + 30
    while answered != {"rasa-1", "rasa-2"}:
        assert time.monotonic() < deadline, f"only {answered} answered from the edit"
        for replica in {"rasa-1", "rasa-2"} - answered:
            sender = cluster_stack.conversation_on(replica, "kb")
            replies, _ = cluster_stack.chat(sender, "is there a canteen with free lunch at the office?")
            if "zucchini lasagne" in " ".join(texts(replies)):
                answered.add(replica)
        time.sleep(0.2)


def test_job_alerts_are_sent_once_across_api_replicas(cluster_stack):
    from email import policy
    from email.parser import BytesParser

    outbox = cluster_stack.data_dir / "outbox"
    deadline = time.monotonic() + 60
    while not (outbox.exists() and any(outbox.glob("*.eml"))):
        assert time.monotonic() < deadline, "no job alert was sent"
        time.sleep(0.5)
    time.sleep(3)  # the other replica had every chance to send a second one
    alerts = [m for m in (BytesParser(policy=policy.default).parse(p.open("rb")) for p in outbox.glob("*.eml"))
              if m["Subject"].startswith("New at ")]
    recipients = Counter(str(m["To"]) for m in alerts)
    assert ALERT_EMAIL in recipients and set(recipients.values()) == {1}, recipients  # one each, none twice
    ran = [name for name in ("api-1", "api-2") if "job alerts sent" in cluster_stack.log(name)]
    assert len(ran) == 1, f"the alert job ran in {ran}"


@pytest.mark.parametrize("name", ["actions-1", "rasa-2", "api-1"])
def test_a_killed_process_is_restarted_and_the_cluster_keeps_serving(cluster_stack, name):
    supervisor = cluster_stack.supervisor
    sender = cluster_stack.conversation_on("rasa-1" if name == "actions-1" else "rasa-2", "kill")
    restarts = supervisor.restarts(name)
    killed = time.monotonic()
    os.kill(supervisor.pid(name), signal.SIGKILL)
    outcomes = []  # (seconds after the kill, answered?, what)
    while supervisor.restarts(name) == restarts or not cluster_stack.healthy(name):
        assert time.monotonic() - killed < 240, f"{name} did not come back"
        try:
            replies, served_by = cluster_stack.chat(sender, "hello")
            outcomes.append((round(time.monotonic() - killed, 1), bool(replies), served_by))
        except httpx.HTTPError as error:  # a turn in flight when its process died
            outcomes.append((round(time.monotonic() - killed, 1), False, type(error).__name__))
        assert httpx.get(f"{cluster_stack.api_url}/health", timeout=10).status_code == 200  # the other API serves
        time.sleep(0.5)
    failed = [o for o in outcomes if not o[1]]
    assert len(failed) <= 2, outcomes
    if name == "rasa-2":  # while it was down, the other Rasa replica took the conversation
        assert any(o[1] and o[2] == "rasa-1" for o in outcomes), outcomes
    replies, served_by = cluster_stack.chat(sender, "do you sponsor work visas?")  # needs the action server
    assert "sponsor" in " ".join(texts(replies)), replies
    assert supervisor.restarts(name) == restarts + 1
