"""Signed candidate tokens and per-conversation verification."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from assistant.candidates.models import Candidate
from assistant.db import utcnow
from assistant.identity import service as identity_service


@pytest.fixture
def candidate(db_session):
    candidate = Candidate(external_id="C-T1", first_name="Ada", last_name="Ng", email="ada@example.com")
    db_session.add(candidate)
    db_session.flush()
    return candidate


def test_a_valid_token_identifies_the_candidate_for_the_conversation(db_session, candidate):
    token = identity_service.issue_token(candidate_external_id="C-T1")
    found = identity_service.current_candidate(db_session=db_session, conversation_id="c1", metadata={"candidate_token": token})
    assert found is not None and found.id == candidate.id
    # The verification lasts for this conversation even when later messages carry no token ...
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c1", metadata={}).id == candidate.id
    # ... and only for this conversation.
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c2", metadata={}) is None


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
    identity = identity_service.mark_verified(db_session=db_session, conversation_id="c4", candidate_id=candidate.id, method="otp")
    identity.expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    assert identity_service.current_candidate(db_session=db_session, conversation_id="c4") is None
