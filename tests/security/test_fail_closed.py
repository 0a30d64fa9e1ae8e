"""Fail closed: development conveniences exist only for the shipped demo data, only in development on
loopback; a public bind needs production, and production refuses weak secrets and demo accounts."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from assistant.inbox import demo as inbox_demo
from assistant.inbox import staff
from assistant.settings import Settings, get_settings, is_loopback, weak_secret_reason

STRONG = {name: secrets.token_urlsafe(32) for name in
          ("rasa_token", "candidate_token_secret", "session_secret", "ats_api_key", "reindex_token")}


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("::", False),
                                            ("10.0.0.5", False), ("example.com", False)])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("env", ["development", "test"])
def test_a_public_bind_outside_production_refuses_to_start(env):
    with pytest.raises(ValidationError, match="ASSISTANT_HOST=0.0.0.0 serves other machines, but ASSISTANT_ENV is " + env):
        Settings(env=env, host="0.0.0.0")


def test_production_may_bind_publicly_with_strong_secrets():
    settings = Settings(env="production", host="0.0.0.0", **STRONG)
    assert settings.host == "0.0.0.0" and not settings.demo_allowed


@pytest.mark.parametrize("value, reason", [
    ("changeme", "shorter than 32 characters"),
    ("a" * 64, "too predictable"),
    ("abababababababababababababababab", "too predictable"),
    ("0123456789abcdef" * 2, "too predictable"),
    ("Summer2024!" * 3, "too predictable"),
])
def test_production_refuses_weak_secrets(value, reason):
    assert reason in weak_secret_reason(value)
    with pytest.raises(ValidationError, match=f"ASSISTANT_SESSION_SECRET is {reason}"):
        Settings(env="production", **(STRONG | {"session_secret": value}))


def test_generated_secrets_are_strong():
    assert all(weak_secret_reason(value) is None for value in STRONG.values())


def test_demo_conveniences_only_in_development_on_loopback(monkeypatch):
    settings = get_settings()
    assert settings.demo_allowed
    monkeypatch.setattr(settings, "env", "production")
    assert not settings.demo_allowed


def test_demo_accounts_and_the_demo_password_are_refused_outside_development(db_session, monkeypatch):
    demo_user = staff.create(db_session=db_session, email="ada.admin@fernhill.example", name="Ada", role="admin",
                             password=inbox_demo.DEMO_PASSWORD)
    real = staff.create(db_session=db_session, email="real.admin@fernhill.example", name="Real", role="admin",
                        password=inbox_demo.DEMO_PASSWORD)
    assert staff.authenticate(db_session=db_session, email=demo_user.email, password=inbox_demo.DEMO_PASSWORD) is demo_user
    monkeypatch.setattr(get_settings(), "env", "production")
    assert staff.authenticate(db_session=db_session, email=demo_user.email, password=inbox_demo.DEMO_PASSWORD) is None
    assert staff.authenticate(db_session=db_session, email=real.email, password=inbox_demo.DEMO_PASSWORD) is None
    assert inbox_demo.load_demo_staff(db_session=db_session) == 0
    with pytest.raises(staff.StaffError, match="demo password"):
        staff.set_password(db_session=db_session, email=real.email, password=inbox_demo.DEMO_PASSWORD)
    staff.set_password(db_session=db_session, email=real.email, password="a real long passphrase")
    assert staff.authenticate(db_session=db_session, email=real.email, password="a real long passphrase") is real
