"""One-time codes under the shared abuse limits: per conversation, per address and per client address; and a
request takes the same time whether or not the address is known (the mail goes out in the background)."""

from __future__ import annotations

import time
import uuid

import pytest

from assistant import mail
from assistant.candidates.models import Candidate
from assistant.identity import otp
from tests.abuse import client_address as address
from tests.identity.test_otp import outbox  # noqa: F401 - fixture


def test_codes_asked_from_one_client_address_are_capped(db_session, outbox, monkeypatch):  # noqa: F811
    from assistant.settings import get_settings

    monkeypatch.setattr(get_settings(), "otp_max_codes_per_client", 4)
    client = address()
    outcomes = [otp.request_code(db_session=db_session, conversation_id=f"client-cap-{uuid.uuid4().hex}",
                                 email=f"spray{n}@example.com", client=client) for n in range(5)]
    assert outcomes == [otp.RequestOutcome.SENT] * 4 + [otp.RequestOutcome.LOCKED]
    other = otp.request_code(db_session=db_session, conversation_id=f"client-cap-{uuid.uuid4().hex}",
                             email="spray9@example.com", client=address())
    assert other is otp.RequestOutcome.SENT
    for local in ("127.0.0.1", "::1", ""):  # this machine and unknown clients are not counted per client
        assert otp.request_code(db_session=db_session, conversation_id=f"client-cap-{uuid.uuid4().hex}",
                                email="spray9@example.com", client=local) is otp.RequestOutcome.SENT


@pytest.fixture
def slow_mail(monkeypatch):
    """A mail server that takes 0.4 s per message (the edge faked: the real outbox still gets the message)."""
    real_send = mail.send

    def send(**message):
        time.sleep(0.4)
        return real_send(**message)

    monkeypatch.setattr(mail, "send", send)


def test_known_and_unknown_addresses_answer_after_the_same_time(db_session, outbox, slow_mail):  # noqa: F811
    person = Candidate(external_id=f"C-T-{uuid.uuid4().hex[:6]}", first_name="Tam", email=f"tam.{uuid.uuid4().hex[:6]}@example.com")
    db_session.add(person)
    db_session.flush()

    def timed(email: str) -> float:
        started = time.monotonic()
        assert otp.request_code(db_session=db_session, conversation_id=f"timing-{uuid.uuid4().hex}", email=email,
                                respond_after=0.25) is otp.RequestOutcome.SENT
        return time.monotonic() - started

    known, unknown = timed(person.email), timed(f"nobody.{uuid.uuid4().hex[:6]}@example.com")
    assert 0.25 <= known < 0.38 and 0.25 <= unknown < 0.38  # the 0.4 s mail did not hold the answer
    deadline = time.monotonic() + 5
    while not mail.outbox(to=person.email) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mail.outbox(to=person.email)) == 1  # ... and still went out


def test_without_respond_after_the_mail_is_sent_before_the_answer(db_session, outbox):  # noqa: F811
    person = Candidate(external_id=f"C-T-{uuid.uuid4().hex[:6]}", first_name="Tam", email=f"tam.{uuid.uuid4().hex[:6]}@example.com")
    db_session.add(person)
    db_session.flush()
    otp.request_code(db_session=db_session, conversation_id=f"sync-{uuid.uuid4().hex}", email=person.email)
    assert len(mail.outbox(to=person.email)) == 1
