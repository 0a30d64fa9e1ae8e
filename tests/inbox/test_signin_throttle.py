"""Sign-in throttling: wrong passwords lock an address (known or not) and a client for a while."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from api.main import app
from assistant.db import session_scope, utcnow
from assistant.inbox import signin_throttle
from assistant.inbox.models import SignInFailure
from assistant.settings import get_settings


@pytest.fixture
def client(app_db):
    client = TestClient(app)
    yield client
    with session_scope() as db:  # other tests sign in from the same test client address
        db.execute(delete(SignInFailure).where(SignInFailure.client == "testclient"))


def test_wait_grows_from_the_limit_th_most_recent_failure(db_session):
    start, email = utcnow(), f"x-{uuid.uuid4().hex[:6]}@example.com"
    for minute in range(5):
        assert signin_throttle.wait_seconds(db_session=db_session, email=email, client="10.0.0.1",
                                            now=start + timedelta(minutes=minute)) == 0
        signin_throttle.record_failure(db_session=db_session, email=email, client="10.0.0.1",
                                       now=start + timedelta(minutes=minute))
    wait = signin_throttle.wait_seconds(db_session=db_session, email=email.upper(), client="10.0.0.2",
                                        now=start + timedelta(minutes=5))
    assert wait == 10 * 60  # the first failure leaves the 15-minute window at minute 15
    assert signin_throttle.wait_seconds(db_session=db_session, email=email, client="10.0.0.2",
                                        now=start + timedelta(minutes=15, seconds=1)) == 0
    signin_throttle.clear(db_session=db_session, email=email)
    assert signin_throttle.wait_seconds(db_session=db_session, email=email, client="10.0.0.2",
                                        now=start + timedelta(minutes=5)) == 0


@pytest.mark.parametrize("known", [True, False], ids=["account", "no-account"])
def test_five_wrong_passwords_lock_the_address_the_same_way_whether_it_exists(client, api_account, sign_in, known):
    email = api_account() if known else f"nobody-{uuid.uuid4().hex[:6]}@fernhill.example"
    for _ in range(5):
        assert sign_in(client, email, "wrong-password").status_code == 401
    locked = sign_in(client, email, "correct-horse-battery")  # even the right password waits
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert client.get("/api/tickets").status_code == 401


def test_a_lock_on_one_address_leaves_others_alone_and_success_clears_failures(client, api_account, sign_in):
    locked_email, other = api_account(), api_account()
    for _ in range(5):
        sign_in(client, locked_email, "wrong-password")
    assert sign_in(client, other).status_code == 303
    third = api_account()
    for _ in range(4):
        sign_in(client, third, "wrong-password")
    assert sign_in(client, third).status_code == 303  # the fifth try was right: failures are forgotten
    for _ in range(4):
        assert sign_in(TestClient(app), third, "wrong-password").status_code == 401


def test_many_failures_from_one_client_lock_that_client(client, api_account, sign_in, monkeypatch):
    monkeypatch.setattr(get_settings(), "signin_max_failures_per_client", 3)
    for n in range(3):
        sign_in(client, f"guess-{n}-{uuid.uuid4().hex[:6]}@fernhill.example", "wrong-password")
    assert sign_in(client, api_account()).status_code == 429


def test_an_admin_resets_a_locked_out_password_and_can_disable_an_account(client, api_account, sign_in):
    from typer.testing import CliRunner

    from assistant.cli import app as cli

    email = api_account()
    for _ in range(5):
        sign_in(client, email, "wrong-password")
    assert sign_in(client, email).status_code == 429
    reset = CliRunner().invoke(cli, ["inbox", "set-password", "--email", email.upper(), "--password", "a-new-long-password"])
    assert reset.exit_code == 0 and "password changed" in reset.output
    assert sign_in(client, email).status_code == 401  # the old password is gone, and the lock with the failures
    assert sign_in(client, email, "a-new-long-password").status_code == 303
    assert client.get("/api/tickets").status_code == 200

    assert CliRunner().invoke(cli, ["inbox", "disable-user", "--email", email]).exit_code == 0
    assert client.get("/api/tickets").status_code == 401, "a disabled account's open session stops working"
    assert sign_in(TestClient(app), email, "a-new-long-password").status_code == 401
    assert CliRunner().invoke(cli, ["inbox", "enable-user", "--email", email]).exit_code == 0
    assert sign_in(TestClient(app), email, "a-new-long-password").status_code == 303


def test_account_commands_explain_bad_input(api_account):
    from typer.testing import CliRunner

    from assistant.cli import app as cli

    unknown = CliRunner().invoke(cli, ["inbox", "set-password", "--email", "ghost@fernhill.example", "--password", "long-enough-pw"])
    assert unknown.exit_code == 1 and "no account for ghost@fernhill.example" in unknown.output
    assert CliRunner().invoke(cli, ["inbox", "disable-user", "--email", "ghost@fernhill.example"]).exit_code == 1
    short = CliRunner().invoke(cli, ["inbox", "set-password", "--email", api_account(), "--password", "short"])
    assert short.exit_code == 1 and "at least 10 characters" in short.output
