"""Inbox fixtures: staff accounts in a rolled-back test session, and signed-in API clients."""

from __future__ import annotations

import re
import uuid

import pytest

PASSWORD = "correct-horse-battery"


@pytest.fixture
def make_staff(db_session):
    from assistant.inbox import staff

    def make(role: str = "recruiter", name: str = "Sam Recruiter"):
        return staff.create(db_session=db_session, email=f"{role}-{uuid.uuid4().hex[:8]}@fernhill.example",
                            name=name, role=role, password=PASSWORD)

    return make


@pytest.fixture(scope="session")
def app_db():
    from assistant import migrate

    migrate.upgrade()


@pytest.fixture
def api_account(app_db):
    """Returns a function creating a committed account of a role in the application database."""
    from assistant.db import session_scope
    from assistant.inbox import staff

    def make(role: str = "recruiter") -> str:
        email = f"{role}-{uuid.uuid4().hex[:8]}@fernhill.example"
        with session_scope() as db:
            staff.create(db_session=db, email=email, name=f"Test {role}", role=role, password=PASSWORD)
        return email

    return make


def _sign_in(client, email: str, password: str = PASSWORD):
    """Signs a client in through the login form (with its CSRF token); returns the response."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": "/inbox"},
                       follow_redirects=False)


@pytest.fixture
def sign_in():
    """Returns sign_in(client, email, password=PASSWORD): signs a client in through the login form."""
    return _sign_in
