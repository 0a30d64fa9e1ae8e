"""Issue #13 items 4 and 6 through the real stack (Rasa with our channel, action server, API, database):
ticket flooding from one client address is stopped with an honest reply while distress still reaches a person,
and asking for a code takes the same time for a known and an unknown address even when mail is slow."""

from __future__ import annotations

import socketserver
import statistics
import threading
import time
import uuid
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import select

from assistant.db import session_scope
from assistant.inbox.models import Ticket
from tests.abuse import client_address

ASK_PERSON = "I want to talk to a human"
REFUSED = ("I can't pass this conversation to a person right now because our team is receiving an unusually high "
           "number of requests. Please e-mail recruiting@fernhill.example and a recruiter will reply.")


def chat(stack, sender: str, text: str, *, forwarded_for: str, metadata: dict | None = None) -> list[dict]:
    """Like stack.chat, from a client behind the (trusted, loopback) proxy that adds X-Forwarded-For."""
    body = {"sender": sender, "message": text, "metadata": {"client_key": stack.client_key(sender), **(metadata or {})}}
    response = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60,
                          headers={"X-Forwarded-For": forwarded_for})
    response.raise_for_status()
    return response.json()


def texts(replies: list[dict]) -> list[str]:
    return [reply["text"] for reply in replies if reply.get("text")]


def tickets_of(sender: str) -> list[Ticket]:
    with session_scope() as db:
        return list(db.scalars(select(Ticket).where(Ticket.conversation_id == sender)))


def test_one_client_address_cannot_flood_the_inbox_but_distress_still_gets_through(stack):
    client = client_address()
    for n in range(10):  # escalations_per_client: 10 an hour, each from a fresh conversation id
        sender = f"flood-{n}-{uuid.uuid4().hex[:8]}"
        assert any("I've passed this conversation" in text for text in texts(chat(stack, sender, ASK_PERSON,
                                                                                   forwarded_for=client)))
        assert len(tickets_of(sender)) == 1
    over = f"flood-over-{uuid.uuid4().hex[:8]}"
    # The client cannot pick another bucket by naming an address in the metadata: the channel sets it.
    replies = chat(stack, over, ASK_PERSON, forwarded_for=client, metadata={"client_address": "192.0.2.1"})
    assert texts(replies) == [REFUSED] and not [r for r in replies if r.get("custom")]  # no handoff banner
    assert tickets_of(over) == []
    assert stack.tracker(over)["paused"] is False  # the assistant carries on
    assert texts(chat(stack, over, "what benefits do you offer?", forwarded_for=client))  # and answers
    distress = f"flood-distress-{uuid.uuid4().hex[:8]}"
    said = texts(chat(stack, distress, "I feel hopeless and want to end it all", forwarded_for=client))
    assert "please call 112" in said[0] and "I've passed this conversation" in said[1]
    assert [t.priority for t in tickets_of(distress)] == ["urgent"]
    other = f"flood-other-{uuid.uuid4().hex[:8]}"  # someone else behind the same proxy is not affected
    assert "I've passed this conversation" in texts(chat(stack, other, ASK_PERSON, forwarded_for="198.51.100.20"))[0]


