"""The configured application database, migrated (the handoff opens its own sessions, as the action server does)."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(scope="session")
def app_db():
    from assistant import migrate

    migrate.upgrade()


@pytest.fixture
def candidate(app_db):
    """A candidate in the application database, with a career-site token for their conversations."""
    from assistant.candidates.models import Candidate
    from assistant.db import session_scope
    from assistant.identity import service as identity_service

    suffix = uuid.uuid4().hex[:10]
    with session_scope() as db:
        person = Candidate(external_id=f"cand-{suffix}", first_name="Mira", last_name="Okafor",
                           email=f"mira.{suffix}@example.org")
        db.add(person)
        db.flush()
        candidate_id, email = person.id, person.email
    token = identity_service.issue_token(candidate_external_id=f"cand-{suffix}")
    return {"id": candidate_id, "email": email, "token": token}
