"""E-mail + one-time code: same reply for known and unknown addresses, wrong code, expiry, lock-out, single use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from assistant import mail
from assistant.candidates.models import Candidate
from assistant.db import utcnow
from assistant.identity import otp
from assistant.identity import service as identity_service
from assistant.identity.models import OneTimeCode

WINDOW = {"client_key_hash": "c" * 64}  # the chat window the code is typed in (see identity.service)


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    from assistant.settings import get_settings

    monkeypatch.setattr(type(get_settings()), "outbox_dir", property(lambda self: tmp_path / "outbox"))
    return tmp_path / "outbox"


@pytest.fixture
def candidate(db_session):
    candidate = Candidate(external_id="C-OTP", first_name="Ola", email="ola@example.com")
    db_session.add(candidate)
    db_session.flush()
    return candidate


def sent_code(to: str) -> str:
    message = mail.outbox(limit=1, to=to)[0]
    return re.search(r"\b(\d{6})\b", message.get_content()).group(1)


def test_a_known_address_gets_a_code_that_verifies_the_conversation_once(db_session, candidate, outbox):
    assert otp.request_code(db_session=db_session, conversation_id="o1", email=" OLA@example.com ") is otp.RequestOutcome.SENT
    code = sent_code("ola@example.com")
    stored = db_session.scalar(select(OneTimeCode).where(OneTimeCode.conversation_id == "o1"))
    assert code not in stored.code_hash and len(stored.code_hash) == 64  # only an HMAC is stored
    result = otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o1", code=code)
    assert (result.outcome, result.candidate_id) == (otp.VerifyOutcome.VERIFIED, candidate.id)
    assert identity_service.current_candidate(db_session=db_session, conversation_id="o1", metadata=WINDOW).id == candidate.id
    assert otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o1", code=code).outcome is otp.VerifyOutcome.NO_CODE


def test_an_unknown_address_gets_the_same_answer_but_no_mail(db_session, candidate, outbox):
    known = otp.request_code(db_session=db_session, conversation_id="o2", email="ola@example.com")
    unknown = otp.request_code(db_session=db_session, conversation_id="o3", email="nobody@example.com")
    assert known is unknown is otp.RequestOutcome.SENT
    assert len(mail.outbox(limit=10)) == 1
    wrong = otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o3", code="123456")
    assert wrong.outcome is otp.VerifyOutcome.WRONG and wrong.attempts_left == 4
    assert identity_service.current_candidate(db_session=db_session, conversation_id="o3", metadata=WINDOW) is None


def test_wrong_codes_lock_out_after_five_attempts(db_session, candidate, outbox):
    otp.request_code(db_session=db_session, conversation_id="o4", email="ola@example.com")
    code = sent_code("ola@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    outcomes = [otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o4", code=wrong) for _ in range(5)]
    assert [o.attempts_left for o in outcomes[:4]] == [4, 3, 2, 1]
    assert outcomes[4].outcome is otp.VerifyOutcome.LOCKED
    # Even the right code is refused now, and no new code can be requested in this conversation; another
    # conversation (the address's owner, elsewhere) is not locked by these guesses.
    assert otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o4", code=code).outcome is otp.VerifyOutcome.LOCKED
    assert otp.request_code(db_session=db_session, conversation_id="o4", email="ola@example.com") is otp.RequestOutcome.LOCKED
    assert otp.request_code(db_session=db_session, conversation_id="o5", email="ola@example.com") is otp.RequestOutcome.SENT
    assert identity_service.current_candidate(db_session=db_session, conversation_id="o4", metadata=WINDOW) is None
    # The lock-out ends after one code lifetime.
    later = utcnow() + timedelta(minutes=11)
    assert otp.request_code(db_session=db_session, conversation_id="o4", email="ola@example.com", now=later) is otp.RequestOutcome.SENT


def test_an_expired_code_is_refused(db_session, candidate, outbox):
    otp.request_code(db_session=db_session, conversation_id="o6", email="ola@example.com")
    code = sent_code("ola@example.com")
    result = otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o6", code=code, now=utcnow() + timedelta(minutes=10, seconds=1))
    assert result.outcome is otp.VerifyOutcome.EXPIRED
    assert identity_service.current_candidate(db_session=db_session, conversation_id="o6", metadata=WINDOW) is None


def test_a_code_only_works_in_its_own_conversation_and_a_new_code_replaces_the_old(db_session, candidate, outbox):
    otp.request_code(db_session=db_session, conversation_id="o7", email="ola@example.com")
    first = sent_code("ola@example.com")
    assert otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o8", code=first).outcome is otp.VerifyOutcome.NO_CODE
    otp.request_code(db_session=db_session, conversation_id="o7", email="ola@example.com")
    second = sent_code("ola@example.com")
    if first != second:
        assert otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o7", code=first).outcome is otp.VerifyOutcome.WRONG
    assert otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o7", code=second).outcome is otp.VerifyOutcome.VERIFIED


def test_verification_is_audited(db_session, candidate, outbox):
    from assistant.audit import service as audit_service

    otp.request_code(db_session=db_session, conversation_id="o9", email="ola@example.com", channel="chat:rest")
    otp.verify_code(db_session=db_session, client_key_hash=WINDOW["client_key_hash"], conversation_id="o9", code=sent_code("ola@example.com"), channel="chat:rest")
    entries = audit_service.entries_for_candidate(db_session=db_session, candidate_id=candidate.id)
    assert [(e.actor_type, e.actor_id, e.action, e.channel, e.fields) for e in entries] == [
        ("visitor", "o9", "read", "chat:rest", ["email"]), ("visitor", "o9", "verify", "chat:rest", ["email"])]


def test_codes_per_address_are_capped_per_hour(db_session, candidate, outbox):
    start = utcnow()
    cap = 5 * otp.ADDRESS_CAP_FACTOR
    for n in range(cap):  # from different conversations: the cap is per address too
        assert otp.request_code(db_session=db_session, conversation_id=f"conv-cap-{n}", email="OLA@example.com",
                                now=start + timedelta(minutes=n)) is otp.RequestOutcome.SENT
    over = otp.request_code(db_session=db_session, conversation_id="conv-cap-x", email="ola@example.com",
                            now=start + timedelta(minutes=cap))
    assert over is otp.RequestOutcome.LOCKED
    assert len(mail.outbox(limit=50, to="ola@example.com")) == cap  # no mail over the cap
    later = otp.request_code(db_session=db_session, conversation_id="conv-cap-x", email="ola@example.com",
                             now=start + timedelta(minutes=cap + 61))
    assert later is otp.RequestOutcome.SENT  # the oldest code has left the hour


def test_codes_per_conversation_are_capped_per_hour(db_session, candidate, outbox):
    start = utcnow()
    outcomes = [otp.request_code(db_session=db_session, conversation_id="conv-cap-many", email=f"nobody{n}@example.com",
                                 now=start + timedelta(seconds=n)) for n in range(6)]
    assert outcomes == [otp.RequestOutcome.SENT] * 5 + [otp.RequestOutcome.LOCKED]
