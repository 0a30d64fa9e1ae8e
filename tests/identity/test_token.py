"""Signed candidate tokens and per-conversation verification."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from assistant.candidates.models import Candidate
from assistant.db import utcnow
from assistant.identity import service as identity_service

WINDOW = "a" * 64  # the hash of a chat window's key, as the Rasa channel puts it in the metadata
OTHER_WINDOW = "b" * 64


@pytest.fixture
def candidate(db_session):
    candidate = Candidate(external_id="C-T1", first_name="Ada", last_name="Ng", email="ada@example.com")
    db_session.add(candidate)
    db_session.flush()
    return candidate


def test_a_valid_token_identifies_the_candidate_for_the_conversation(db_session, candidate):
    token = identity_service.issue_token(candidate_external_id="C-T1")
    found = identity_service.current_candidate(db_session=db_session, conversation_id="c1",
                                               metadata={"candidate_token": token, "client_key_hash": WINDOW})
    assert found is not None and found.id == candidate.id
    # The verification lasts for this conversation's chat window even when later messages carry no token ...
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c1", metadata={"client_key_hash": WINDOW}).id == candidate.id
    # ... and only for this conversation and this window: the conversation id alone is no credential.
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c2", metadata={"client_key_hash": WINDOW}) is None
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c1", metadata={"client_key_hash": OTHER_WINDOW}) is None
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c1", metadata={}) is None


@pytest.mark.parametrize(
    "make_token",
    [
        lambda: identity_service.issue_token(candidate_external_id="C-T1", now=utcnow() - timedelta(hours=2)),  # expired
        lambda: jwt.encode({"sub": "C-T1", "aud": "candidate-assistant", "exp": utcnow() + timedelta(hours=1)},
                           "not-the-secret-but-a-key-as-long-as-a-real-one", algorithm="HS256"),  # forged
        lambda: jwt.encode({"sub": "C-T1", "exp": utcnow() + timedelta(hours=1)}, None, algorithm="none"),  # unsigned
        lambda: "garbage",
    ],
    ids=["expired", "forged", "unsigned", "garbage"],
)
def test_bad_tokens_verify_nobody(db_session, candidate, make_token):
    found = identity_service.current_candidate(db_session=db_session, conversation_id="c3", metadata={"candidate_token": make_token()})
    assert found is None


def test_verification_expires(db_session, candidate):
    identity = identity_service.mark_verified(db_session=db_session, conversation_id="c4", candidate_id=candidate.id,
                                              method="otp", client_key_hash=WINDOW)
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c4", metadata={"client_key_hash": WINDOW}) is not None
    identity.expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c4", metadata={"client_key_hash": WINDOW}) is None


def test_verification_ends_after_the_idle_time_and_a_message_keeps_it_alive(db_session, candidate):
    from assistant.settings import get_settings

    idle = timedelta(minutes=get_settings().verification_idle_minutes)
    identity = identity_service.mark_verified(db_session=db_session, conversation_id="c5", candidate_id=candidate.id,
                                              method="otp", client_key_hash=WINDOW)
    identity.last_seen_at = utcnow() - idle + timedelta(minutes=1)
    db_session.flush()
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c5", metadata={"client_key_hash": WINDOW}) is not None
    assert identity.last_seen_at > utcnow() - timedelta(minutes=1)  # the message counted as activity
    identity.last_seen_at = utcnow() - idle - timedelta(seconds=1)
    db_session.flush()
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c5", metadata={"client_key_hash": WINDOW}) is None


def test_a_verification_without_a_window_key_holds_for_nothing_later(db_session, candidate):
    identity_service.mark_verified(db_session=db_session, conversation_id="c6", candidate_id=candidate.id,
                                   method="otp", client_key_hash=None)
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c6", metadata={}) is None
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c6", metadata={"client_key_hash": WINDOW}) is None