class _SlowSmtp(socketserver.ThreadingTCPServer):
    """A plain SMTP server on loopback that waits before greeting, like a slow mail relay; records recipients."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float):
        self.delay, self.recipients = delay, []
        super().__init__(("127.0.0.1", 0), _SlowHandler)


class _SlowHandler(socketserver.StreamRequestHandler):
    def handle(self):
        time.sleep(self.server.delay)
        self.wfile.write(b"220 slow ESMTP\r\n")
        data = False
        while raw := self.rfile.readline():
            line = raw.decode(errors="replace").rstrip("\r\n")
            if data:
                if line == ".":
                    data = False
                    self.wfile.write(b"250 ok\r\n")
                continue
            verb = line.split(" ")[0].upper()
            if verb == "RCPT":
                self.server.recipients.append(line.split(":", 1)[1].strip(" <>").lower())
            if verb == "EHLO":
                self.wfile.write(b"250-slow\r\n250 SIZE 1000000\r\n")
            elif verb == "DATA":
                data = True
                self.wfile.write(b"354 go\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@contextmanager
def actions_with_env(stack, **env: str):
    """Restarts the action server with extra settings, and afterwards as it was."""
    service = stack.services["actions"]
    saved = dict(service.env)
    stack.kill("actions")
    service.env.update(env)
    try:
        stack.start("actions")
        yield
    finally:
        stack.kill("actions")
        service.env.clear()
        service.env.update(saved)
        stack.start("actions")


@pytest.fixture
def slow_mail_stack(stack):
    server = _SlowSmtp(delay=1.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with actions_with_env(stack, ASSISTANT_SMTP_HOST="127.0.0.1", ASSISTANT_SMTP_PORT=str(server.server_address[1])):
            yield stack, server
    finally:
        server.shutdown()


def test_asking_for_a_code_takes_as_long_for_a_known_address_as_for_an_unknown_one(slow_mail_stack):
    from assistant.candidates.models import Candidate

    stack, server = slow_mail_stack
    known = f"timing.{uuid.uuid4().hex[:8]}@example.com"
    with session_scope() as db:
        db.add(Candidate(external_id=f"C-TIME-{uuid.uuid4().hex[:6]}", first_name="Tove", email=known))

    def code_request_seconds(email: str) -> float:
        sender = f"timing-{uuid.uuid4().hex[:10]}"
        assert "e-mail address you applied with" in " ".join(texts(stack.chat(sender, "where is my application?")))
        started = time.monotonic()
        replies = texts(stack.chat(sender, email))
        elapsed = time.monotonic() - started
        assert any("If that address is in our records" in text for text in replies)
        return elapsed

    samples: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(6):  # interleaved, so load on the machine hits both alike
        samples["known"].append(code_request_seconds(known))
        samples["unknown"].append(code_request_seconds(f"nobody.{uuid.uuid4().hex[:8]}@example.com"))
    known_median, unknown_median = (statistics.median(samples[k]) for k in ("known", "unknown"))
    print(f"code request: known median {known_median:.3f} s, unknown median {unknown_median:.3f} s; {samples}")
    # The relay takes 1 s per message: sending in the turn would make the known address about 1 s slower.
    assert abs(known_median - unknown_median) < 0.3
    deadline = time.monotonic() + 15
    while server.recipients.count(known) < 6 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.recipients.count(known) == 6 and len(server.recipients) == 6  # mail to the known address only


def test_one_client_address_cannot_spray_one_time_codes(stack):
    from assistant.identity.models import OneTimeCode

    client = client_address()
    senders, asked = [], 0
    for _ in range(4):  # 5 codes per conversation an hour, so several conversations; 20 per client address
        sender = f"spray-{uuid.uuid4().hex[:10]}"
        senders.append(sender)
        chat(stack, sender, "where is my application?", forwarded_for=client)
        for _ in range(5):
            said = " ".join(texts(chat(stack, sender, f"nobody.{uuid.uuid4().hex[:8]}@example.com", forwarded_for=client)))
            asked += 1
            assert "If that address is in our records" in said, (asked, said)
    over = f"spray-over-{uuid.uuid4().hex[:10]}"
    chat(stack, over, "where is my application?", forwarded_for=client)
    said = " ".join(texts(chat(stack, over, f"nobody.{uuid.uuid4().hex[:8]}@example.com", forwarded_for=client)))
    assert "too many attempts" in said and "If that address is in our records" not in said
    with session_scope() as db:
        issued = db.scalars(select(OneTimeCode.conversation_id).where(OneTimeCode.conversation_id.in_([*senders, over]))).all()
    assert len(issued) == 20 and over not in issued
    elsewhere = f"spray-else-{uuid.uuid4().hex[:10]}"  # another client is not affected
    chat(stack, elsewhere, "where is my application?", forwarded_for="198.51.100.40")
    assert "If that address is in our records" in " ".join(texts(chat(
        stack, elsewhere, f"nobody.{uuid.uuid4().hex[:8]}@example.com", forwarded_for="198.51.100.40")))
