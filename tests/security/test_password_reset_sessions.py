"""A password reset ends the account's open sessions (signed cookies cannot be recalled, so the server
refuses sessions older than the last password change)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import app
from assistant.db import session_scope
from assistant.inbox import staff
from tests.inbox.conftest import api_account, sign_in  # noqa: F401 - fixtures


def test_a_password_reset_signs_out_every_open_session(api_account, sign_in):  # noqa: F811
    email = api_account("recruiter")
    old, other = TestClient(app), TestClient(app)
    assert sign_in(old, email).status_code == 303
    assert old.get("/api/me").status_code == 200
    with session_scope() as db:
        staff.set_password(db_session=db, email=email, password="a brand new passphrase")
    assert old.get("/api/me").status_code == 401, "the session from before the reset is over"
    assert sign_in(other, email, "a brand new passphrase").status_code == 303
    assert other.get("/api/me").status_code == 200, "a sign-in after the reset works"
